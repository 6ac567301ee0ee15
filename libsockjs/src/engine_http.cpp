// Engine: writing HTTP responses (fixed-length, chunked, close-delimited)
// and the connection-level consequences (keep-alive, pipelining, close).
#include "engine.hpp"

namespace sockjs {

void Engine::write(Stream& s, std::string_view bytes) {
  if (s.mode == StreamMode::done && s.wants_close && s.peer_gone) return;
  s.out.append(bytes);
  mark_dirty(s);
}

void Engine::respond_fixed(Stream& s, http::ResponseHead& head,
                           std::string_view body) {
  std::string& out = s.out;
  s.resp_status = head.status;
  metrics_.http_status(head.status);
  out.reserve(out.size() + head.lines.size() + body.size() + 96);
  http::append_status_line(out, head.status);
  out.append(head.lines);
  bool bodiless = head.status < 200 || head.status == 204 || head.status == 304;
  if (!bodiless) {
    char buf[40];
    int n = snprintf(buf, sizeof buf, "Content-Length: %zu\r\n", body.size());
    out.append(buf, static_cast<size_t>(n));
  }
  const http::Request& req = s.parser->request();
  if (s.close_after)
    out.append("Connection: close\r\n");
  else if (req.http10())
    out.append("Connection: keep-alive\r\n");
  out.append("\r\n", 2);
  if (!bodiless) out.append(body);
  mark_dirty(s);
  end_response(s);
}

void Engine::begin_streaming(Stream& s, http::ResponseHead& head) {
  const http::Request& req = s.parser->request();
  std::string& out = s.out;
  s.resp_status = head.status;
  metrics_.http_status(head.status);
  http::append_status_line(out, head.status);
  out.append(head.lines);
  if (req.http10()) {
    // No chunking in HTTP/1.0: the body ends when the socket closes.
    s.framing = Framing::close_delimited;
    s.close_after = true;
  } else {
    s.framing = Framing::chunked;
    out.append("Transfer-Encoding: chunked\r\n");
  }
  if (s.close_after) out.append("Connection: close\r\n");
  out.append("\r\n", 2);
  mark_dirty(s);
}

void Engine::write_body(Stream& s, std::string_view data) {
  if (s.framing == Framing::chunked)
    http::append_chunk(s.out, data);
  else
    s.out.append(data);
  mark_dirty(s);
}

void Engine::end_response(Stream& s) {
  if (s.framing == Framing::chunked) {
    s.out.append("0\r\n\r\n", 5);
    mark_dirty(s);
  }
  s.framing = Framing::none;
  s.recv.reset();
  s.busy = false;
  if (s.resp_status && logging(kDebug)) log_request(s);
  s.resp_status = 0;
  s.parser->next_request();
  if (s.close_after) {
    close_stream_after_output(s);
    return;
  }
  arm_stream_timeout(s);
  if (!s.in.empty() && !s.resume_listed) {
    s.resume_listed = true;
    resume_.push_back(s.id);
  }
}

void Engine::close_stream_after_output(Stream& s) {
  s.mode = StreamMode::done;
  s.in.clear();
  s.timeout.deadline = 0;
  if (!s.wants_close) {
    s.wants_close = true;
    mark_dirty(s);
  }
}

void Engine::fail_request(Stream& s, int status) {
  s.close_after = true;
  s.busy = true;
  s.req_start_ms = now_;
  s.req_start_bytes = s.produced();
  switch (status) {
    case 408:
      limit_hit(Limit::request_timeout,
                "request head not complete in time from " + s.remote_addr);
      break;
    case 413:
      limit_hit(Limit::request_body,
                "request body too large from " + s.remote_addr);
      break;
    case 431:
      limit_hit(Limit::request_head,
                "request head too large from " + s.remote_addr);
      break;
    default:
      if (logging(kWarning))
        log(kWarning, -1, 0,
            "bad request from " + s.remote_addr + ": answered " +
                std::to_string(status));
      break;
  }
  switch (status) {
    case 408:
      serve_text_error(s, 408, "Request timeout");
      break;
    case 413:
      serve_text_error(s, 413, "Payload too large");
      break;
    case 431:
      serve_text_error(s, 431, "Request header fields too large");
      break;
    case 500:
      serve_text_error(s, 500, "Internal error");
      break;
    case 505:
      serve_text_error(s, 505, "HTTP version not supported");
      break;
    default:
      serve_text_error(s, 400, "Bad request");
      break;
  }
}

}  // namespace sockjs

namespace sockjs {

// One line per answered request, at debug level:
//   GET /echo/info 200 bytes=345 ms=0 remote=127.0.0.1
void Engine::log_request(Stream& s) {
  const http::Request& req = s.parser->request();
  std::string line = req.method.empty() ? std::string("-") : req.method;
  line.push_back(' ');
  line.append(req.url.empty() ? std::string_view("-")
                              : std::string_view(req.url));
  line.push_back(' ');
  line.append(std::to_string(s.resp_status));
  line.append(" bytes=").append(
      std::to_string(s.produced() - s.req_start_bytes));
  line.append(" ms=").append(std::to_string(now_ - s.req_start_ms));
  line.append(" remote=").append(s.remote_addr);
  log(kDebug, -1, 0, std::move(line));
}

}  // namespace sockjs
