// Engine: SockJS sessions and the HTTP transports (PROTOCOL.md sections 5-7):
// receiving requests (xhr, xhr_streaming, eventsource, htmlfile, jsonp),
// sending requests (xhr_send, jsonp_send), queueing, frames, close.
#include <algorithm>

#include "codec/json.hpp"
#include "engine.hpp"
#include "http/query.hpp"
#include "net/cidr.hpp"

namespace sockjs {

namespace {

constexpr std::string_view kAnotherConnection =
    "c[2010,\"Another connection still open\"]";

// sockjs-node's whitelist (plus origin, which its docs list but its code
// forgets: sockjs-node#247). Cookies only on request.
constexpr std::string_view kExposedHeaders[] = {"referer",
                                                "x-client-ip",
                                                "x-forwarded-for",
                                                "x-forwarded-host",
                                                "x-forwarded-port",
                                                "x-cluster-client-ip",
                                                "via",
                                                "x-real-ip",
                                                "x-forwarded-proto",
                                                "x-ssl",
                                                "dnt",
                                                "host",
                                                "user-agent",
                                                "accept-language",
                                                "origin"};

constexpr std::string_view kHtmlfileHead =
    "<!doctype html>\n"
    "<html><head>\n"
    "  <meta http-equiv=\"X-UA-Compatible\" content=\"IE=edge\" />\n"
    "  <meta http-equiv=\"Content-Type\" content=\"text/html; charset=UTF-8\" "
    "/>\n"
    "</head><body><h2>Don't panic!</h2>\n"
    "  <script>\n"
    "    document.domain = document.domain;\n"
    "    var c = parent.";
constexpr std::string_view kHtmlfileTail =
    ";\n"
    "    c.start();\n"
    "    function p(d) {c.message(d);};\n"
    "    window.onload = function() {c.stop();};\n"
    "  </script>";
// sockjs-node pads the page (without the callback) to 1023 bytes: Safari
// renders nothing before 1 KiB.
constexpr size_t kHtmlfilePadTo = 1023;

bool valid_callback(std::string_view cb, bool jsonp) {
  if (cb.empty() || (jsonp && cb.size() > 32)) return false;
  for (char c : cb) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

// EventSource data lines: sockjs-client runs decodeURI on them, so '%' must
// be escaped, and CR, LF, NUL would break the line framing.
void append_eventsource_data(std::string& out, std::string_view frame) {
  size_t start = 0;
  for (size_t i = 0; i < frame.size(); ++i) {
    const char* rep = nullptr;
    switch (frame[i]) {
      case '%':
        rep = "%25";
        break;
      case '\r':
        rep = "%0D";
        break;
      case '\n':
        rep = "%0A";
        break;
      case '\0':
        rep = "%00";
        break;
      default:
        continue;
    }
    out.append(frame.substr(start, i - start));
    out.append(rep, 3);
    start = i + 1;
  }
  out.append(frame.substr(start));
}

std::string close_frame(int code, std::string_view reason) {
  std::string f = "c[" + std::to_string(code) + ",";
  codec::append_json_plain(f, reason);
  f.push_back(']');
  return f;
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() &&
         http::iequals(s.substr(0, prefix.size()), prefix);
}

}  // namespace

// ------------------------------------------------------------- receiving

void Engine::handle_receive(Stream& s, Service& svc, Route route,
                            std::string_view key, const http::Request& req) {
  auto recv = std::make_unique<Receiver>();
  http::ResponseHead& h = recv->head;
  switch (route) {
    case Route::xhr:
      recv->transport = Transport::xhr_polling;
      recv->streaming = false;
      break;
    case Route::xhr_streaming:
      recv->transport = Transport::xhr_streaming;
      recv->streaming = true;
      break;
    case Route::eventsource:
      recv->transport = Transport::eventsource;
      recv->streaming = true;
      break;
    case Route::htmlfile:
      recv->transport = Transport::htmlfile;
      recv->streaming = true;
      break;
    default:
      recv->transport = Transport::jsonp_polling;
      recv->streaming = false;
      break;
  }
  const bool jsonp = recv->transport == Transport::jsonp_polling;
  if (jsonp || recv->transport == Transport::htmlfile) {
    std::string_view q = req.query();
    if (!http::form_field(q, "c", recv->callback) &&
        !http::form_field(q, "callback", recv->callback)) {
      serve_text_error(s, 500, "\"callback\" parameter required");
      return;
    }
    if (!valid_callback(recv->callback, jsonp)) {
      serve_text_error(s, 500, "invalid \"callback\" parameter");
      return;
    }
  }
  h.status = 200;
  switch (recv->transport) {
    case Transport::eventsource:
      h.add("Content-Type", "text/event-stream");
      break;
    case Transport::htmlfile:
      h.add("Content-Type", "text/html; charset=UTF-8");
      break;
    default:
      h.add("Content-Type", "application/javascript; charset=UTF-8");
      break;
  }
  if (jsonp) h.add("X-Content-Type-Options", "nosniff");
  h.add("Cache-Control", http::kNoCache);
  if (recv->transport == Transport::xhr_polling ||
      recv->transport == Transport::xhr_streaming ||
      recv->transport == Transport::eventsource)
    add_cors(h, req, svc, recv->transport == Transport::eventsource);
  add_cookie(h, req, svc);

  Session* sess = nullptr;
  auto it = svc.sessions.find(std::string(key));
  if (it != svc.sessions.end()) sess = it->second;
  if (sess && sess->receiver) {
    Stream& other = *sess->receiver;
    if (host_ && !host_->stream_alive(other.id)) {
      // The client aborted the parked request and came back at once; we
      // see it now rather than answer 2010 (PROTOCOL.md 13.7).
      other.peer_gone = true;
      detach(*sess, false);
      if (sess->state == SessionState::closing)
        teardown(*sess, sess->close_code, sess->close_reason);
      else
        teardown(*sess, 1002, "Connection interrupted");
      close_stream_after_output(other);
      sess = nullptr;
    } else {
      // A second receiver gets the prelude and the 2010 close frame; the
      // session and its receiver are untouched.
      bool streaming = recv->streaming;
      s.recv = std::move(recv);
      if (streaming) {
        begin_streaming(s, s.recv->head);
        write_prelude(s);
      }
      write_receiver_frame(s, kAnotherConnection);
      if (streaming) end_response(s);
      return;
    }
  }
  if (!sess) {
    if (sessions_full()) {
      limit_hit(Limit::sessions,
                "max_sessions reached, refused " + s.remote_addr, svc.id);
      // CORS headers let a browser's XHR see the status.
      http::ResponseHead busy(503);
      busy.add("Cache-Control", http::kNoCache);
      if (recv->transport != Transport::htmlfile && !jsonp)
        add_cors(busy, req, svc, recv->transport == Transport::eventsource);
      serve_text_error(s, 503, "Too many sessions", &busy);
      return;
    }
    sess = new_session(svc, recv->transport, req, s, key);
  }
  bool streaming = recv->streaming;
  s.recv = std::move(recv);
  if (streaming) {
    begin_streaming(s, s.recv->head);
    write_prelude(s);
  }
  attach(*sess, s);
}

void Engine::write_prelude(Stream& s) {
  switch (s.recv->transport) {
    case Transport::xhr_streaming: {
      std::string p(2048, 'h');
      p.push_back('\n');
      write_body(s, p);
      break;
    }
    case Transport::eventsource:
      write_body(s, "\r\n");
      break;
    case Transport::htmlfile: {
      std::string page;
      page.reserve(kHtmlfilePadTo + s.recv->callback.size() + 4);
      page.append(kHtmlfileHead);
      page.append(s.recv->callback);
      page.append(kHtmlfileTail);
      size_t without_cb = page.size() - s.recv->callback.size();
      if (without_cb < kHtmlfilePadTo)
        page.append(kHtmlfilePadTo - without_cb, ' ');
      page.append("\r\n\r\n");
      write_body(s, page);
      break;
    }
    default:
      break;
  }
}

// Writes one frame the way the stream's transport wraps it. Polling
// transports answer the whole response here (and so end it).
void Engine::write_receiver_frame(Stream& s, std::string_view frame) {
  Receiver& r = *s.recv;
  std::string body;
  switch (r.transport) {
    case Transport::xhr_polling:
    case Transport::xhr_streaming:
      body.reserve(frame.size() + 1);
      body.append(frame);
      body.push_back('\n');
      break;
    case Transport::eventsource:
      body.reserve(frame.size() + 12);
      body.append("data: ");
      append_eventsource_data(body, frame);
      body.append("\r\n\r\n");
      break;
    case Transport::htmlfile:
      body.reserve(frame.size() + 32);
      body.append("<script>\np(");
      codec::append_json_plain(body, frame, true);
      body.append(");\n</script>\r\n");
      break;
    default:  // jsonp
      body.reserve(frame.size() + r.callback.size() + 16);
      body.append("/**/");
      body.append(r.callback);
      body.push_back('(');
      codec::append_json_plain(body, frame);
      body.append(");\r\n");
      break;
  }
  if (!r.streaming) {
    respond_fixed(s, r.head, body);
    return;
  }
  r.sent += body.size();
  write_body(s, body);
}

Session* Engine::new_session(Service& svc, Transport t,
                             const http::Request& req, const Stream& s,
                             std::string_view key) {
  auto sess = std::make_unique<Session>();
  sess->id = next_conn_++;  // the node id is in the top 16 bits
  sess->key.assign(key);
  sess->service = &svc;
  sess->transport = t;
  sess->shared = std::make_shared<ConnShared>(svc.opts.send_buffer_limit, false,
                                              svc.id, svc.opts.authorize);
  auto info = std::make_shared<ConnInfo>();
  info->service = svc.id;
  info->remote_port = s.remote_port;
  info->set(
      svc.opts.prefix, transport_name(t), s.remote_addr, req.method, req.url,
      net::client_address(s.remote_addr, req.header("x-forwarded-for"),
                          req.header("x-real-ip"), sopts_.trusted_proxies));
  for (const auto& hv : req.headers) {
    bool exposed = svc.opts.expose_cookies && hv.first == "cookie";
    for (std::string_view name : kExposedHeaders)
      exposed = exposed || hv.first == name;
    if (exposed) info->add_header(hv.first, hv.second);
  }
  info->finish();
  sess->info = std::move(info);
  table_.insert(sess->id, sess->shared);
  ServiceMetrics& m = metrics_.service(svc.id);
  m.open[static_cast<int>(t)].fetch_add(1, std::memory_order_relaxed);
  m.opened[static_cast<int>(t)].fetch_add(1, std::memory_order_relaxed);
  Session* raw = sess.get();
  sessions_.emplace(raw->id, std::move(sess));
  if (!raw->key.empty()) svc.sessions[raw->key] = raw;
  return raw;
}

void Engine::attach(Session& sess, Stream& s) {
  sess.receiver = &s;
  s.session = &sess;
  sess.disconnect.deadline = 0;
  switch (sess.state) {
    case SessionState::connecting: {
      if (sess.service->opts.authorize) {
        // The receiver waits, unanswered, for the application's decision.
        sess.state = SessionState::pending;
        arm(sess.authorize, now_ + sess.service->opts.authorize_timeout_ms,
            TimerKind::authorize, sess.id);
        emit_open(sess);
        break;
      }
      sess.state = SessionState::open;
      // The open frame goes out before the application hears of the
      // session, so a close in its OPEN handler comes after "o".
      if (!sess.raw)
        send_frame(sess, "o");
      else
        arm(sess.heartbeat, heartbeat_at(sess), TimerKind::heartbeat, sess.id);
      emit_open(sess);
      break;
    }
    case SessionState::pending:
      break;
    case SessionState::open:
      if (sess.need_open_frame) {
        sess.need_open_frame = false;
        send_frame(sess, "o");
        if (!sess.receiver) break;  // polling: "o" was the whole answer
      }
      if (!sess.queue.empty())
        flush_session(sess);
      else
        arm(sess.heartbeat, heartbeat_at(sess), TimerKind::heartbeat, sess.id);
      break;
    case SessionState::closing:
      if (!sess.queue.empty()) flush_session(sess);
      if (sess.receiver) send_close_frame(sess);
      break;
    case SessionState::closed:
      break;
  }
}

void Engine::emit_open(Session& sess) {
  if (logging(kInfo))
    log(kInfo, sess.service->id, sess.id,
        "session " + std::to_string(sess.id) + " open: service=" +
            (sess.service->opts.prefix.empty() ? std::string("/")
                                               : sess.service->opts.prefix) +
            " transport=" + transport_name(sess.transport) +
            " client=" + sess.info->client_addr() +
            (sess.state == SessionState::pending ? " (awaiting decision)"
                                                 : ""));
  Event ev;
  ev.type = 1;  // SOCKJS_EVENT_OPEN
  ev.service = sess.service->id;
  ev.conn = sess.id;
  ev.data = transport_name(sess.transport);
  ev.info = std::move(sess.info);
  events_.push_back(std::move(ev));
}

Status Engine::decide(uint64_t conn, bool accept, int code,
                      std::string_view reason) {
  Session* sess = find_session(conn);
  if (!sess) return Status::unknown_conn;
  if (sess->state != SessionState::pending) return Status::state;
  sess->authorize.deadline = 0;
  if (!accept) {
    reject(*sess, code, reason);
    return Status::ok;
  }
  sess->state = SessionState::open;
  if (sess->raw) {
    arm(sess->heartbeat, heartbeat_at(*sess), TimerKind::heartbeat, sess->id);
    for (const std::string& m : sess->held_out)
      ws_send_text(*sess->receiver, m);
  } else if (sess->receiver) {
    send_frame(*sess, "o");
  } else {
    sess->need_open_frame = true;
  }
  std::vector<std::string>().swap(sess->held_out);
  sess->held_out_bytes = 0;
  std::vector<std::string> in;
  in.swap(sess->held_in);
  sess->held_in_bytes = 0;
  if (!sess->queue.empty()) list_for_flush(*sess);
  deliver_messages(*sess, in);
  update_buffered(*sess);
  return Status::ok;
}

// The client gets c[code,"reason"] instead of "o"; nothing it sent is
// delivered, nothing the application queued is sent.
void Engine::reject(Session& sess, int code, std::string_view reason) {
  metrics_.service(sess.service->id)
      .rejected.fetch_add(1, std::memory_order_relaxed);
  if (logging(kInfo))
    log(kInfo, sess.service->id, sess.id,
        "session " + std::to_string(sess.id) +
            " rejected: " + std::to_string(code) + " " + std::string(reason));
  sess.queue.clear();
  std::vector<std::string>().swap(sess.held_in);
  std::vector<std::string>().swap(sess.held_out);
  sess.held_in_bytes = 0;
  sess.held_out_bytes = 0;
  begin_close(sess, code, reason);
}

uint64_t Engine::heartbeat_at(const Session& sess) const {
  uint32_t d = sess.service->opts.heartbeat_delay_ms;
  return d ? now_ + d : 0;
}

void Engine::detach(Session& sess, bool ended_normally) {
  Stream* s = sess.receiver;
  if (!s) return;
  sess.receiver = nullptr;
  s->session = nullptr;
  sess.heartbeat.deadline = 0;
  if (ended_normally && !sess.websocket)
    arm(sess.disconnect, now_ + sess.service->opts.disconnect_delay_ms,
        TimerKind::disconnect, sess.id);
  update_buffered(sess);
}

// Sends one frame to the attached receiver and applies what follows from
// it: polling responses end, streaming ones end at the response limit.
void Engine::send_frame(Session& sess, std::string_view frame) {
  Stream& s = *sess.receiver;
  if (sess.websocket) {
    ws_send_sockjs_frame(sess, frame);
    return;
  }
  if (!s.recv->streaming) {
    detach(sess, true);
    write_receiver_frame(s, frame);  // answers and ends the response
    return;
  }
  write_receiver_frame(s, frame);
  if (s.recv->sent >= sess.service->opts.response_limit) {
    detach(sess, true);
    end_response(s);
    return;
  }
  arm(sess.heartbeat, heartbeat_at(sess), TimerKind::heartbeat, sess.id);
}

void Engine::send_close_frame(Session& sess) {
  Stream* s = sess.receiver;
  send_frame(sess, close_frame(sess.close_code, sess.close_reason));
  if (s && sess.receiver == s && !sess.websocket) {
    detach(sess, true);
    end_response(*s);
  }
}

void Engine::list_for_flush(Session& sess) {
  if (!sess.flush_listed) {
    sess.flush_listed = true;
    flush_.push_back(sess.id);
  }
}

void Engine::flush_session(Session& sess) {
  if (!sess.queue.empty() && sess.receiver && sess.websocket && !sess.hixie &&
      !(sess.receiver->ws && sess.receiver->ws->deflate)) {
    // The hot path: frame the queued messages straight into the output
    // (with permessage-deflate the frame goes through ws_append_text).
    Stream& s = *sess.receiver;
    s.out.reserve(s.out.size() + sess.queue.size() + 16);
    ws::append_frame_header(s.out, ws::Opcode::text, sess.queue.size() + 3);
    s.out.append("a[", 2);
    s.out.append(sess.queue);
    s.out.push_back(']');
    sess.queue.clear();
    if (sess.queue.capacity() > 1024) std::string().swap(sess.queue);
    mark_dirty(s);
    arm(sess.heartbeat, heartbeat_at(sess), TimerKind::heartbeat, sess.id);
  } else if (!sess.queue.empty() && sess.receiver) {
    std::string frame;
    frame.reserve(sess.queue.size() + 3);
    frame.append("a[", 2);
    frame.append(sess.queue);
    frame.push_back(']');
    sess.queue.clear();
    if (sess.queue.capacity() > 64 * 1024) sess.queue.shrink_to_fit();
    send_frame(sess, frame);
  }
  update_buffered(sess);
}

int64_t Engine::held_bytes(const Session& sess) const {
  int64_t held = static_cast<int64_t>(sess.queue.size() + sess.held_out_bytes);
  if (sess.receiver)
    held += static_cast<int64_t>(sess.receiver->pending_output());
  return held;
}

void Engine::update_buffered(Session& sess) {
  ConnShared& c = *sess.shared;
  c.buffered.store(held_bytes(sess), std::memory_order_relaxed);
  if (c.want_drain.load(std::memory_order_relaxed) &&
      c.pending() < static_cast<int64_t>(c.limit / 2) &&
      sess.state == SessionState::open) {
    c.want_drain.store(false, std::memory_order_relaxed);
    Event ev;
    ev.type = 4;  // SOCKJS_EVENT_DRAIN
    ev.service = sess.service->id;
    ev.conn = sess.id;
    events_.push_back(std::move(ev));
  }
}

Status Engine::send(uint64_t conn, std::string_view text) {
  Session* sess = find_session(conn);
  if (!sess) return Status::unknown_conn;
  if (sess->state != SessionState::open && sess->state != SessionState::pending)
    return Status::closed;
  queue_message(*sess, text, {});
  return Status::ok;
}

void Engine::queue_message(Session& sess, std::string_view text,
                           std::string_view escaped) {
  ServiceMetrics& m = metrics_.service(sess.service->id);
  m.messages_out.fetch_add(1, std::memory_order_relaxed);
  m.bytes_out.fetch_add(text.size(), std::memory_order_relaxed);
  if (sess.raw) {
    if (sess.state == SessionState::pending) {
      // Sent after the open if the session is accepted.
      sess.held_out.emplace_back(text);
      sess.held_out_bytes += text.size();
    } else {
      ws_send_text(*sess.receiver, text);
    }
    update_buffered(sess);
    return;
  }
  if (!sess.queue.empty()) sess.queue.push_back(',');
  if (escaped.empty())
    codec::append_json_message(sess.queue, text);
  else
    sess.queue.append(escaped);
  if (sess.state == SessionState::pending)
    update_buffered(sess);  // flushed after the open frame, on accept
  else
    list_for_flush(sess);
}

Status Engine::close_conn(uint64_t conn, int code, std::string_view reason) {
  Session* sess = find_session(conn);
  if (!sess) return Status::unknown_conn;
  if (sess->state == SessionState::pending) {
    // Closing an undecided session is a rejection.
    sess->shared->undecided.store(false, std::memory_order_relaxed);
    sess->authorize.deadline = 0;
    reject(*sess, code, reason);
    return Status::ok;
  }
  if (sess->state != SessionState::open) return Status::closed;
  begin_close(*sess, code, reason);
  return Status::ok;
}

void Engine::begin_close(Session& sess, int code, std::string_view reason) {
  sess.state = SessionState::closing;
  sess.close_code = code;
  sess.close_reason.assign(reason);
  sess.shared->open.store(false, std::memory_order_relaxed);
  if (sess.websocket) {
    Stream& s = *sess.receiver;
    if (sess.raw) {
      ws_finish(s, static_cast<uint16_t>(code), reason, code, reason);
      return;
    }
    flush_session(sess);  // what was queued goes out before the close frame
    ws_send_sockjs_frame(sess, close_frame(code, reason));
    // sockjs-node closes the WebSocket itself with 1000 whatever the code.
    ws_finish(s, 1000, "Normal closure", code, reason);
    return;
  }
  if (sess.receiver) {
    if (!sess.queue.empty()) flush_session(sess);
    if (sess.receiver) send_close_frame(sess);
  }
}

void Engine::teardown(Session& sess, int code, std::string_view reason) {
  if (sess.state == SessionState::closed) return;
  sess.state = SessionState::closed;
  sess.shared->open.store(false, std::memory_order_relaxed);
  leave_all_channels(sess);
  if (Stream* s = sess.receiver) {
    detach(sess, false);
    if (!sess.websocket && !s->peer_gone && s->busy) {
      // Server-side end (shutdown): finish the response cleanly.
      if (s->recv && !s->recv->streaming) {
        s->recv->head.status = 200;
        write_receiver_frame(*s, close_frame(code, reason));
      } else {
        end_response(*s);
      }
    }
  }
  if (!sess.key.empty()) {
    auto it = sess.service->sessions.find(sess.key);
    if (it != sess.service->sessions.end() && it->second == &sess)
      sess.service->sessions.erase(it);
  }
  table_.erase(sess.id);
  ServiceMetrics& m = metrics_.service(sess.service->id);
  m.open[static_cast<int>(sess.transport)].fetch_sub(1,
                                                     std::memory_order_relaxed);
  m.closed[static_cast<int>(sess.transport)].fetch_add(
      1, std::memory_order_relaxed);
  if (logging(kInfo))
    log(kInfo, sess.service->id, sess.id,
        "session " + std::to_string(sess.id) +
            " closed: " + std::to_string(code) + " " + std::string(reason));
  Event ev;
  ev.type = 3;  // SOCKJS_EVENT_CLOSE
  ev.service = sess.service->id;
  ev.conn = sess.id;
  ev.code = code;
  ev.data.assign(reason);
  events_.push_back(std::move(ev));
  sessions_.erase(sess.id);  // sess is gone from here on
}

void Engine::deliver_messages(Session& sess, std::vector<std::string>& msgs) {
  if (sess.state == SessionState::pending) {
    // Held until the decision, within max_message_size in all.
    for (auto& m : msgs) {
      sess.held_in_bytes += m.size();
      if (sess.held_in_bytes > sess.service->opts.max_message_size) {
        msgs.clear();
        limit_hit(Limit::message_size,
                  "messages held before the decision exceed max_message_size",
                  sess.service->id, sess.id);
        sess.shared->undecided.store(false, std::memory_order_relaxed);
        sess.shared->open.store(false, std::memory_order_relaxed);
        sess.authorize.deadline = 0;
        reject(sess, 1009, "Message too big");
        return;
      }
      sess.held_in.push_back(std::move(m));
    }
    msgs.clear();
    return;
  }
  if (sess.state != SessionState::open) {
    msgs.clear();
    return;
  }
  ServiceMetrics& sm = metrics_.service(sess.service->id);
  sm.messages_in.fetch_add(msgs.size(), std::memory_order_relaxed);
  for (auto& m : msgs) {
    sm.bytes_in.fetch_add(m.size(), std::memory_order_relaxed);
    Event ev;
    ev.type = 2;  // SOCKJS_EVENT_MESSAGE
    ev.service = sess.service->id;
    ev.conn = sess.id;
    ev.data = std::move(m);
    events_.push_back(std::move(ev));
  }
  msgs.clear();
}

// --------------------------------------------------------------- sending

void Engine::handle_send(Stream& s, Service& svc, Route route,
                         std::string_view key, const http::Request& req) {
  const bool xhr = route == Route::xhr_send;
  http::ResponseHead h(200);
  h.add("Cache-Control", http::kNoCache);
  if (xhr) add_cors(h, req, svc, false);
  add_cookie(h, req, svc);

  std::string_view payload = req.body;
  std::string form_value;
  if (!xhr) {
    const std::string* ct = req.header("content-type");
    if (ct && starts_with_ci(*ct, "application/x-www-form-urlencoded")) {
      if (!http::form_field(req.body, "d", form_value)) form_value.clear();
      payload = form_value;
    }
  }
  if (payload.empty()) {
    serve_text_error(s, 500, "Payload expected.", &h);
    return;
  }
  std::vector<std::string>& msgs = scratch_msgs_;
  msgs.clear();
  codec::DecodeStatus st = codec::decode_messages(
      payload, xhr ? codec::DecodeMode::array : codec::DecodeMode::jsonp, msgs);
  if (st == codec::DecodeStatus::broken) {
    serve_text_error(s, 500, "Broken JSON encoding.", &h);
    return;
  }
  if (st == codec::DecodeStatus::not_array) {
    serve_text_error(s, 500, "Payload expected.", &h);
    return;
  }
  auto it = svc.sessions.find(std::string(key));
  if (it == svc.sessions.end()) {
    msgs.clear();
    h.status = 404;
    h.add("Content-Type", "text/plain; charset=UTF-8");
    respond_fixed(s, h, "404 Error: Page not found\n");
    return;
  }
  deliver_messages(*it->second, msgs);
  // A 204 still names its type: Firefox otherwise parses the empty body as
  // XML. jsonp answers 200 "ok" because Konqueror mishandles 204.
  h.add("Content-Type", "text/plain; charset=UTF-8");
  h.status = xhr ? 204 : 200;
  respond_fixed(s, h, xhr ? std::string_view() : std::string_view("ok"));
}

}  // namespace sockjs
