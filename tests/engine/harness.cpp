#include "harness.hpp"

#include <algorithm>
#include <cstring>

namespace sockjs_test {

namespace {

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (tolower(static_cast<unsigned char>(a[i])) !=
        tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

// Parses the chunked body at data; fills r. Returns false if incomplete.
bool parse_chunked(std::string_view data, size_t start, Response& r) {
  size_t pos = start;
  for (;;) {
    size_t eol = data.find("\r\n", pos);
    if (eol == std::string_view::npos) return false;
    std::string size_text(data.substr(pos, eol - pos));
    size_t size = std::stoul(size_text, nullptr, 16);
    if (data.size() < eol + 2 + size + 2) return false;
    std::string_view payload = data.substr(eol + 2, size);
    EXPECT_EQ(data.substr(eol + 2 + size, 2), "\r\n") << "chunk not CRLF-ended";
    pos = eol + 2 + size + 2;
    if (size == 0) {
      r.last_chunk = true;
      r.complete = true;
      r.consumed = pos;
      return true;
    }
    r.chunks.emplace_back(payload);
    r.body.append(payload);
    r.consumed = pos;
  }
}

}  // namespace

std::optional<std::string> Response::header(std::string_view name) const {
  for (const auto& h : headers)
    if (iequal(h.first, name)) return h.second;
  return std::nullopt;
}

int Response::count(std::string_view name) const {
  int n = 0;
  for (const auto& h : headers) n += iequal(h.first, name) ? 1 : 0;
  return n;
}

std::optional<Response> parse_response(std::string_view data, bool eof,
                                       bool head_request) {
  size_t end = data.find("\r\n\r\n");
  if (end == std::string_view::npos) return std::nullopt;
  Response r;
  std::string_view head = data.substr(0, end);
  size_t eol = head.find("\r\n");
  std::string_view status_line = head.substr(0, eol);
  size_t sp1 = status_line.find(' ');
  size_t sp2 = status_line.find(' ', sp1 + 1);
  r.version = std::string(status_line.substr(0, sp1));
  r.status = std::stoi(std::string(status_line.substr(sp1 + 1, sp2 - sp1 - 1)));
  if (sp2 != std::string_view::npos) r.reason = status_line.substr(sp2 + 1);
  size_t pos = eol == std::string_view::npos ? head.size() : eol + 2;
  while (pos < head.size()) {
    size_t next = head.find("\r\n", pos);
    if (next == std::string_view::npos) next = head.size();
    std::string_view line = head.substr(pos, next - pos);
    size_t colon = line.find(':');
    EXPECT_NE(colon, std::string_view::npos) << "bad header line: " << line;
    std::string_view value = line.substr(colon + 1);
    EXPECT_TRUE(value.empty() || value[0] == ' ') << line;
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    r.headers.emplace_back(std::string(line.substr(0, colon)),
                           std::string(value));
    pos = next + 2;
  }
  size_t body_start = end + 4;
  r.consumed = body_start;
  bool bodiless = (r.status >= 100 && r.status < 200) || r.status == 204 ||
                  r.status == 304 || head_request;
  if (bodiless) {
    r.complete = true;
    return r;
  }
  auto te = r.header("transfer-encoding");
  auto cl = r.header("content-length");
  if (te && iequal(*te, "chunked")) {
    r.chunked = true;
    if (!parse_chunked(data, body_start, r) && r.consumed == body_start)
      r.consumed = body_start;
    if (!r.complete) r.consumed = data.size();
    return r;
  }
  if (cl) {
    size_t n = std::stoul(*cl);
    size_t have = std::min(n, data.size() - body_start);
    r.body = std::string(data.substr(body_start, have));
    r.complete = have == n;
    r.consumed = body_start + have;
    return r;
  }
  r.close_delimited = true;
  r.body = std::string(data.substr(body_start));
  r.complete = eof;
  r.consumed = data.size();
  return r;
}

int WsFrame::close_code() const {
  if (opcode != 8 || payload.size() < 2) return -1;
  return (static_cast<uint8_t>(payload[0]) << 8) |
         static_cast<uint8_t>(payload[1]);
}

std::string WsFrame::close_reason() const {
  return payload.size() > 2 ? payload.substr(2) : std::string();
}

size_t parse_ws_frames(std::string_view data, std::vector<WsFrame>& out) {
  size_t pos = 0;
  for (;;) {
    if (data.size() - pos < 2) return pos;
    const auto* p = reinterpret_cast<const uint8_t*>(data.data()) + pos;
    WsFrame f;
    f.fin = (p[0] & 0x80) != 0;
    f.opcode = p[0] & 0x0F;
    f.masked = (p[1] & 0x80) != 0;
    uint64_t len = p[1] & 0x7F;
    size_t hdr = 2;
    if (len == 126) {
      if (data.size() - pos < 4) return pos;
      len = (uint64_t{p[2]} << 8) | p[3];
      hdr = 4;
    } else if (len == 127) {
      if (data.size() - pos < 10) return pos;
      len = 0;
      for (int i = 0; i < 8; ++i) len = (len << 8) | p[2 + i];
      hdr = 10;
    }
    size_t mask_len = f.masked ? 4 : 0;
    if (data.size() - pos < hdr + mask_len + len) return pos;
    f.payload = std::string(data.substr(pos + hdr + mask_len, len));
    if (f.masked)
      for (size_t i = 0; i < f.payload.size(); ++i)
        f.payload[i] = static_cast<char>(f.payload[i] ^ p[hdr + (i % 4)]);
    out.push_back(std::move(f));
    pos += hdr + mask_len + len;
  }
}

std::string ws_client_frame(int opcode, std::string_view payload, bool fin) {
  static const uint8_t kMask[4] = {0x12, 0x34, 0x56, 0x78};
  std::string out;
  out.push_back(static_cast<char>((fin ? 0x80 : 0) | opcode));
  uint64_t len = payload.size();
  if (len < 126) {
    out.push_back(static_cast<char>(0x80 | len));
  } else if (len <= 0xFFFF) {
    out.push_back(static_cast<char>(0x80 | 126));
    out.push_back(static_cast<char>(len >> 8));
    out.push_back(static_cast<char>(len & 0xFF));
  } else {
    out.push_back(static_cast<char>(0x80 | 127));
    for (int i = 7; i >= 0; --i)
      out.push_back(static_cast<char>(len >> (8 * i)));
  }
  out.append(reinterpret_cast<const char*>(kMask), 4);
  for (size_t i = 0; i < payload.size(); ++i)
    out.push_back(static_cast<char>(payload[i] ^ kMask[i % 4]));
  return out;
}

std::string ws_close_payload(int code, std::string_view reason) {
  std::string p;
  p.push_back(static_cast<char>(code >> 8));
  p.push_back(static_cast<char>(code & 0xFF));
  p.append(reason);
  return p;
}

std::string http_request(std::string_view method, std::string_view target,
                         std::vector<std::string> headers,
                         std::optional<std::string> body,
                         std::string_view version) {
  std::string r;
  r.append(method).append(" ").append(target).append(" ").append(version);
  r.append("\r\nHost: 127.0.0.1:8081\r\n");
  for (const auto& h : headers) r.append(h).append("\r\n");
  if (body)
    r.append("Content-Length: " + std::to_string(body->size()) + "\r\n");
  r.append("\r\n");
  if (body) r.append(*body);
  return r;
}

std::string repeat(std::string_view s, size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (size_t i = 0; i < n; ++i) out.append(s);
  return out;
}

// ------------------------------------------------------------------ Harness

std::string ws_upgrade(const std::string& path, const char* version) {
  std::vector<std::string> hs = {"Upgrade: websocket", "Connection: Upgrade",
                                 std::string("Sec-WebSocket-Key: ") + kKey,
                                 "Sec-WebSocket-Origin: http://asd",
                                 "Origin: http://127.0.0.1:8081"};
  if (version) hs.push_back(std::string("Sec-WebSocket-Version: ") + version);
  return http_request("GET", path, hs);
}

WsClient::WsClient(Harness& harness, const std::string& path) : h(harness) {
  st = h.open_stream();
  h.feed(st, ws_upgrade(path));
  auto r = h.response_on(st);
  EXPECT_TRUE(r.has_value());
  if (r) handshake = *r;
  EXPECT_EQ(handshake.status, 101);
}

std::vector<WsFrame> WsClient::frames() {
  buf += h.take_received(st);
  std::vector<WsFrame> out;
  size_t used = parse_ws_frames(buf, out);
  buf.erase(0, used);
  for (const WsFrame& f : out) EXPECT_FALSE(f.masked);
  return out;
}

std::vector<std::string> WsClient::texts() {
  std::vector<std::string> out;
  for (const WsFrame& f : frames()) {
    EXPECT_EQ(f.opcode, 1);
    out.push_back(f.payload);
  }
  return out;
}

Harness::Harness(Config cfg) : cfg_(cfg) {
  sockjs_server_options* so = nullptr;
  EXPECT_EQ(sockjs_server_options_new(&so), SOCKJS_OK);
  if (cfg_.max_head)
    EXPECT_EQ(
        sockjs_server_options_set_max_request_head_size(so, cfg_.max_head),
        SOCKJS_OK);
  if (cfg_.node_id)
    EXPECT_EQ(sockjs_server_options_set_node_id(so, cfg_.node_id), SOCKJS_OK);
  if (cfg_.request_timeout_ms)
    EXPECT_EQ(sockjs_server_options_set_request_timeout_ms(
                  so, cfg_.request_timeout_ms),
              SOCKJS_OK);
  char err[SOCKJS_ERRBUF_SIZE] = {0};
  EXPECT_EQ(sockjs_server_new(so, &srv_, err), SOCKJS_OK) << err;
  sockjs_server_options_free(so);

  struct Spec {
    const char* prefix;
    ServiceId id;
  };
  const Spec specs[] = {{"/echo", kEcho},
                        {"/disabled_websocket_echo", kWsOff},
                        {"/cookie_needed_echo", kCookie},
                        {"/close", kClose}};
  for (const Spec& sp : specs) {
    sockjs_options* o = nullptr;
    EXPECT_EQ(sockjs_options_new(&o), SOCKJS_OK);
    EXPECT_EQ(sockjs_options_set_prefix(o, sp.prefix), SOCKJS_OK);
    EXPECT_EQ(sockjs_options_set_sockjs_url(o, "/static/sockjs.min.js"),
              SOCKJS_OK);
    if (sp.id == kEcho)
      EXPECT_EQ(sockjs_options_set_response_limit(o, 4096), SOCKJS_OK);
    if (sp.id == kWsOff)
      EXPECT_EQ(sockjs_options_set_websocket(o, 0), SOCKJS_OK);
    if (sp.id == kCookie)
      EXPECT_EQ(sockjs_options_set_jsessionid(o, 1), SOCKJS_OK);
    EXPECT_EQ(sockjs_options_set_heartbeat_delay_ms(o, cfg_.heartbeat_ms),
              SOCKJS_OK);
    EXPECT_EQ(sockjs_options_set_disconnect_delay_ms(o, cfg_.disconnect_ms),
              SOCKJS_OK);
    if (cfg_.send_buffer_limit)
      EXPECT_EQ(sockjs_options_set_send_buffer_limit(o, cfg_.send_buffer_limit),
                SOCKJS_OK);
    if (cfg_.max_message_size)
      EXPECT_EQ(sockjs_options_set_max_message_size(o, cfg_.max_message_size),
                SOCKJS_OK);
    int id = -1;
    EXPECT_EQ(sockjs_server_add_service(srv_, o, &id), SOCKJS_OK);
    EXPECT_EQ(id, sp.id);
    sockjs_options_free(o);
  }
  EXPECT_EQ(sockjs_server_tick(srv_, now_), SOCKJS_OK);
}

Harness::~Harness() { sockjs_server_free(srv_); }

sockjs_stream_id Harness::open_stream() {
  sockjs_stream_id st = 0;
  EXPECT_EQ(sockjs_server_stream_open(srv_, "127.0.0.1", 40000, &st),
            SOCKJS_OK);
  received_[st];
  pump();
  return st;
}

void Harness::feed(sockjs_stream_id st, std::string_view bytes) {
  int64_t n = sockjs_server_feed(
      srv_, st, reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  EXPECT_EQ(n, static_cast<int64_t>(bytes.size()));
  pump();
}

const std::string& Harness::read(sockjs_stream_id st) {
  std::string& buf = received_[st];
  if (!stream_exists(st)) return buf;
  const uint8_t* out = nullptr;
  int64_t n = sockjs_server_output(srv_, st, &out);
  EXPECT_GE(n, 0);
  if (n > 0) {
    buf.append(reinterpret_cast<const char*>(out), static_cast<size_t>(n));
    EXPECT_EQ(sockjs_server_output_consume(srv_, st, static_cast<size_t>(n)),
              SOCKJS_OK);
    pump();  // consuming can raise DRAIN
  }
  return buf;
}

std::string Harness::take_received(sockjs_stream_id st) {
  read(st);
  std::string out;
  out.swap(received_[st]);
  return out;
}

std::string Harness::pending_output(sockjs_stream_id st) const {
  const uint8_t* out = nullptr;
  int64_t n = sockjs_server_output(srv_, st, &out);
  if (n <= 0) return {};
  return std::string(reinterpret_cast<const char*>(out),
                     static_cast<size_t>(n));
}

bool Harness::wants_close(sockjs_stream_id st) const {
  int r = sockjs_server_stream_wants_close(srv_, st);
  EXPECT_GE(r, 0);
  return r == 1;
}

bool Harness::stream_exists(sockjs_stream_id st) const {
  return sockjs_server_stream_wants_close(srv_, st) >= 0;
}

void Harness::close_stream(sockjs_stream_id st) {
  EXPECT_EQ(sockjs_server_stream_close(srv_, st), SOCKJS_OK);
  pump();
}

void Harness::advance(uint64_t ms) {
  now_ += ms;
  EXPECT_EQ(sockjs_server_tick(srv_, now_), SOCKJS_OK);
  pump();
}

bool poll_copy(sockjs_server* srv, std::vector<Ev>& out) {
  out.clear();
  sockjs_event evs[16];
  evs[0].size = sizeof(sockjs_event);
  size_t n = 0;
  int rc = sockjs_server_poll(srv, evs, 16, &n);
  if (rc == SOCKJS_E_AGAIN) return false;
  EXPECT_EQ(rc, SOCKJS_OK) << sockjs_status_name(rc);
  if (rc != SOCKJS_OK) return false;
  for (size_t i = 0; i < n; ++i) {
    Ev e;
    e.type = evs[i].type;
    e.service = evs[i].service;
    e.conn = evs[i].conn;
    e.data.assign(evs[i].data, evs[i].len);
    e.code = evs[i].code;
    out.push_back(std::move(e));
  }
  return true;
}

void Harness::pump() {
  std::vector<Ev> batch;
  while (poll_copy(srv_, batch)) {
    // Play the testserver's application after copying (pointers expire).
    for (const Ev& e : batch) {
      events_.push_back(e);
      if (e.type == SOCKJS_EVENT_OPEN && e.service == kClose) {
        EXPECT_EQ(sockjs_conn_close(srv_, e.conn, 3000, "Go away!"), SOCKJS_OK);
      } else if (e.type == SOCKJS_EVENT_MESSAGE && cfg_.echo &&
                 e.service != kClose) {
        int rc2 = sockjs_conn_send(srv_, e.conn, e.data.data(), e.data.size());
        EXPECT_TRUE(rc2 == SOCKJS_OK || rc2 == SOCKJS_E_CLOSED ||
                    rc2 == SOCKJS_E_UNKNOWN_CONN)
            << sockjs_status_name(rc2);
      }
    }
  }
}

Response Harness::request(std::string_view raw, sockjs_stream_id* st) {
  sockjs_stream_id id = open_stream();
  if (st) *st = id;
  feed(id, raw);
  bool head = raw.substr(0, 5) == "HEAD ";
  auto r = response_on(id, head);
  return r ? *r : Response{};
}

std::optional<Response> Harness::response_on(sockjs_stream_id st,
                                             bool head_request) {
  read(st);
  std::string& buf = received_[st];
  bool eof =
      !stream_exists(st) || (wants_close(st) && pending_output(st).empty());
  auto r = parse_response(buf, eof, head_request);
  if (r && r->complete) buf.erase(0, r->consumed);
  return r;
}

Response Harness::post(std::string_view path, std::string_view body,
                       std::vector<std::string> headers, sockjs_stream_id* st) {
  return request(
      http_request("POST", path, std::move(headers), std::string(body)), st);
}

Response Harness::get(std::string_view path, std::vector<std::string> headers,
                      sockjs_stream_id* st) {
  return request(http_request("GET", path, std::move(headers)), st);
}

std::vector<Ev> Harness::events_of(int type) const {
  std::vector<Ev> out;
  for (const Ev& e : events_)
    if (e.type == type) out.push_back(e);
  return out;
}

sockjs_conn_id Harness::last_open() const {
  for (auto it = events_.rbegin(); it != events_.rend(); ++it)
    if (it->type == SOCKJS_EVENT_OPEN) return it->conn;
  return 0;
}

void Harness::expect_one_close_per_open(bool all_closed) const {
  std::map<sockjs_conn_id, int> opens, closes;
  for (const Ev& e : events_) {
    if (e.type == SOCKJS_EVENT_OPEN) {
      EXPECT_EQ(closes[e.conn], 0) << "OPEN after CLOSE for " << e.conn;
      ++opens[e.conn];
    }
    if (e.type == SOCKJS_EVENT_CLOSE) ++closes[e.conn];
  }
  for (const auto& kv : opens) {
    EXPECT_EQ(kv.second, 1) << "conn " << kv.first;
    if (all_closed)
      EXPECT_EQ(closes[kv.first], 1) << "CLOSE events for conn " << kv.first;
    else
      EXPECT_LE(closes[kv.first], 1) << "CLOSE events for conn " << kv.first;
  }
  for (const auto& kv : closes)
    EXPECT_EQ(opens[kv.first], 1) << "CLOSE without OPEN for " << kv.first;
}

}  // namespace sockjs_test

namespace sockjs_test {

void expect_no_cache(const Response& r) {
  EXPECT_EQ(r.header("Cache-Control").value_or("<none>"), kNoCache);
  EXPECT_EQ(r.count("Cache-Control"), 1);
  EXPECT_FALSE(r.has("Expires"));
  EXPECT_FALSE(r.has("Last-Modified"));
}

void expect_long_cache(const Response& r) {
  EXPECT_EQ(r.header("Cache-Control").value_or("<none>"),
            "public, max-age=31536000");
  auto exp = r.header("Expires");
  ASSERT_TRUE(exp.has_value());
  // "Fri, 26 Nov 2027 02:59:18 GMT": 29 characters, ending in GMT.
  EXPECT_EQ(exp->size(), 29u) << *exp;
  EXPECT_EQ(exp->substr(exp->size() - 4), " GMT") << *exp;
  EXPECT_EQ((*exp)[3], ',') << *exp;
}

void expect_cors(const Response& r, std::optional<std::string> origin) {
  if (origin) {
    EXPECT_EQ(r.header("Access-Control-Allow-Origin").value_or("<none>"),
              *origin);
    EXPECT_EQ(r.header("Access-Control-Allow-Credentials").value_or("<none>"),
              "true");
  } else {
    EXPECT_EQ(r.header("Access-Control-Allow-Origin").value_or("<none>"), "*");
    EXPECT_FALSE(r.has("Access-Control-Allow-Credentials"));
  }
  EXPECT_EQ(r.header("Vary").value_or("<none>"), "Origin");
}

void expect_no_cors(const Response& r) {
  EXPECT_FALSE(r.has("Access-Control-Allow-Origin"));
  EXPECT_FALSE(r.has("Access-Control-Allow-Credentials"));
  EXPECT_FALSE(r.has("Access-Control-Allow-Headers"));
  EXPECT_FALSE(r.has("Vary"));
}

void expect_no_cookie(const Response& r) { EXPECT_FALSE(r.has("Set-Cookie")); }

std::string fresh_id() {
  static int n = 0;
  return "s" + std::to_string(++n) + "x";
}

}  // namespace sockjs_test
