// Engine: the non-session answers (greeting, iframe page, /info, OPTIONS,
// 404/405/errors), the shared header rules of PROTOCOL.md section 2, and
// requests forwarded to the host.
#include <cjson/cJSON.h>

#include <memory>

#include "engine.hpp"
#include "http/origin.hpp"
#include "net/cidr.hpp"

namespace sockjs {

namespace {

constexpr std::string_view kTextPlain = "text/plain; charset=UTF-8";

void add_no_cache(http::ResponseHead& h) {
  h.add("Cache-Control", http::kNoCache);
}

void add_cache_for_a_year(http::ResponseHead& h) {
  h.add("Cache-Control", "public, max-age=31536000");
  h.add("Expires", http::expires_in_one_year());
}

// The value of the JSESSIONID cookie in a Cookie header, if any.
std::string_view jsessionid_value(const std::string* cookie) {
  if (!cookie) return {};
  std::string_view c(*cookie);
  while (!c.empty()) {
    size_t semi = c.find(';');
    std::string_view part = c.substr(0, semi);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    constexpr std::string_view kName = "JSESSIONID=";
    if (part.substr(0, kName.size()) == kName) return part.substr(kName.size());
    if (semi == std::string_view::npos) break;
    c.remove_prefix(semi + 1);
  }
  return {};
}

}  // namespace

void Engine::add_cors(http::ResponseHead& h, const http::Request& req,
                      const Service& svc, bool eventsource) {
  if (svc.opts.disable_cors) return;
  const std::string* origin = req.header("origin");
  // With an allow-list, only listed origins are echoed (requests from the
  // others are refused before they get here; this is the second lock).
  if (origin && !svc.opts.allowed_origins.empty() &&
      !http::origin_allowed(svc.opts.allowed_origins, *origin,
                            req.header("host")))
    origin = nullptr;
  // eventsource keeps sockjs-node's own rule: a "null" origin gets "*".
  if (origin && !origin->empty() && !(eventsource && *origin == "null")) {
    h.add("Access-Control-Allow-Origin", *origin);
    h.add("Access-Control-Allow-Credentials", "true");
  } else {
    h.add("Access-Control-Allow-Origin", "*");
  }
  h.add("Vary", "Origin");
  const std::string* acrh = req.header("access-control-request-headers");
  if (acrh && !acrh->empty()) h.add("Access-Control-Allow-Headers", *acrh);
}

void Engine::add_cookie(http::ResponseHead& h, const http::Request& req,
                        const Service& svc) {
  if (!svc.opts.jsessionid) return;
  std::string_view v = jsessionid_value(req.header("cookie"));
  std::string value = "JSESSIONID=";
  value.append(v.empty() ? std::string_view("dummy") : v);
  value.append("; path=/");
  h.add("Set-Cookie", value);
}

void Engine::serve_greeting(Stream& s) {
  http::ResponseHead h(200);
  h.add("Content-Type", kTextPlain);
  respond_fixed(s, h, "Welcome to SockJS!\n");
}

void Engine::serve_iframe(Stream& s, Service& svc, const http::Request& req) {
  const std::string* inm = req.header("if-none-match");
  if (inm && *inm == svc.iframe_etag) {
    http::ResponseHead h(304);
    add_cache_for_a_year(h);
    h.add("ETag", svc.iframe_etag);
    respond_fixed(s, h, {});
    return;
  }
  http::ResponseHead h(200);
  h.add("Content-Type", "text/html; charset=UTF-8");
  add_cache_for_a_year(h);
  h.add("ETag", svc.iframe_etag);
  respond_fixed(s, h, svc.iframe_body);
}

void Engine::serve_info(Stream& s, Service& svc, const http::Request& req) {
  const ServiceOptions& o = svc.opts;
  // splitmix64: cheap, and every answer differs (the suite checks that).
  uint64_t z = (entropy_state_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  std::unique_ptr<cJSON, void (*)(cJSON*)> obj(cJSON_CreateObject(),
                                               &cJSON_Delete);
  if (!obj) throw std::bad_alloc();
  cJSON_AddBoolToObject(obj.get(), "websocket",
                        o.enabled(Transport::websocket));
  if (!o.disable_cors) {
    cJSON* origins = cJSON_AddArrayToObject(obj.get(), "origins");
    if (origins) cJSON_AddItemToArray(origins, cJSON_CreateString("*:*"));
  }
  cJSON_AddBoolToObject(obj.get(), "cookie_needed", o.jsessionid);
  cJSON_AddNumberToObject(obj.get(), "entropy",
                          static_cast<double>(static_cast<uint32_t>(z)));
  if (!o.base_url.empty())
    cJSON_AddStringToObject(obj.get(), "base_url", o.base_url.c_str());
  std::unique_ptr<char, void (*)(void*)> text(cJSON_PrintUnformatted(obj.get()),
                                              &cJSON_free);
  if (!text) throw std::bad_alloc();
  http::ResponseHead h(200);
  h.add("Content-Type", "application/json; charset=UTF-8");
  add_no_cache(h);
  add_cors(h, req, svc, false);
  respond_fixed(s, h, text.get());
}

void Engine::serve_options(Stream& s, Service& svc, const http::Request& req,
                           Route route) {
  http::ResponseHead h(204);
  add_cache_for_a_year(h);
  h.add("Access-Control-Allow-Methods",
        route == Route::info ? "OPTIONS, GET" : "OPTIONS, POST");
  h.add("Access-Control-Max-Age", "31536000");
  add_cors(h, req, svc, false);
  add_cookie(h, req, svc);
  respond_fixed(s, h, {});
}

void Engine::serve_not_found(Stream& s, bool long_cache) {
  http::ResponseHead h(404);
  h.add("Content-Type", kTextPlain);
  if (long_cache) add_cache_for_a_year(h);
  respond_fixed(s, h, "404 Error: Page not found\n");
}

void Engine::serve_not_allowed(Stream& s, Route route,
                               const http::Request& req) {
  (void)req;
  http::ResponseHead h(405);
  h.add("Allow", allowed_methods(route));
  respond_fixed(s, h, {});  // no Content-Type, empty body (the suite checks)
}

void Engine::serve_text_error(Stream& s, int status, std::string_view text,
                              http::ResponseHead* base) {
  http::ResponseHead local(status);
  http::ResponseHead& h = base ? *base : local;
  h.status = status;
  h.add("Content-Type", kTextPlain);
  respond_fixed(s, h, text);
}

void Engine::forward_request(Stream& s, const http::Request& req) {
  uint64_t id = next_conn_++;
  auto info = std::make_shared<ConnInfo>();
  info->remote_port = s.remote_port;
  info->set(
      "", "", s.remote_addr, req.method, req.url,
      net::client_address(s.remote_addr, req.header("x-forwarded-for"),
                          req.header("x-real-ip"), sopts_.trusted_proxies));
  for (const auto& hv : req.headers) info->add_header(hv.first, hv.second);
  info->finish();
  table_.insert(id, std::make_shared<ConnShared>(0, true));
  forwarded_.emplace(id, s.id);
  s.forwarded = id;
  Event ev;
  ev.type = 6;  // SOCKJS_EVENT_REQUEST
  ev.conn = id;
  ev.data = req.method;
  ev.info = std::move(info);
  events_.push_back(std::move(ev));
}

Status Engine::respond(uint64_t request, int status,
                       std::string_view content_type, std::string_view headers,
                       std::string_view body) {
  auto it = forwarded_.find(request);
  if (it == forwarded_.end()) return Status::unknown_conn;
  auto st = streams_.find(it->second);
  forwarded_.erase(it);
  table_.erase(request);
  if (st == streams_.end()) return Status::unknown_conn;
  Stream& s = *st->second;
  s.forwarded = 0;
  http::ResponseHead h(status);
  if (!content_type.empty()) h.add("Content-Type", content_type);
  h.lines.append(headers);
  respond_fixed(s, h, body);
  return Status::ok;
}

}  // namespace sockjs
