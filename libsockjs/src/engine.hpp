// The sans-IO protocol engine: bytes in per stream (a host TCP connection),
// bytes out per stream, application events out, and a clock the driver sets.
// It never touches a socket, a thread or the system clock (except the
// wall-clock date in Expires headers). Everything here runs on one thread.
#pragma once
#include <cstdint>
#include <memory>
#include <queue>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "conn_info.hpp"
#include "conn_table.hpp"
#include "event_queue.hpp"
#include "http/parser.hpp"
#include "http/response.hpp"
#include "metrics.hpp"
#include "options.hpp"
#include "router.hpp"
#include "status.hpp"
#include "ws/deflate.hpp"
#include "ws/hixie76.hpp"
#include "ws/rfc6455.hpp"

namespace sockjs {

struct Session;

// A deadline that may be moved often but keeps at most one heap entry.
struct Timer {
  uint64_t deadline = 0;   // 0: not armed
  uint64_t queued_at = 0;  // time of this timer's heap entry; 0: none
};

enum class TimerKind : uint8_t {
  disconnect,
  heartbeat,
  pong,
  stream,
  shutdown,
  authorize
};

// How the body of the response in progress is delimited.
enum class Framing : uint8_t {
  none,             // no response in progress
  chunked,          // HTTP/1.1 streaming
  close_delimited,  // HTTP/1.0 streaming: the end is the socket's close
  deferred,         // polling: head and body are written with the one frame
};

enum class StreamMode : uint8_t {
  http,        // parsing requests
  websocket,   // RFC 6455 frames
  hixie_key3,  // hixie-76 101 sent, waiting for the 8 key bytes
  hixie,       // hixie-76 frames
  done,        // nothing more is read; close once output is written
};

// What a receiving request does with the frames it is given.
struct Receiver {
  Transport transport;
  bool streaming;
  size_t sent = 0;          // framed bytes written (response limit)
  std::string callback;     // jsonp and htmlfile
  http::ResponseHead head;  // deferred head for polling transports
};

struct WebSocketState {
  std::unique_ptr<ws::Rfc6455Decoder> rfc;
  std::unique_ptr<ws::Hixie76Decoder> hixie;
  // permessage-deflate, when negotiated; messages shorter than
  // deflate_threshold bytes go out uncompressed.
  std::unique_ptr<ws::PerMessageDeflate> deflate;
  size_t deflate_threshold = 0;
  // Only while a hixie-76 handshake waits for its 8 key bytes.
  struct HixieKeys {
    std::string key1, key2, key3;
  };
  std::unique_ptr<HixieKeys> hixie_keys;
};

struct Stream {
  Stream(uint64_t i, size_t max_head, size_t max_headers,
         http::RequestParser::HeadHook hook, void* eng)
      : id(i),
        parser(std::make_unique<http::RequestParser>(max_head, max_headers,
                                                     hook, this)),
        engine(eng) {}
  uint64_t id;
  StreamMode mode = StreamMode::http;
  Framing framing = Framing::none;
  bool busy = false;         // a request is being answered; input waits
  bool close_after = false;  // close once the current response ends
  bool wants_close = false;
  bool dirty = false;  // listed in the engine's dirty list
  bool resume_listed = false;
  bool peer_gone = false;
  // Freed once the connection becomes a WebSocket: an idle WebSocket should
  // not carry an HTTP parser.
  std::unique_ptr<http::RequestParser> parser;
  std::string in;   // input that arrived while busy
  std::string out;  // bytes to write
  size_t out_off = 0;
  Session* session = nullptr;          // receiver or WebSocket session
  std::unique_ptr<Receiver> recv;      // while an HTTP receiver
  std::unique_ptr<WebSocketState> ws;  // once upgraded
  uint64_t forwarded = 0;              // request id awaiting the host's answer
  Timer timeout;                       // request-head / idle timeout
  std::string remote_addr;
  uint16_t remote_port = 0;
  void* engine = nullptr;  // for the parser's head hook
  // For the request log line and the status metrics.
  uint64_t consumed_total = 0;   // output bytes the driver wrote
  uint64_t req_start_ms = 0;     // when the current request was complete
  uint64_t req_start_bytes = 0;  // produced() then
  int resp_status = 0;           // status of the response in progress

