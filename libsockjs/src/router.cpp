#include "router.hpp"

namespace sockjs {

namespace {

bool iframe_name_char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '.' ||
         c == '_' || c == '-';
}

// A server or session id: one non-empty segment without '/' or '.'.
bool valid_id(std::string_view s) {
  return !s.empty() && s.find('.') == std::string_view::npos;
}

Route transport_route(std::string_view name) {
  if (name == "xhr") return Route::xhr;
  if (name == "xhr_send") return Route::xhr_send;
  if (name == "xhr_streaming") return Route::xhr_streaming;
  if (name == "eventsource") return Route::eventsource;
  if (name == "htmlfile") return Route::htmlfile;
  if (name == "jsonp") return Route::jsonp;
  if (name == "jsonp_send") return Route::jsonp_send;
  if (name == "websocket") return Route::websocket;
  return Route::not_found;
}

}  // namespace

RouteMatch match_route(std::string_view rest) {
  RouteMatch m;
  if (rest.empty() || rest == "/") {
    m.route = Route::greeting;
    return m;
  }
  // One optional trailing slash (but "//" is not the greeting).
  if (rest.size() > 1 && rest.back() == '/') rest.remove_suffix(1);
  if (rest == "/info") {
    m.route = Route::info;
    return m;
  }
  if (rest == "/websocket") {
    m.route = Route::raw_websocket;
    return m;
  }
  constexpr std::string_view kIframe = "/iframe";
  constexpr std::string_view kHtml = ".html";
  if (rest.size() >= kIframe.size() + kHtml.size() &&
      rest.substr(0, kIframe.size()) == kIframe &&
      rest.substr(rest.size() - kHtml.size()) == kHtml) {
    std::string_view mid = rest.substr(
        kIframe.size(), rest.size() - kIframe.size() - kHtml.size());
    bool ok = true;
    for (char c : mid) ok = ok && iframe_name_char(c);
    if (ok) m.route = Route::iframe;
    return m;
  }
  // /<server>/<session>/<transport>
  if (rest.front() != '/') return m;
  std::string_view p = rest.substr(1);
  size_t a = p.find('/');
  if (a == std::string_view::npos) return m;
  size_t b = p.find('/', a + 1);
  if (b == std::string_view::npos) return m;
  std::string_view server = p.substr(0, a);
  std::string_view session = p.substr(a + 1, b - a - 1);
  std::string_view transport = p.substr(b + 1);
  if (!valid_id(server) || !valid_id(session)) return m;
  if (transport.find('/') != std::string_view::npos) return m;
  m.route = transport_route(transport);
  if (m.route != Route::not_found) m.session = session;
  return m;
}

std::string_view allowed_methods(Route r) {
  switch (r) {
    case Route::info:
      return "OPTIONS, GET";
    case Route::xhr:
    case Route::xhr_send:
    case Route::xhr_streaming:
      return "OPTIONS, POST";
    case Route::jsonp_send:
      return "POST";
    default:
      return "GET";
  }
}

bool method_allowed(Route r, std::string_view method) {
  switch (r) {
    case Route::info:
      return method == "GET" || method == "OPTIONS";
    case Route::xhr:
    case Route::xhr_send:
    case Route::xhr_streaming:
      return method == "POST" || method == "OPTIONS";
    case Route::jsonp_send:
      return method == "POST";
    default:
      return method == "GET";
  }
}

bool is_receiving(Route r) {
  switch (r) {
    case Route::xhr:
    case Route::xhr_streaming:
    case Route::eventsource:
    case Route::htmlfile:
    case Route::jsonp:
      return true;
    default:
      return false;
  }
}

}  // namespace sockjs
