// Engine core: streams, input parsing, request dispatch, timers, shutdown.
#include "engine.hpp"

#include <algorithm>
#include <random>

#include "codec/digest.hpp"
#include "http/origin.hpp"
#include "ws/hixie76.hpp"
#include "ws/rfc6455.hpp"

namespace sockjs {

namespace {

// PROTOCOL.md section 3.2, with SOCKJS_URL spliced in.
constexpr std::string_view kIframeHead =
    "<!DOCTYPE html>\n"
    "<html>\n"
    "<head>\n"
    "  <meta http-equiv=\"X-UA-Compatible\" content=\"IE=edge\" />\n"
    "  <meta http-equiv=\"Content-Type\" content=\"text/html; charset=UTF-8\" "
    "/>\n"
    "  <script src=\"";
constexpr std::string_view kIframeTail =
    "\"></script>\n"
    "  <script>\n"
    "    document.domain = document.domain;\n"
    "    SockJS.bootstrap_iframe();\n"
    "  </script>\n"
    "</head>\n"
    "<body>\n"
    "  <h2>Don't panic!</h2>\n"
    "  <p>This is a SockJS hidden iframe. It's used for cross domain "
    "magic.</p>\n"
    "</body>\n"
    "</html>";

}  // namespace

Engine::Engine(const ServerOptions& sopts,
               const std::vector<ServiceOptions>& services, ConnTable& table,
               Metrics& metrics, Host* host)
    : sopts_(sopts),
      table_(table),
      metrics_(metrics),
      host_(host),
      next_conn_((uint64_t{sopts.node_id} << 48) + 1) {
  int id = 0;
  size_t largest_body = 0;
  for (const auto& o : services) {
    largest_body = std::max(largest_body, o.max_message_size);
    auto svc = std::make_unique<Service>();
    svc->id = id++;
    svc->opts = o;
    svc->iframe_body.append(kIframeHead);
    svc->iframe_body.append(o.sockjs_url);
    svc->iframe_body.append(kIframeTail);
    auto digest = codec::md5(svc->iframe_body);
    svc->iframe_etag =
        "\"" + codec::hex_lower(digest.data(), digest.size()) + "\"";
    by_prefix_.push_back(svc.get());
    services_.push_back(std::move(svc));
  }
  std::stable_sort(by_prefix_.begin(), by_prefix_.end(),
                   [](const Service* a, const Service* b) {
                     return a->opts.prefix.size() > b->opts.prefix.size();
                   });
  // Input that may wait while a response is in progress (pipelined
  // requests): room for two of the largest requests the limits allow; a
  // client sending more before reading its answers is flooding, and the
  // connection is dropped.
  max_stashed_input_ = 2 * (sopts_.max_request_head_size + largest_body);
  std::random_device rd;
  entropy_state_ = (static_cast<uint64_t>(rd()) << 32) ^ rd();
}

Engine::~Engine() {
  // Sessions hold raw pointers to streams and back; drop both sides quietly.
  for (auto& kv : sessions_) table_.erase(kv.first);
  for (auto& kv : forwarded_) table_.erase(kv.first);
}

// ------------------------------------------------------------------ streams

uint64_t Engine::open_stream(std::string remote_addr, uint16_t remote_port) {
  uint64_t id = next_stream_++;
  auto s = std::make_unique<Stream>(id, sopts_.max_request_head_size,
                                    sopts_.max_request_headers,
                                    &Engine::on_request_head, this);
  s->remote_addr = std::move(remote_addr);
  s->remote_port = remote_port;
  Stream& ref = *s;
  streams_.emplace(id, std::move(s));
  metrics_.connection_opened();
  arm_stream_timeout(ref);
  if (shutting_down_) close_stream_after_output(ref);
  return id;
}

std::string_view Engine::output(uint64_t st) const {
  auto it = streams_.find(st);
  if (it == streams_.end()) return {};
  const Stream& s = *it->second;
  return std::string_view(s.out).substr(s.out_off);
}

void Engine::consume(uint64_t st, size_t n) {
  auto it = streams_.find(st);
  if (it == streams_.end()) return;
  Stream& s = *it->second;
  n = std::min(n, s.pending_output());
  s.out_off += n;
  s.consumed_total += n;
  if (s.out_off == s.out.size()) {
    s.out_off = 0;
    // Keep a small buffer for the next write; an idle connection should
    // not sit on the capacity of its largest burst (or of its handshake).
    if (s.out.capacity() > 256)
      std::string().swap(s.out);
    else
      s.out.clear();
  }
  if (s.session) update_buffered(*s.session);
}

bool Engine::wants_close(uint64_t st) const {
  auto it = streams_.find(st);
  return it != streams_.end() && it->second->wants_close;
}

void Engine::close_stream(uint64_t st) {
  auto it = streams_.find(st);
  if (it == streams_.end()) return;
  Stream& s = *it->second;
  s.peer_gone = true;
  if (Session* sess = s.session) {
    if (sess->websocket) {
      if (sess->state != SessionState::closed)
        teardown(*sess, 1002, "Connection interrupted");
    } else if (sess->receiver == &s) {
      // The client dropped a receiving request before we ended it: the
      // session ends at once, as sockjs-node does (PROTOCOL.md 5.3).
      detach(*sess, false);
      if (sess->state == SessionState::closing)
        teardown(*sess, sess->close_code, sess->close_reason);
      else
        teardown(*sess, 1002, "Connection interrupted");
    }
  }
  if (s.forwarded) {
    table_.erase(s.forwarded);
    forwarded_.erase(s.forwarded);
  }
  streams_.erase(it);
  metrics_.connection_closed();
  if (shutting_down_ && !shutdown_done_ && streams_.empty()) finish_shutdown();
}

void Engine::feed(uint64_t st, const char* data, size_t len) {
  auto it = streams_.find(st);
  if (it == streams_.end() || len == 0) return;
  process_input(*it->second, data, len);
}

void Engine::process_input(Stream& s, const char* data, size_t len) {
  switch (s.mode) {
    case StreamMode::done:
      return;  // the connection is being closed; input is ignored
    case StreamMode::websocket:
    case StreamMode::hixie:
    case StreamMode::hixie_key3:
      websocket_input(s, data, len);
      return;
    case StreamMode::http:
      break;
  }
  if (s.busy || !s.in.empty()) {
    if (s.in.size() + len > max_stashed_input_) {
      limit_hit(Limit::input_buffer,
                "pipelined input over its bound from " + s.remote_addr);
      close_stream_after_output(s);
      return;
    }
    s.in.append(data, len);
    if (s.busy) return;
    // Parse from the stash; the parser copies what it keeps.
    std::string stash;
    stash.swap(s.in);
    const char* p = stash.data();
    size_t n = stash.size();
    parse_http(s, p, n);
    keep_rest(s, p, n);
    return;
  }
  parse_http(s, data, len);
  keep_rest(s, data, len);
}

// What parse_http left: more requests behind a busy response wait in the
// stash; bytes after a WebSocket handshake belong to the new protocol.
void Engine::keep_rest(Stream& s, const char* data, size_t len) {
  if (len == 0) return;
  if (s.mode == StreamMode::http)
    s.in.append(data, len);
  else if (s.mode != StreamMode::done)
    websocket_input(s, data, len);
}

// Parses and answers requests until input runs out, a response stays open
// (busy), or the stream leaves HTTP. Leaves data/len at what was not used.
void Engine::parse_http(Stream& s, const char*& data, size_t& len) {
  while (len > 0 && s.mode == StreamMode::http && !s.busy) {
    http::RequestParser::Result r;
    size_t n = s.parser->execute(data, len, r);
    data += n;
    len -= n;
    if (r == http::RequestParser::Result::need_more) break;
    if (r == http::RequestParser::Result::error) {
      fail_request(s, s.parser->error_status());
      len = 0;
      break;
    }
    s.busy = true;
    s.timeout.deadline = 0;  // a response is in progress; no head timeout
    s.req_start_ms = now_;
    s.req_start_bytes = s.produced();
    handle_request(s);
  }
}

size_t Engine::on_request_head(void* ctx, http::Request& req) {
  Stream& s = *static_cast<Stream*>(ctx);
  Engine& e = *static_cast<Engine*>(s.engine);
  // Curl and others wait for this before sending a larger body.
  if (!req.http10()) {
    const std::string* expect = req.header("expect");
    if (expect && http::iequals(*expect, "100-continue"))
      e.write(s, "HTTP/1.1 100 Continue\r\n\r\n");
  }
  std::string_view rest;
  Service* svc = e.find_service(req.path(), rest);
  if (svc) return svc->opts.max_message_size;
  // No service: the body is read (and dropped unless forwarded) so that the
  // answer is the 404 of PROTOCOL.md section 1, not a 413 for any body.
  size_t most = 0;
  for (auto& sv : e.services_) most = std::max(most, sv->opts.max_message_size);
  return most;
}

Service* Engine::find_service(std::string_view path, std::string_view& rest) {
  for (Service* svc : by_prefix_) {
    const std::string& p = svc->opts.prefix;
    if (path.size() >= p.size() && path.compare(0, p.size(), p) == 0 &&
        (path.size() == p.size() || path[p.size()] == '/')) {
      rest = path.substr(p.size());
      return svc;
    }
  }
  return nullptr;
}

void Engine::handle_request(Stream& s) {
  http::Request& req = s.parser->request();
  // After an upgrade request llhttp cannot parse further requests, so unless
  // it becomes a WebSocket the connection ends with this response.
  if (req.upgrade || !req.keep_alive) s.close_after = true;
  if (shutting_down_) {
    s.close_after = true;
    serve_text_error(s, 503, "Server shutting down");
    return;
  }
  std::string_view rest;
  Service* svc = find_service(req.path(), rest);
  if (!svc) {
    if (sopts_.forward_unmatched)
      forward_request(s, req);
    else
      serve_not_found(s);
    return;
  }
  RouteMatch m = match_route(rest);
  if (m.route == Route::not_found) {
    serve_not_found(s);
    return;
  }
  if (!method_allowed(m.route, req.method)) {
    serve_not_allowed(s, m.route, req);
    return;
  }
  if (m.route != Route::greeting && m.route != Route::iframe &&
      !origin_ok(*svc, req)) {
    // Cross-site WebSocket hijacking and CORS reads from foreign pages.
    s.close_after = true;
    serve_text_error(s, 403, "Origin not allowed");
    return;
  }
  const ServiceOptions& o = svc->opts;
  auto disabled = [&](Transport t) { return !o.enabled(t); };
  switch (m.route) {
    case Route::greeting:
      serve_greeting(s);
      return;
    case Route::iframe:
      serve_iframe(s, *svc, req);
      return;
    case Route::info:
      if (req.method == "OPTIONS")
        serve_options(s, *svc, req, m.route);
      else
        serve_info(s, *svc, req);
      return;
    case Route::raw_websocket:
      if (disabled(Transport::websocket_raw))
        serve_not_found(s, true);
      else
        handle_websocket(s, *svc, true, req);
      return;
    case Route::websocket:
      if (disabled(Transport::websocket))
        serve_not_found(s, true);
      else
        handle_websocket(s, *svc, false, req);
      return;
    case Route::xhr:
    case Route::xhr_send:
    case Route::xhr_streaming:
      if (disabled(m.route == Route::xhr_streaming ? Transport::xhr_streaming
                                                   : Transport::xhr_polling)) {
        serve_not_found(s);
      } else if (req.method == "OPTIONS") {
        serve_options(s, *svc, req, m.route);
      } else if (m.route == Route::xhr_send) {
        handle_send(s, *svc, m.route, m.session, req);
      } else {
        handle_receive(s, *svc, m.route, m.session, req);
      }
      return;
    case Route::eventsource:
    case Route::htmlfile:
    case Route::jsonp:
      if (disabled(m.route == Route::eventsource ? Transport::eventsource
                   : m.route == Route::htmlfile  ? Transport::htmlfile
                                                 : Transport::jsonp_polling))
        serve_not_found(s);
      else
        handle_receive(s, *svc, m.route, m.session, req);
      return;
    case Route::jsonp_send:
      if (disabled(Transport::jsonp_polling))
        serve_not_found(s);
      else
        handle_send(s, *svc, m.route, m.session, req);
      return;
    case Route::not_found:
      break;
  }
  serve_not_found(s);
}

bool Engine::origin_ok(const Service& svc, const http::Request& req) const {
  if (svc.opts.allowed_origins.empty()) return true;
  const std::string* origin = req.header("origin");
  // hybi-07..12 WebSocket clients sent their origin under this name.
  if (!origin) origin = req.header("sec-websocket-origin");
  if (!origin) return true;  // not a browser: Origin proves nothing
  return http::origin_allowed(svc.opts.allowed_origins, *origin,
                              req.header("host"));
}

bool Engine::sessions_full() const {
  return sopts_.max_sessions != 0 && sessions_.size() >= sopts_.max_sessions;
}

// ------------------------------------------------------------------- timers

void Engine::arm(Timer& t, uint64_t at, TimerKind kind, uint64_t id) {
  t.deadline = at;
  if (at == 0) return;
  if (t.queued_at == 0 || t.queued_at > at) {
    t.queued_at = at;
    timers_.push(TimerEntry{at, id, kind});
  }
}

void Engine::arm_stream_timeout(Stream& s) {
  arm(s.timeout, now_ + sopts_.request_timeout_ms, TimerKind::stream, s.id);
}

int64_t Engine::next_timeout() const {
  if (timers_.empty()) return -1;
  uint64_t at = timers_.top().at;
  return at <= now_ ? 0 : static_cast<int64_t>(at - now_);
}

void Engine::run_timers() {
  while (!timers_.empty() && timers_.top().at <= now_) {
    TimerEntry e = timers_.top();
    timers_.pop();
    fire(e);
  }
}

void Engine::fire(const TimerEntry& e) {
  Timer* t = nullptr;
  Session* sess = nullptr;
  Stream* st = nullptr;
  if (e.kind == TimerKind::stream) {
    auto it = streams_.find(e.id);
    if (it == streams_.end()) return;
    st = it->second.get();
    t = &st->timeout;
  } else if (e.kind == TimerKind::shutdown) {
    t = &shutdown_timer_;
  } else {
    sess = find_session(e.id);
    if (!sess) return;
    t = e.kind == TimerKind::disconnect  ? &sess->disconnect
        : e.kind == TimerKind::heartbeat ? &sess->heartbeat
        : e.kind == TimerKind::authorize ? &sess->authorize
                                         : &sess->pong;
  }
  if (t->queued_at != e.at) return;  // superseded by an earlier entry
  t->queued_at = 0;
  if (t->deadline == 0) return;  // disarmed
  if (t->deadline > now_) {      // moved later: wait again
    uint64_t at = t->deadline;
    arm(*t, at, e.kind, e.id);
    return;
  }
  t->deadline = 0;
  switch (e.kind) {
    case TimerKind::stream:
      if (st->busy || st->mode != StreamMode::http) return;
      if (st->parser->started()) {
        fail_request(*st, 408);
      } else {
        close_stream_after_output(*st);  // idle keep-alive connection
      }
      return;
    case TimerKind::disconnect:
      if (!sess->receiver)
        teardown(*sess,
                 sess->state == SessionState::closing ? sess->close_code : 1001,
                 sess->state == SessionState::closing ? sess->close_reason
                                                      : "Session timed out");
      return;
    case TimerKind::heartbeat:
      if (sess->websocket)
        ws_heartbeat(*sess);
      else if (sess->receiver && sess->state == SessionState::open)
        send_frame(*sess, "h");
      return;
    case TimerKind::pong:
      if (sess->receiver && sess->receiver->pending_output() > 0) {
        // The ping may still sit in our buffer behind a large message on a
        // slow link; only count from when it could have been answered.
        arm(sess->pong, now_ + kPongTimeoutMs, TimerKind::pong, sess->id);
        return;
      }
      if (sess->receiver)
        ws_finish(*sess->receiver, 3000, "No response from heartbeat", 3000,
                  "No response from heartbeat");
      return;
    case TimerKind::shutdown:
      finish_shutdown();
      return;
    case TimerKind::authorize: {
      if (sess->state != SessionState::pending) return;
      // A decision taken on another thread wins if it got there first; its
      // command is on its way.
      bool expected = true;
      if (!sess->shared->undecided.compare_exchange_strong(expected, false))
        return;
      sess->shared->open.store(false, std::memory_order_relaxed);
      if (logging(kWarning))
        log(kWarning, sess->service->id, sess->id,
            "session " + std::to_string(sess->id) +
                " not accepted in time: rejected");
      reject(*sess, 3000, "Authorization timed out");
      return;
    }
  }
}

void Engine::log(int level, int service, uint64_t conn, std::string text) {
  Event ev;
  ev.type = 7;  // SOCKJS_EVENT_LOG
  ev.service = service;
  ev.conn = conn;
  ev.code = level;
  ev.data = std::move(text);
  events_.push_back(std::move(ev));
}

void Engine::limit_hit(Limit which, std::string_view detail, int service,
                       uint64_t conn) {
  metrics_.limit_hit(which);
  if (logging(kWarning))
    log(kWarning, service, conn,
        std::string("limit ") + limit_name(which) + ": " + std::string(detail));
}

// ----------------------------------------------------------------- shutdown

void Engine::shutdown() {
  if (shutting_down_) return;
  shutting_down_ = true;
  std::vector<uint64_t> ids;
  ids.reserve(sessions_.size());
  for (auto& kv : sessions_) ids.push_back(kv.first);
  for (uint64_t id : ids) {
    Session* sess = find_session(id);
    if (!sess) continue;
    if (sess->state == SessionState::open ||
        sess->state == SessionState::pending ||
        sess->state == SessionState::connecting)
      begin_close(*sess, 1001, "Going away");
    if ((sess = find_session(id)) != nullptr)
      teardown(*sess, sess->close_code ? sess->close_code : 1001,
               sess->close_reason.empty() ? "Going away" : sess->close_reason);
  }
  for (auto& kv : forwarded_) {
    table_.erase(kv.first);
    auto it = streams_.find(kv.second);
    if (it != streams_.end()) {
      it->second->forwarded = 0;
      it->second->close_after = true;
      serve_text_error(*it->second, 503, "Server shutting down");
    }
  }
  forwarded_.clear();
  for (auto& kv : streams_) {
    Stream& s = *kv.second;
    if (!s.busy) close_stream_after_output(s);
  }
  arm(shutdown_timer_, now_ + sopts_.shutdown_timeout_ms, TimerKind::shutdown,
      0);
  finish_operation();
}

void Engine::finish_shutdown() {
  if (shutdown_done_) return;
  shutdown_done_ = true;
  for (auto& kv : streams_) {
    Stream& s = *kv.second;
    s.mode = StreamMode::done;
    if (!s.wants_close) {
      s.wants_close = true;
      mark_dirty(s);
    }
  }
  Event ev;
  ev.type = 5;  // SOCKJS_EVENT_SERVER_CLOSED
  events_.push_back(std::move(ev));
}

// ---------------------------------------------------------- batch plumbing

void Engine::finish_operation() {
  // Flushing can end responses (polling), which can resume pipelined input,
  // which can queue more; loop until quiet.
  while (!flush_.empty() || !resume_.empty()) {
    std::vector<uint64_t> fl;
    fl.swap(flush_);
    for (uint64_t id : fl) {
      Session* sess = find_session(id);
      if (!sess) continue;
      sess->flush_listed = false;
      flush_session(*sess);
    }
    std::vector<uint64_t> rs;
    rs.swap(resume_);
    for (uint64_t id : rs) {
      auto it = streams_.find(id);
      if (it == streams_.end()) continue;
      Stream& s = *it->second;
      s.resume_listed = false;
      if (s.busy || s.in.empty() || s.mode != StreamMode::http) continue;
      std::string stash;
      stash.swap(s.in);
      process_input(s, stash.data(), stash.size());
    }
  }
  if (shutting_down_ && !shutdown_done_) {
    bool idle = true;
    for (auto& kv : streams_)
      if (kv.second->pending_output() > 0 || kv.second->busy) idle = false;
    if (idle) finish_shutdown();
  }
}

void Engine::take_dirty(std::vector<uint64_t>& out, size_t max) {
  out.clear();
  if (dirty_.size() <= max) {
    out.swap(dirty_);
  } else {  // the rest stay listed (and flagged) for the next take
    out.assign(dirty_.begin(), dirty_.begin() + static_cast<long>(max));
    dirty_.erase(dirty_.begin(), dirty_.begin() + static_cast<long>(max));
  }
  for (uint64_t id : out) {
    auto it = streams_.find(id);
    if (it != streams_.end()) it->second->dirty = false;
  }
}

void Engine::mark_dirty(Stream& s) {
  if (!s.dirty) {
    s.dirty = true;
    dirty_.push_back(s.id);
  }
}

Session* Engine::find_session(uint64_t conn) const {
  auto it = sessions_.find(conn);
  return it == sessions_.end() ? nullptr : it->second.get();
}

}  // namespace sockjs