  uint64_t produced() const { return consumed_total + pending_output(); }

  size_t pending_output() const { return out.size() - out_off; }
};

// pending: OPEN reported, waiting for the application's accept/reject
// (authorize option); no open frame has gone out yet.
enum class SessionState : uint8_t {
  connecting,
  pending,
  open,
  closing,
  closed
};

struct Service {
  int id = 0;
  ServiceOptions opts;
  std::string iframe_body;
  std::string iframe_etag;
  std::unordered_map<std::string, Session*> sessions;  // HTTP sessions by id
  // Channel name -> its members (sessions of this service).
  std::unordered_map<std::string, std::unordered_set<Session*>> channels;
};

struct Session {
  uint64_t id = 0;
  Service* service = nullptr;
  std::string key;  // the client's session id; empty for WebSockets
  SessionState state = SessionState::connecting;
  Transport transport = Transport::xhr_polling;
  bool websocket = false;  // lives exactly as long as its stream
  bool raw = false;        // raw WebSocket: no SockJS framing
  bool hixie = false;
  bool flush_listed = false;
  bool need_open_frame = false;  // accepted while no receiver was attached
  std::string queue;             // escaped JSON strings joined by ','
  // While pending: messages from the client (delivered on accept) and, for
  // raw WebSockets, messages from the application (sent on accept).
  std::vector<std::string> held_in, held_out;
  size_t held_in_bytes = 0;
  size_t held_out_bytes = 0;  // counts against the send buffer limit
  Stream* receiver = nullptr;
  int close_code = 0;  // set once closing
  std::string close_reason;
  Timer disconnect, heartbeat, pong, authorize;
  std::shared_ptr<ConnShared> shared;
  std::shared_ptr<const ConnInfo> info;  // until the OPEN event takes it
  // The channels this session joined; allocated on the first join so that
  // sessions without channels stay small.
  std::unique_ptr<std::vector<std::string>> channels;
};

class Engine {
 public:
  class Host {
   public:
    virtual ~Host() = default;
    // False when the peer of the stream has already closed it (used to see
    // a client abort before answering "Another connection still open").
    virtual bool stream_alive(uint64_t stream) = 0;
  };

  Engine(const ServerOptions& sopts,
         const std::vector<ServiceOptions>& services, ConnTable& table,
         Metrics& metrics, Host* host);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // --- driver side
  void set_now(uint64_t now_ms) {
    if (now_ms > now_) now_ = now_ms;
  }
  uint64_t now() const { return now_; }
  uint64_t open_stream(std::string remote_addr, uint16_t remote_port);
  bool has_stream(uint64_t st) const { return streams_.count(st) != 0; }
  void feed(uint64_t st, const char* data, size_t len);
  std::string_view output(uint64_t st) const;
  void consume(uint64_t st, size_t n);
  bool wants_close(uint64_t st) const;
  void close_stream(uint64_t st);
  void run_timers();
  int64_t next_timeout() const;
  size_t stream_count() const { return streams_.size(); }

