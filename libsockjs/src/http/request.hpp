// One parsed HTTP request, as the router and the transports see it.
#pragma once
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sockjs::http {

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string url;     // the raw request target
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case
  std::string body;
  int http_major = 1;
  int http_minor = 1;
  bool keep_alive = true;  // llhttp's verdict for this request
  bool upgrade = false;    // the request asked for a protocol upgrade

  std::string_view path() const {
    size_t q = url.find('?');
    return std::string_view(url).substr(0, q);
  }
  std::string_view query() const {
    size_t q = url.find('?');
    return q == std::string::npos ? std::string_view()
                                  : std::string_view(url).substr(q + 1);
  }
  // The first header with this (lower-case) name, or nullptr.
  const std::string* header(std::string_view name) const {
    for (const auto& h : headers)
      if (h.first == name) return &h.second;
    return nullptr;
  }
  bool http10() const { return http_major == 1 && http_minor == 0; }

  // Frees every buffer (clear() keeps capacity for the next request); for
  // connections that leave HTTP and may then idle for hours.
  void release() { *this = Request(); }

  void clear() {
    method.clear();
    url.clear();
    headers.clear();
    body.clear();
    keep_alive = true;
    upgrade = false;
  }
};

}  // namespace sockjs::http
