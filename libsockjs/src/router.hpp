// URL routing of PROTOCOL.md section 1: which SockJS route a path (already
// stripped of its service prefix, without the query) names. Paths are
// matched raw, without percent-decoding; one trailing '/' is allowed.
#pragma once
#include <string_view>

namespace sockjs {

enum class Route {
  not_found,
  greeting,       // "" or "/"
  iframe,         // /iframe[0-9a-z._-]*.html
  info,           // /info
  raw_websocket,  // /websocket
  xhr,            // /<server>/<session>/xhr
  xhr_send,
  xhr_streaming,
  eventsource,
  htmlfile,
  jsonp,
  jsonp_send,
  websocket,  // /<server>/<session>/websocket
};

struct RouteMatch {
  Route route = Route::not_found;
  std::string_view session;  // the raw session id, for session routes
};

RouteMatch match_route(std::string_view rest);

// The methods a route accepts, as the Allow header lists them.
std::string_view allowed_methods(Route r);
bool method_allowed(Route r, std::string_view method);

// True for the routes that carry frames from server to client.
bool is_receiving(Route r);

}  // namespace sockjs