  // --- application side (already checked against the ConnTable)
  Status send(uint64_t conn, std::string_view text);
  Status close_conn(uint64_t conn, int code, std::string_view reason);
  // The application's decision on a pending session (authorize option).
  Status decide(uint64_t conn, bool accept, int code, std::string_view reason);
  Status respond(uint64_t request, int status, std::string_view content_type,
                 std::string_view headers, std::string_view body);
  // Channels (engine_channels.cpp). A channel belongs to one service.
  Status join(uint64_t conn, std::string_view channel);
  Status leave(uint64_t conn, std::string_view channel);
  // Queues text to every open (or undecided) session of the service that
  // joined channel, or to every session of the service when whole_service;
  // the JSON escaping is done once. Members whose send buffer is full miss
  // it (counted). Returns the number of sessions it was queued to.
  size_t publish(int service, std::string_view channel, bool whole_service,
                 std::string_view text);
  // A message for one session from another node: queued like a send, but
  // dropped (and counted) when the session is gone, closing, or over its
  // send-buffer limit. True when queued.
  bool publish_to_session(uint64_t conn, std::string_view text);
  // The service with exactly this prefix, or -1.
  int service_by_prefix(std::string_view prefix) const;
  void shutdown();
  bool shutdown_done() const { return shutdown_done_; }
  bool shutting_down() const { return shutting_down_; }

  // Call after every batch of calls above: flushes queued messages, resumes
  // streams whose response ended, updates send-buffer accounting.
  void finish_operation();
  // Streams with new output or a close request since the last take.
  // At most max of them; the rest stay listed for the next take.
  void take_dirty(std::vector<uint64_t>& out, size_t max = SIZE_MAX);
  std::vector<Event>& events() { return events_; }

  // LOG events (sockjs_log_level values).
  static constexpr int kDebug = 10, kInfo = 20, kWarning = 30, kError = 40;
  bool logging(int level) const {
    return sopts_.log_level != 0 && level >= sopts_.log_level;
  }
  void log(int level, int service, uint64_t conn, std::string text);
  // Counts a limit hit and logs it as a warning.
  void limit_hit(Limit which, std::string_view detail, int service = -1,
                 uint64_t conn = 0);

 private:
  struct TimerEntry {
    uint64_t at;
    uint64_t id;
    TimerKind kind;
    bool operator>(const TimerEntry& o) const { return at > o.at; }
  };

  static size_t on_request_head(void* ctx, http::Request& req);

  // input
  void process_input(Stream& s, const char* data, size_t len);
  void parse_http(Stream& s, const char*& data, size_t& len);
  void keep_rest(Stream& s, const char* data, size_t len);
  void handle_request(Stream& s);
  Service* find_service(std::string_view path, std::string_view& rest);
  // The request carries no Origin, or one the service's allow-list admits.
  bool origin_ok(const Service& svc, const http::Request& req) const;
  // max_sessions is reached: no new session may open.
  bool sessions_full() const;

  // response writing (engine_http.cpp)
  void write(Stream& s, std::string_view bytes);
  void mark_dirty(Stream& s);
  void respond_fixed(Stream& s, http::ResponseHead& head,
                     std::string_view body);
  void begin_streaming(Stream& s, http::ResponseHead& head);
  void write_body(Stream& s, std::string_view data);
  void end_response(Stream& s);
  void close_stream_after_output(Stream& s);
  void fail_request(Stream& s, int status);
  void arm_stream_timeout(Stream& s);

  // pages and headers (engine_pages.cpp)
  void add_cors(http::ResponseHead& h, const http::Request& req,
                const Service& svc, bool eventsource);
  void add_cookie(http::ResponseHead& h, const http::Request& req,
                  const Service& svc);
  void serve_greeting(Stream& s);
  void serve_iframe(Stream& s, Service& svc, const http::Request& req);
  void serve_info(Stream& s, Service& svc, const http::Request& req);
  void serve_options(Stream& s, Service& svc, const http::Request& req,
                     Route route);
  void serve_not_found(Stream& s, bool long_cache = false);
  void serve_not_allowed(Stream& s, Route route, const http::Request& req);
  void serve_text_error(Stream& s, int status, std::string_view text,
                        http::ResponseHead* base = nullptr);
  void forward_request(Stream& s, const http::Request& req);

