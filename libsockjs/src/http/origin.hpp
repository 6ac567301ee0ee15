// The Origin allow-list of a service (sockjs_options_add_allowed_origin):
// pattern syntax checks and matching of a request's Origin header.
//
// A pattern is "*" (any origin), "null" (the opaque origin of sandboxed
// frames and file: pages), or [scheme "://"] host [":" port], where
//   - scheme: "http", "https", ... or "*"; absent means any scheme;
//   - host: a name or address; "*." followed by a domain, which matches
//     every subdomain of it at any depth (not the domain itself); or "*",
//     any host (so sockjs-node's "*:*" means any origin);
//   - port: digits, or "*" for any port; absent means the origin must carry
//     no port (the scheme's default, as browsers serialize it).
// Comparison ignores ASCII case.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace sockjs::http {

// True when `pattern` has one of the forms above.
bool valid_origin_pattern(std::string_view pattern);

// True when `origin` (an Origin header value) matches one of `patterns`, or
// names the same host and port as `host` (the request's Host header, may be
// null): same-origin requests, such as those of the iframe transports, are
// never refused. An empty pattern list allows everything.
bool origin_allowed(const std::vector<std::string>& patterns,
                    std::string_view origin, const std::string* host);

}  // namespace sockjs::http
