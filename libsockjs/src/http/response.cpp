#include "http/response.hpp"

#include <ctime>
#include <mutex>

namespace sockjs::http {

const char* reason_phrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 101:
      return "Switching Protocols";
    case 200:
      return "OK";
    case 204:
      return "No Content";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 413:
      return "Payload Too Large";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      break;
  }
  if (status < 200) return "Informational";
  if (status < 300) return "Success";
  if (status < 400) return "Redirection";
  if (status < 500) return "Client Error";
  return "Server Error";
}

void append_status_line(std::string& out, int status) {
  char buf[16];
  out.append("HTTP/1.1 ", 9);
  int n = snprintf(buf, sizeof buf, "%d ", status);
  out.append(buf, static_cast<size_t>(n));
  out.append(reason_phrase(status));
  out.append("\r\n", 2);
}

void append_chunk(std::string& out, std::string_view data) {
  char buf[24];
  int n = snprintf(buf, sizeof buf, "%zx\r\n", data.size());
  out.append(buf, static_cast<size_t>(n));
  out.append(data);
  out.append("\r\n", 2);
}

std::string_view expires_in_one_year() {
  // Formatting a date per response is wasteful; it changes once a second.
  static std::mutex mu;
  static time_t cached_at = 0;
  static char text[64];
  static size_t len = 0;
  std::lock_guard<std::mutex> lock(mu);
  time_t now = time(nullptr);
  if (now != cached_at) {
    time_t later = now + 31536000;
    struct tm tm;
    gmtime_r(&later, &tm);
    len = strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    cached_at = now;
  }
  return std::string_view(text, len);
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x + 32);
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y + 32);
    if (x != y) return false;
  }
  return true;
}

bool header_has_token(std::string_view value, std::string_view token) {
  size_t i = 0;
  while (i <= value.size()) {
    size_t comma = value.find(',', i);
    if (comma == std::string_view::npos) comma = value.size();
    std::string_view item = value.substr(i, comma - i);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t'))
      item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t'))
      item.remove_suffix(1);
    if (iequals(item, token)) return true;
    i = comma + 1;
  }
  return false;
}

}  // namespace sockjs::http
