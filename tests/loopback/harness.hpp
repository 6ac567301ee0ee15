// A server under test plus the application side: creates a sockjs_server
// with some services, listens on 127.0.0.1:0 and (optionally) runs an
// application thread that drains events with sockjs_server_wait/poll,
// records them, and echoes messages back. Tests wait on the record.
#pragma once
#include <sockjs.h>

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace loopback {

// A copy of sockjs_conn_info, taken on the consumer thread.
struct InfoCopy {
  int service = 0;
  std::string prefix, transport, remote_addr, method, url;
  uint16_t remote_port = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  bool has_header(const std::string& name) const;
  std::string header(const std::string& name) const;
};

struct RecordedEvent {
  int type = 0;
  int service = 0;
  uint64_t conn = 0;
  std::string data;
  int code = 0;
  bool has_info = false;  // OPEN and REQUEST: conn_get_info succeeded
  InfoCopy info;
};

// Copies what sockjs_conn_get_info gives; false when it fails.
bool copy_info(sockjs_server* s, uint64_t conn, InfoCopy& out);

struct ServiceSpec {
  std::string prefix;
  std::function<void(sockjs_options*)> tweak;  // optional extra settings
};

struct HarnessConfig {
  std::vector<ServiceSpec> services{{"/echo", nullptr}};
  std::function<void(sockjs_server_options*)> server_tweak;
  bool app_thread = true;  // false: the test thread polls itself
  bool echo = true;        // the app thread sends every MESSAGE back
  // Runs on the app thread for every event, after it was recorded.
  std::function<void(sockjs_server*, const RecordedEvent&)> on_event;
};

// Sends `msg` to conn until refusals persist for stuck_ms: a burst can be
// refused while commands are in flight, but those drain into the kernel;
// only once the socket buffers are full too does the session stay over its
// limit. Returns how many sends were accepted, or -1 if sends never stayed
// refused (or failed otherwise). Bounded by max_sends.
long fill_until_stuck(sockjs_server* s, uint64_t conn, const std::string& msg,
                      int stuck_ms = 300, long max_sends = 200000);

class Harness {
 public:
  explicit Harness(HarnessConfig cfg = HarnessConfig());
  ~Harness();
  Harness(const Harness&) = delete;
  Harness& operator=(const Harness&) = delete;

  bool ok() const { return server_ != nullptr && port_ != 0; }
  const std::string& error() const { return error_; }
  sockjs_server* server() const { return server_; }
  uint16_t port() const { return port_; }

  std::vector<RecordedEvent> events() const;
  // Waits until pred(events) holds; false on timeout.
  bool wait_for(
      const std::function<bool(const std::vector<RecordedEvent>&)>& pred,
      int timeout_ms = 10000) const;
  // The conn id of the index-th OPEN event (0 on timeout).
  uint64_t wait_open(size_t index = 0, int timeout_ms = 10000) const;
  RecordedEvent open_event(uint64_t conn) const;
  bool wait_close(uint64_t conn, int timeout_ms = 10000) const;
  size_t count(int type, uint64_t conn = 0) const;  // conn 0: any
  int echo_failures() const;

  // sockjs_server_close, then waits for SERVER_CLOSED and joins the app
  // thread. True when SERVER_CLOSED arrived, was the last event, and
  // nothing could be polled after it.
  bool close_and_wait(int timeout_ms = 15000);
  // Stops the app thread and frees the server without closing it first.
  void free_now();

  // Test-thread helper when app_thread is false: poll once into the record.
  size_t poll_once(size_t max = 16);

 private:
  void run_app();
  void record(sockjs_server* s, const sockjs_event& e);
  void stop_app();

  HarnessConfig cfg_;
  sockjs_server* server_ = nullptr;
  uint16_t port_ = 0;
  std::string error_;
  std::thread app_;
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::vector<RecordedEvent> events_;
  int echo_failures_ = 0;
  bool stop_ = false;
  bool server_closed_ = false;
};

}  // namespace loopback
