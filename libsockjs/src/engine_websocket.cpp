// Engine: the WebSocket endpoints (PROTOCOL.md section 8): the RFC 6455 and
// hixie-76 handshakes, SockJS framing over WebSocket, the raw endpoint,
// pings as heartbeats, and the close handshake.
#include "codec/json.hpp"
#include "engine.hpp"
#include "ws/hixie76.hpp"
#include "ws/rfc6455.hpp"

namespace sockjs {

namespace {

const char* close_reason_for(uint16_t code) {
  switch (code) {
    case ws::kCloseProtocolError:
      return "Protocol error";
    case ws::kCloseUnsupportedData:
      return "Unsupported data";
    case ws::kCloseInvalidPayload:
      return "Invalid payload";
    case ws::kCloseTooBig:
      return "Message too big";
    default:
      return "Protocol error";
  }
}

}  // namespace

void Engine::handle_websocket(Stream& s, Service& svc, bool raw,
                              const http::Request& req) {
  const std::string* upgrade = req.header("upgrade");
  const std::string* connection = req.header("connection");
  // Proxies may rewrite Connection; without "upgrade" in it this is not a
  // usable upgrade even if Upgrade is there.
  if (!upgrade || !http::iequals(*upgrade, "websocket") || !connection ||
      !http::header_has_token(*connection, "upgrade")) {
    s.close_after = true;
    serve_text_error(s, 400, "Not a valid websocket request");
    return;
  }
  if (sessions_full()) {
    limit_hit(Limit::sessions, "max_sessions reached, refused " + s.remote_addr,
              svc.id);
    s.close_after = true;
    serve_text_error(s, 503, "Too many sessions");
    return;
  }
  const std::string* version = req.header("sec-websocket-version");
  const std::string* key = req.header("sec-websocket-key");
  const std::string* key1 = req.header("sec-websocket-key1");
  const std::string* key2 = req.header("sec-websocket-key2");
  if (!version && !raw && key1 && key2) {
    // hixie-76: the 101 goes out before the 8 key bytes arrive, because
    // HAProxy holds them back until it has seen the response head.
    const std::string* origin = req.header("origin");
    const std::string* host = req.header("host");
    std::string& out = s.out;
    out.append("HTTP/1.1 101 WebSocket Protocol Handshake\r\n");
    out.append("Upgrade: WebSocket\r\nConnection: Upgrade\r\n");
    out.append("Sec-WebSocket-Origin: ");
    out.append(origin ? *origin : std::string("null"));
    out.append("\r\nSec-WebSocket-Location: ws://");
    out.append(host ? *host : std::string());
    out.append(req.url);
    out.append("\r\n\r\n");
    mark_dirty(s);
    s.resp_status = 101;
    metrics_.http_status(101);
    if (logging(kDebug)) log_request(s);
    s.resp_status = 0;
    s.mode = StreamMode::hixie_key3;
    s.ws = std::make_unique<WebSocketState>();
    s.ws->hixie_keys = std::make_unique<WebSocketState::HixieKeys>();
    s.ws->hixie_keys->key1 = *key1;
    s.ws->hixie_keys->key2 = *key2;
    s.busy = false;
    s.close_after = false;
    return;
  }
  if (!version || *version != "13") {
    s.close_after = true;
    if (raw)
      serve_text_error(s, 400,
                       "Only supported WebSocket protocol is RFC 6455.");
    else if (version)
      serve_text_error(s, 400, "Unsupported WebSocket version: " + *version);
    else
      serve_text_error(s, 400, "Not a valid websocket request");
    return;
  }
  if (!key || key->empty()) {
    s.close_after = true;
    serve_text_error(s, 400, "Not a valid websocket request");
    return;
  }
  std::string& out = s.out;
  http::append_status_line(out, 101);
  out.append(
      "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ");
  out.append(ws::accept_key(*key));
  out.append("\r\n");
  std::unique_ptr<ws::PerMessageDeflate> deflate;
  if (svc.opts.permessage_deflate) {
    // Every Sec-WebSocket-Extensions line, as one comma-separated list.
    std::string offers;
    for (const auto& h : req.headers) {
      if (h.first != "sec-websocket-extensions") continue;
      if (!offers.empty()) offers.append(", ");
      offers.append(h.second);
    }
    ws::DeflateParams params;
    std::string agreed;
    if (!offers.empty() && ws::negotiate_deflate(offers, params, agreed)) {
      out.append("Sec-WebSocket-Extensions: ");
      out.append(agreed);
      out.append("\r\n");
      deflate = std::make_unique<ws::PerMessageDeflate>(params);
    }
  }
  out.append("\r\n");
  mark_dirty(s);
  s.resp_status = 101;
  metrics_.http_status(101);
  if (logging(kDebug)) log_request(s);
  s.resp_status = 0;
  s.mode = StreamMode::websocket;
  s.busy = false;
  s.close_after = false;
  s.ws = std::make_unique<WebSocketState>();
  s.ws->rfc = std::make_unique<ws::Rfc6455Decoder>(svc.opts.max_message_size);
  if (deflate) {
    s.ws->deflate = std::move(deflate);
    s.ws->deflate_threshold = svc.opts.deflate_threshold;
    s.ws->rfc->set_deflate(s.ws->deflate.get());
  }
  Session* sess = new_session(
      svc, raw ? Transport::websocket_raw : Transport::websocket, req, s, {});
  sess->websocket = true;
  sess->raw = raw;
  s.parser.reset();  // HTTP is over on this connection
  attach(*sess, s);
}

void Engine::websocket_input(Stream& s, const char* data, size_t len) {
  if (s.mode == StreamMode::hixie_key3) {
    std::string& k3 = s.ws->hixie_keys->key3;
    size_t take = std::min(len, size_t{8} - k3.size());
    k3.append(data, take);
    data += take;
    len -= take;
    if (k3.size() < 8) return;
    auto answer =
        ws::hixie76_answer(s.ws->hixie_keys->key1, s.ws->hixie_keys->key2, k3);
    s.ws->hixie_keys.reset();
    if (!answer) {
      close_stream_after_output(s);
      return;
    }
    write(s, std::string_view(reinterpret_cast<const char*>(answer->data()),
                              answer->size()));
    s.mode = StreamMode::hixie;
    Service* svc = nullptr;
    std::string_view rest;
    svc = find_service(s.parser->request().path(), rest);
    if (!svc || sessions_full()) {  // full since the handshake began
      if (svc)
        limit_hit(Limit::sessions,
                  "max_sessions reached, refused " + s.remote_addr, svc->id);
      close_stream_after_output(s);
      return;
    }
    s.ws->hixie =
        std::make_unique<ws::Hixie76Decoder>(svc->opts.max_message_size);
    Session* sess =
        new_session(*svc, Transport::websocket, s.parser->request(), s, {});
    sess->websocket = true;
    sess->hixie = true;
    s.parser.reset();
    attach(*sess, s);
  }
  std::vector<std::string>& msgs = scratch_msgs_;
  while (len > 0 &&
         (s.mode == StreamMode::websocket || s.mode == StreamMode::hixie)) {
    Session* sess = s.session;
    if (sess) sess->pong.deadline = 0;  // any traffic proves the peer alive
    if (s.mode == StreamMode::hixie) {
      ws::HixieFrame f;
      bool got = false;
      size_t n = s.ws->hixie->feed(reinterpret_cast<const uint8_t*>(data), len,
                                   f, got);
      data += n;
      len -= n;
      if (!got) {
        if (n == 0) break;
        continue;
      }
      if (f.kind == ws::HixieFrame::Kind::text) {
        if (!sess) continue;
        if (!sockjs_text_message(s, *sess, f.payload)) return;
      } else if (f.kind == ws::HixieFrame::Kind::close) {
        ws_finish(s, 1000, "", 1000, "Normal closure");
        return;
      } else {
        ws_finish(s, 1002, "", 1002, "Protocol error");
        return;
      }
      continue;
    }
    ws::DecodedFrame f;
    bool got = false;
    size_t n =
        s.ws->rfc->feed(reinterpret_cast<const uint8_t*>(data), len, f, got);
    data += n;
    len -= n;
    if (!got) {
      if (n == 0) break;
      continue;
    }
    switch (f.kind) {
      case ws::DecodedFrame::Kind::text:
        if (!sess) break;
        if (sess->raw) {
          msgs.clear();
          msgs.push_back(std::move(f.payload));
          deliver_messages(*sess, msgs);
          break;
        }
        if (!sockjs_text_message(s, *sess, f.payload)) return;
        break;
      case ws::DecodedFrame::Kind::binary:
        ws_finish(s, ws::kCloseUnsupportedData, "Unsupported data",
                  ws::kCloseUnsupportedData, "Unsupported data");
        return;
      case ws::DecodedFrame::Kind::ping:
        ws::append_frame(s.out, ws::Opcode::pong, f.payload);
        mark_dirty(s);
        break;
      case ws::DecodedFrame::Kind::pong:
        break;
      case ws::DecodedFrame::Kind::close: {
        // Answer the close handshake with the peer's code, then hang up.
        int code = f.close_code;
        std::string reason = f.payload;
        ws_finish(s, code == 1005 ? 0 : static_cast<uint16_t>(code), reason,
                  code, reason);
        return;
      }
      case ws::DecodedFrame::Kind::error: {
        const char* why = close_reason_for(f.close_code);
        int sid = sess ? sess->service->id : -1;
        uint64_t cid = sess ? sess->id : 0;
        if (f.close_code == ws::kCloseTooBig)
          limit_hit(
              Limit::message_size,
              "WebSocket message over max_message_size from " + s.remote_addr,
              sid, cid);
        else if (logging(kWarning))
          log(kWarning, sid, cid,
              std::string("WebSocket protocol error from ") + s.remote_addr +
                  ": " + why);
        ws_finish(s, f.close_code, why, f.close_code, why);
        return;
      }
    }
  }
}

// One text message on the SockJS WebSocket: a JSON array of messages (or
// one JSON value). Empty messages are ignored, as sockjs-node does; broken
// JSON ends the connection. Returns false when the stream was closed.
bool Engine::sockjs_text_message(Stream& s, Session& sess,
                                 std::string_view payload) {
  if (payload.empty()) return true;
  std::vector<std::string>& msgs = scratch_msgs_;
  msgs.clear();
  if (codec::decode_messages(payload, codec::DecodeMode::websocket, msgs) !=
      codec::DecodeStatus::ok) {
    if (logging(kWarning))
      log(kWarning, sess.service->id, sess.id,
          "broken framing from " + s.remote_addr + ": session closed");
    ws_finish(s, 3000, "Broken framing.", 3000, "Broken framing.");
    return false;
  }
  deliver_messages(sess, msgs);
  return true;
}

void Engine::ws_append_text(Stream& s, std::string_view text) {
  WebSocketState* w = s.ws.get();
  if (w && w->deflate && text.size() >= w->deflate_threshold) {
    std::string& z = scratch_deflate_;
    z.clear();
    if (w->deflate->compress(text, z)) {
      ws::append_frame_header(s.out, ws::Opcode::text, z.size(), true);
      s.out.append(z);
      // A large message must not pin its size in the scratch buffer.
      if (z.capacity() > 64 * 1024) std::string().swap(z);
      return;
    }
  }
  ws::append_frame(s.out, ws::Opcode::text, text);
}

void Engine::ws_send_text(Stream& s, std::string_view text) {
  ws_append_text(s, text);
  mark_dirty(s);
  if (s.session)
    arm(s.session->heartbeat, heartbeat_at(*s.session), TimerKind::heartbeat,
        s.session->id);
}

void Engine::ws_send_sockjs_frame(Session& sess, std::string_view frame) {
  Stream& s = *sess.receiver;
  if (sess.hixie)
    ws::hixie76_append_frame(s.out, frame);
  else
    ws_append_text(s, frame);
  mark_dirty(s);
  arm(sess.heartbeat, heartbeat_at(sess), TimerKind::heartbeat, sess.id);
}

void Engine::ws_finish(Stream& s, uint16_t ws_code, std::string_view ws_reason,
                       int event_code, std::string_view event_reason) {
  if (s.mode == StreamMode::done) return;
  if (s.mode == StreamMode::hixie)
    ws::hixie76_append_close(s.out);
  else if (s.mode == StreamMode::websocket)
    ws::append_close_frame(s.out, ws_code, ws_reason);
  close_stream_after_output(s);
  if (Session* sess = s.session) {
    if (sess->state != SessionState::closed)
      teardown(*sess, event_code, event_reason);
  }
}

void Engine::ws_heartbeat(Session& sess) {
  if (!sess.receiver) return;
  Stream& s = *sess.receiver;
  if (sess.hixie) {
    ws_send_sockjs_frame(sess, "h");  // hixie-76 has no pings
    return;
  }
  ws::append_frame(s.out, ws::Opcode::ping, {});
  mark_dirty(s);
  if (sess.pong.deadline == 0)
    arm(sess.pong, now_ + kPongTimeoutMs, TimerKind::pong, sess.id);
  arm(sess.heartbeat, heartbeat_at(sess), TimerKind::heartbeat, sess.id);
}

}  // namespace sockjs
