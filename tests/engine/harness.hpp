// Test harness for the engine in feed mode: a sockjs_server with the
// conformance suite's four services, driven through the public C API with a
// fake clock, plus small HTTP and WebSocket codecs to read what it writes.
#pragma once
#include <gtest/gtest.h>
#include <sockjs.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sockjs_test {

// Service ids, in the order the harness adds them (as the testserver does).
enum ServiceId { kEcho = 0, kWsOff = 1, kCookie = 2, kClose = 3 };

// Options applied to every service and to the server.
struct Config {
  uint32_t heartbeat_ms = 25000;
  uint32_t disconnect_ms = 5000;
  size_t send_buffer_limit = 0;  // 0: library default
  size_t max_message_size = 0;   // 0: library default
  size_t max_head = 0;           // 0: library default
  uint32_t request_timeout_ms = 0;
  bool echo = true;  // the application echoes messages on echo services
  unsigned node_id = 0;
};

// One event as the application saw it (strings copied out of the poll).
struct Ev {
  int type = 0;
  int service = 0;
  sockjs_conn_id conn = 0;
  std::string data;
  int code = 0;
};

// Polls one batch of events into out (cleared first), copying what the
// event pointers show (they expire at the next poll). False when nothing
// was pending; a poll error fails the test.
bool poll_copy(sockjs_server* srv, std::vector<Ev>& out);

// A parsed HTTP response.
struct Response {
  int status = 0;
  std::string version;  // "HTTP/1.1"
  std::string reason;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;                 // all body bytes, de-chunked
  std::vector<std::string> chunks;  // chunk payloads in order (chunked only)
  bool chunked = false;
  bool close_delimited = false;
  bool complete = false;    // the whole body (and the last chunk) arrived
  bool last_chunk = false;  // chunked: the zero-length chunk arrived
  size_t consumed = 0;      // bytes of the input this response used

  // First value of a header, case-insensitive name; nullopt when absent.
  std::optional<std::string> header(std::string_view name) const;
  bool has(std::string_view name) const { return header(name).has_value(); }
  int count(std::string_view name) const;
};

// Parses one response from the start of data. `eof`: the connection is
// closed, so a close-delimited body is complete. Returns nullopt while the
// head is incomplete.
std::optional<Response> parse_response(std::string_view data, bool eof,
                                       bool head_request = false);

// A WebSocket frame from the server.
struct WsFrame {
  bool fin = true;
  int opcode = 0;
  bool masked = false;
  std::string payload;
  int close_code() const;            // for close frames; -1 when none
  std::string close_reason() const;  // for close frames
};
// Parses complete frames from the start of data; returns bytes used.
size_t parse_ws_frames(std::string_view data, std::vector<WsFrame>& out);
// A masked client frame.
std::string ws_client_frame(int opcode, std::string_view payload,
                            bool fin = true);
std::string ws_close_payload(int code, std::string_view reason);

// Builds a raw HTTP request. `headers` are full lines without CRLF.
std::string http_request(std::string_view method, std::string_view target,
                         std::vector<std::string> headers = {},
                         std::optional<std::string> body = std::nullopt,
                         std::string_view version = "HTTP/1.1");

class Harness {
 public:
  explicit Harness(Config cfg = {});
  ~Harness();
  Harness(const Harness&) = delete;
  Harness& operator=(const Harness&) = delete;

  sockjs_server* server() const { return srv_; }
  uint64_t now() const { return now_; }

  sockjs_stream_id open_stream();
  // Feeds bytes, then lets the application react to what happened.
  void feed(sockjs_stream_id st, std::string_view bytes);
  // Moves output into the stream's received buffer (as if written to the
  // socket) and returns everything received on it so far.
  const std::string& read(sockjs_stream_id st);
  // The received bytes not yet taken by next_response/take_received.
  std::string take_received(sockjs_stream_id st);
  // Output the server holds for the stream, not consumed.
  std::string pending_output(sockjs_stream_id st) const;
  bool wants_close(sockjs_stream_id st) const;
  bool stream_exists(sockjs_stream_id st) const;
  // The peer closed the connection.
  void close_stream(sockjs_stream_id st);
  // Advances the fake clock and runs the timers that are due.
  void advance(uint64_t ms);
  // Drains the event queue, recording events and playing the application.
  void pump();

  // Opens a stream, sends one request, and returns the (possibly partial)
  // response. The stream stays open; its id goes to *st when given.
  Response request(std::string_view raw, sockjs_stream_id* st = nullptr);
  // Reads output and parses the next response on the stream, removing its
  // bytes from the received buffer once complete. nullopt: no head yet.
  std::optional<Response> response_on(sockjs_stream_id st,
                                      bool head_request = false);

  // Convenience: POST/GET on a URL with no extra headers.
  Response post(std::string_view path, std::string_view body = {},
                std::vector<std::string> headers = {},
                sockjs_stream_id* st = nullptr);
  Response get(std::string_view path, std::vector<std::string> headers = {},
               sockjs_stream_id* st = nullptr);

  // Events recorded so far (all of them; tests may clear the vector).
  std::vector<Ev>& events() { return events_; }
  std::vector<Ev> events_of(int type) const;
  // The conn id of the latest OPEN event, or 0.
  sockjs_conn_id last_open() const;
  // Every CLOSE follows exactly one OPEN of its conn, at most one CLOSE per
  // conn; with all_closed, every OPEN has its CLOSE.
  void expect_one_close_per_open(bool all_closed = true) const;

  // When false, MESSAGE events are recorded but not echoed.
  void set_echo(bool on) { cfg_.echo = on; }

 private:
  Config cfg_;
  sockjs_server* srv_ = nullptr;
  uint64_t now_ = 1000;
  std::vector<Ev> events_;
  std::map<sockjs_stream_id, std::string> received_;
};

// The RFC 6455 sample key and its accept value.
constexpr const char* kKey = "x3JJHMbDL1EzLkh9GBhXDw==";
constexpr const char* kAccept = "HSmrc0sMlYUkAGmm5OPpG2HaGWk=";

// A WebSocket upgrade request for path (version NULL: no version header).
std::string ws_upgrade(const std::string& path, const char* version = "13");

// A connected RFC 6455 client on one stream.
struct WsClient {
  Harness& h;
  sockjs_stream_id st = 0;
  Response handshake;
  std::string buf;  // received, not yet parsed

  WsClient(Harness& harness, const std::string& path);
  void send_text(std::string_view text) {
    h.feed(st, ws_client_frame(1, text));
  }
  // Frames received since the last call.
  std::vector<WsFrame> frames();
  // Text payloads of the frames received since the last call.
  std::vector<std::string> texts();
};

std::string repeat(std::string_view s, size_t n);

// Header checks shared by many tests (PROTOCOL.md section 2).
constexpr const char* kNoCache =
    "no-store, no-cache, no-transform, must-revalidate, max-age=0";
// No caching: the exact Cache-Control, no Expires, no Last-Modified.
void expect_no_cache(const Response& r);
// Cached for a year: public, max-age=31536000 and an RFC 1123 Expires.
void expect_long_cache(const Response& r);
// CORS of section 2.3: origin echoed with credentials, or "*" without.
void expect_cors(const Response& r, std::optional<std::string> origin);
// No CORS headers at all.
void expect_no_cors(const Response& r);
void expect_no_cookie(const Response& r);
// A unique path segment for a session id, per test process.
std::string fresh_id();

}  // namespace sockjs_test
