#include "http_client.hpp"

#include <strings.h>

#include <cstdlib>
#include <cstring>

namespace bench {

bool HttpConn::post(const std::string &path, std::string_view body) {
  if (!is_open() && !connect_to(server_)) return false;
  std::string req = "POST " + path + " HTTP/1.1\r\nHost: " + host_ +
                    "\r\nContent-Type: text/plain\r\nContent-Length: " +
                    std::to_string(body.size()) + "\r\n\r\n";
  req.append(body);
  busy_ = true;
  write(req);
  return true;
}

namespace {
// Finds header `name` (case-insensitive) in the head; empty if absent.
std::string_view header(std::string_view head, const char *name) {
  size_t nlen = strlen(name);
  size_t pos = head.find("\r\n");
  while (pos != std::string_view::npos && pos + 2 < head.size()) {
    size_t start = pos + 2;
    size_t end = head.find("\r\n", start);
    if (end == std::string_view::npos) end = head.size();
    std::string_view line = head.substr(start, end - start);
    if (line.size() > nlen && line[nlen] == ':' &&
        strncasecmp(line.data(), name, nlen) == 0) {
      std::string_view v = line.substr(nlen + 1);
      while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
      return v;
    }
    pos = end;
  }
  return {};
}
}  // namespace

void HttpConn::on_data() {
  while (busy_ && is_open()) {
    size_t head_end = in_.find("\r\n\r\n");
    if (head_end == std::string::npos) return;
    std::string_view head(in_.data(), head_end);
    if (head.size() < 12 || head.compare(0, 5, "HTTP/") != 0) {
      close_now();
      on_failed("bad response");
      return;
    }
    int status = std::atoi(std::string(head.substr(9, 3)).c_str());
    bool keep =
        header(head, "Connection").find("close") == std::string_view::npos;
    std::string_view cl = header(head, "Content-Length");
    std::string_view te = header(head, "Transfer-Encoding");
    size_t body_start = head_end + 4;
    std::string body;
    size_t consumed;
    if (!cl.empty() || status == 204 || status == 304) {
      size_t n =
          cl.empty()
              ? 0
              : size_t(std::strtoull(std::string(cl).c_str(), nullptr, 10));
      if (in_.size() < body_start + n) return;
      body.assign(in_, body_start, n);
      consumed = body_start + n;
    } else if (te.find("chunked") != std::string_view::npos) {
      size_t pos = body_start;
      for (;;) {
        size_t eol = in_.find("\r\n", pos);
        if (eol == std::string::npos) return;
        size_t n = size_t(std::strtoull(in_.c_str() + pos, nullptr, 16));
        if (in_.size() < eol + 2 + n + 2) return;
        body.append(in_, eol + 2, n);
        pos = eol + 2 + n + 2;
        if (n == 0) break;  // no trailers expected
      }
      consumed = pos;
    } else {
      return;  // body ends when the server closes: see on_closed
    }
    in_.erase(0, consumed);
    if (!keep) close_now();
    finish(status, std::move(body));
  }
}

void HttpConn::finish(int status, std::string body) {
  busy_ = false;
  on_response(status, body);
}

void HttpConn::on_closed(const char *why) {
  // close_now() cleared in_, so a close-delimited body is lost; neither
  // server uses one for the routes we call.
  if (busy_) {
    busy_ = false;
    on_failed(why);
  }
}

}  // namespace bench
