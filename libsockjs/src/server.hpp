// sockjs::Server: services, mode selection (listen vs feed), the event
// queue, and the thread-safe front of send/close/respond. The C ABI in
// capi.cpp is a thin shell over this class.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "conn_table.hpp"
#include "engine.hpp"
#include "event_queue.hpp"
#include "metrics.hpp"
#include "options.hpp"
#include "status.hpp"

namespace sockjs {

class LibeventRunner;

class Server {
 public:
  explicit Server(const ServerOptions& opts);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  Status add_service(const ServiceOptions& opts, int* id);
  Status listen(const char* host, uint16_t port, uint16_t* bound,
                std::string& error);
  Status close();
  EventQueue& queue() { return queue_; }

  // both modes
  Status send(uint64_t conn, std::string_view text);
  Status close_conn(uint64_t conn, int code, std::string_view reason);
  Status respond(uint64_t request, int status, std::string_view content_type,
                 std::string_view headers, std::string_view body);
  Status decide(uint64_t conn, bool accept, int code, std::string_view reason);
  Status join(uint64_t conn, std::string_view channel);
  Status leave(uint64_t conn, std::string_view channel);
  // whole_service: every session of the service, else channel's members.
  Status publish(int service, std::string_view channel, bool whole_service,
                 std::string_view text);
  // A session on this node: as send. On another node: through the
  // backplane.
  Status publish_to(uint64_t conn, std::string_view text);
  // Open sessions of a service (-1: all), ascending ids.
  Status list_sessions(int service, std::vector<uint64_t>& out) const;
  Status close_service_sessions(int service, int code, std::string_view reason,
                                size_t* closed);
  void metrics_snapshot(std::vector<MetricSample>& out) const;
  std::string metrics_prometheus() const;

  // feed mode
  Status stream_open(std::string_view addr, uint16_t port, uint64_t* out);
  Status feed(uint64_t st, const uint8_t* data, size_t len);
  Status output(uint64_t st, std::string_view& out);
  Status output_consume(uint64_t st, size_t n);
  Status wants_close(uint64_t st, bool& out) const;
  Status stream_close(uint64_t st);
  Status dirty_streams(uint64_t* ids, size_t max, size_t* n);
  int64_t next_timeout() const;
  Status tick(uint64_t now_ms);

 private:
  enum class Mode { unstarted, listening, feeding };
  Status ensure_feed_mode();
  // join/leave: the session must exist and be open.
  Status membership(bool join, uint64_t conn, std::string_view channel);
  void settle();  // feed mode: after each call into the engine

  ServerOptions sopts_;
  std::vector<ServiceOptions> services_;
  EventQueue queue_;
  ConnTable table_;
  Metrics metrics_;  // its service list is fixed once the server starts
  // Written under mode_mu_, read without it by the any-thread calls.
  std::atomic<Mode> mode_{Mode::unstarted};
  mutable std::mutex mode_mu_;
  std::atomic<bool> closing_{false};
  std::unique_ptr<LibeventRunner> runner_;
  std::unique_ptr<Engine> engine_;       // feed mode only
  std::vector<uint64_t> dirty_scratch_;  // feed mode: one dirty_streams call
  uint64_t clock_ = 0;
};

}  // namespace sockjs
