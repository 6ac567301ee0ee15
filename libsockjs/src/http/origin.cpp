#include "http/origin.hpp"

#include "http/response.hpp"

namespace sockjs::http {

namespace {

// An origin or pattern split into its parts; has_x tells absent from empty.
struct Parts {
  std::string_view scheme, host, port;
  bool has_scheme = false, has_port = false;
};

bool split(std::string_view s, Parts& p) {
  size_t sep = s.find("://");
  if (sep != std::string_view::npos) {
    p.scheme = s.substr(0, sep);
    p.has_scheme = true;
    s.remove_prefix(sep + 3);
    if (p.scheme.empty()) return false;
  }
  if (!s.empty() && s.front() == '[') {  // IPv6 literal
    size_t close = s.find(']');
    if (close == std::string_view::npos) return false;
    p.host = s.substr(0, close + 1);
    s.remove_prefix(close + 1);
    if (!s.empty() && s.front() != ':') return false;
  } else {
    size_t colon = s.find(':');
    p.host = s.substr(0, colon);
    s.remove_prefix(colon == std::string_view::npos ? s.size() : colon);
  }
  if (!s.empty()) {  // ":port"
    p.port = s.substr(1);
    p.has_port = true;
    if (p.port.empty()) return false;
  }
  return !p.host.empty();
}

bool all_digits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return !s.empty();
}

bool host_matches(std::string_view pattern, std::string_view host) {
  if (pattern == "*") return true;
  if (pattern.size() > 2 && pattern[0] == '*' && pattern[1] == '.') {
    std::string_view suffix = pattern.substr(1);  // ".example.com"
    return host.size() > suffix.size() &&
           iequals(host.substr(host.size() - suffix.size()), suffix);
  }
  return iequals(pattern, host);
}

bool matches(std::string_view pattern, const Parts& o) {
  Parts p;
  if (!split(pattern, p)) return false;
  if (p.has_scheme && p.scheme != "*" &&
      !(o.has_scheme && iequals(p.scheme, o.scheme)))
    return false;
  if (!host_matches(p.host, o.host)) return false;
  if (p.has_port) return p.port == "*" || (o.has_port && p.port == o.port);
  return !o.has_port;
}

}  // namespace

bool valid_origin_pattern(std::string_view pattern) {
  if (pattern.empty() || pattern.size() > 512) return false;
  for (char c : pattern) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == '?' || c == '#' || c == ',')
      return false;
  }
  if (pattern == "*" || pattern == "null") return true;
  Parts p;
  if (!split(pattern, p)) return false;
  // A '/' anywhere but in "://" (a path) can never match an origin.
  if (p.scheme.find('/') != std::string_view::npos ||
      p.host.find('/') != std::string_view::npos)
    return false;
  size_t star = p.host.rfind('*');
  if (star != std::string_view::npos && p.host != "*" &&
      (star != 0 || p.host.size() < 3 || p.host[1] != '.'))
    return false;
  if (p.scheme != "*" && p.scheme.find('*') != std::string_view::npos)
    return false;
  if (p.has_port && p.port != "*" && !all_digits(p.port)) return false;
  return true;
}

bool origin_allowed(const std::vector<std::string>& patterns,
                    std::string_view origin, const std::string* host) {
  if (patterns.empty()) return true;
  for (const std::string& pat : patterns) {
    if (pat == "*") return true;
    if (pat == "null" && origin == "null") return true;
  }
  Parts o;
  if (origin == "null" || !split(origin, o) || !o.has_scheme) return false;
  // Same origin: the authority the page was served from is this server.
  size_t sep = origin.find("://");
  if (host && iequals(origin.substr(sep + 3), *host)) return true;
  for (const std::string& pat : patterns)
    if (pat != "null" && matches(pat, o)) return true;
  return false;
}

}  // namespace sockjs::http