  // sessions and receiving transports (engine_sessions.cpp)
  void handle_receive(Stream& s, Service& svc, Route route,
                      std::string_view key, const http::Request& req);
  void handle_send(Stream& s, Service& svc, Route route, std::string_view key,
                   const http::Request& req);
  Session* new_session(Service& svc, Transport t, const http::Request& req,
                       const Stream& s, std::string_view key);
  void write_prelude(Stream& s);
  void send_close_frame(Session& sess);
  uint64_t heartbeat_at(const Session& sess) const;
  void attach(Session& sess, Stream& s);
  void detach(Session& sess, bool ended_normally);
  void send_frame(Session& sess, std::string_view frame);
  void write_receiver_frame(Stream& s, std::string_view frame);
  void flush_session(Session& sess);
  void begin_close(Session& sess, int code, std::string_view reason);
  void teardown(Session& sess, int code, std::string_view reason);
  void deliver_messages(Session& sess, std::vector<std::string>& msgs);
  // Queues one outgoing message; escaped is text already JSON-escaped
  // (empty: escape here). The session is open or pending.
  void queue_message(Session& sess, std::string_view text,
                     std::string_view escaped);
  void leave_all_channels(Session& sess);
  // Queues a published message unless the session is over its send-buffer
  // limit (then counted as dropped); false when not queued.
  bool offer_published(Session& sess, std::string_view text,
                       std::string_view escaped);
  void update_buffered(Session& sess);
  // Bytes the engine holds for the session now (queue, held, output).
  int64_t held_bytes(const Session& sess) const;
  void list_for_flush(Session& sess);
  Session* find_session(uint64_t conn) const;

  // WebSockets (engine_websocket.cpp)
  void handle_websocket(Stream& s, Service& svc, bool raw,
                        const http::Request& req);
  void websocket_input(Stream& s, const char* data, size_t len);
  bool sockjs_text_message(Stream& s, Session& sess, std::string_view payload);
  void ws_send_text(Stream& s, std::string_view text);
  // Appends one text message frame, compressed when negotiated and long
  // enough.
  void ws_append_text(Stream& s, std::string_view text);
  void ws_send_sockjs_frame(Session& sess, std::string_view frame);
  void ws_finish(Stream& s, uint16_t ws_code, std::string_view ws_reason,
                 int event_code, std::string_view event_reason);
  void ws_heartbeat(Session& sess);

  // timers (engine.cpp)
  void arm(Timer& t, uint64_t at, TimerKind kind, uint64_t id);
  void fire(const TimerEntry& e);
  void reject(Session& sess, int code, std::string_view reason);
  void emit_open(Session& sess);
  void log_request(Stream& s);
  void finish_shutdown();

  ServerOptions sopts_;
  std::vector<std::unique_ptr<Service>> services_;  // by id
  std::vector<Service*> by_prefix_;                 // longest prefix first
  ConnTable& table_;
  Metrics& metrics_;
  Host* host_;
  uint64_t now_ = 0;
  uint64_t next_stream_ = 1;
  uint64_t next_conn_ = 1;
  std::unordered_map<uint64_t, std::unique_ptr<Stream>> streams_;
  std::unordered_map<uint64_t, std::unique_ptr<Session>> sessions_;
  std::unordered_map<uint64_t, uint64_t> forwarded_;  // request id -> stream
  std::priority_queue<TimerEntry, std::vector<TimerEntry>,
                      std::greater<TimerEntry>>
      timers_;
  std::vector<uint64_t> dirty_;
  std::vector<uint64_t> resume_;
  std::vector<uint64_t> flush_;  // session ids with queued messages
  std::vector<Event> events_;
  std::vector<std::string> scratch_msgs_;
  std::string scratch_deflate_;  // compressed payload being framed
  std::string scratch_escaped_;  // a published message, escaped once
  uint64_t entropy_state_;
  size_t max_stashed_input_ = 0;
  bool shutting_down_ = false;
  bool shutdown_done_ = false;
  Timer shutdown_timer_;
};

}  // namespace sockjs
