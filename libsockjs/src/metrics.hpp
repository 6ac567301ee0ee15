// Counters and gauges of one server, written by the engine thread (and by
// send on any thread) with relaxed atomics, read from any thread. Each value
// is exact on its own; a snapshot is not one instant across all of them.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "backplane/backplane_options.hpp"
#include "options.hpp"

namespace sockjs {

// Limits whose hits are counted (and logged as warnings).
enum class Limit : uint8_t {
  request_head,     // 431: request line + headers too large or too many
  request_body,     // 413: body over max_message_size
  request_timeout,  // 408: head not complete within request_timeout
  sessions,         // 503: max_sessions reached
  connections,      // mode A: max_connections reached, socket refused
  message_size,     // 1009: WebSocket message over max_message_size
  input_buffer,     // pipelined input over its bound: connection dropped
  count_,
};
constexpr int kLimitCount = static_cast<int>(Limit::count_);
const char* limit_name(Limit l);

struct ServiceMetrics {
  explicit ServiceMetrics(std::string p) : prefix(std::move(p)) {}
  const std::string prefix;
  std::atomic<int64_t> open[kTransportCount] = {};
  std::atomic<uint64_t> opened[kTransportCount] = {};
  std::atomic<uint64_t> closed[kTransportCount] = {};
  std::atomic<uint64_t> rejected{0};
  std::atomic<uint64_t> messages_in{0}, messages_out{0};
  std::atomic<uint64_t> bytes_in{0}, bytes_out{0};
  std::atomic<uint64_t> send_refused{0};
  std::atomic<uint64_t> published{0};        // publish calls applied here
  std::atomic<uint64_t> publish_dropped{0};  // members skipped: buffer full
};

// One value of a snapshot; every string is static or owned by Metrics.
struct MetricSample {
  const char* name;
  int type;  // 1 counter, 2 gauge (sockjs_metric_type)
  int service;
  const char* transport;  // "" when none
  const char* label;      // limit name; "" when none
  int code;               // HTTP status; 0 when none
  uint64_t value;
};

class Metrics {
 public:
  static constexpr int kMaxStatus = 600;

  // Before the server starts (services are fixed from then on).
  void add_service(const std::string& prefix);
  size_t service_count() const { return services_.size(); }
  ServiceMetrics& service(int id) {
    return *services_[static_cast<size_t>(id)];
  }

  void http_status(int status) {
    if (status >= 100 && status < kMaxStatus)
      http_[status].fetch_add(1, std::memory_order_relaxed);
  }
  void limit_hit(Limit l) {
    limits_[static_cast<int>(l)].fetch_add(1, std::memory_order_relaxed);
  }
  void connection_opened() {
    connections_open_.fetch_add(1, std::memory_order_relaxed);
    connections_total_.fetch_add(1, std::memory_order_relaxed);
  }
  void connection_closed() {
    connections_open_.fetch_sub(1, std::memory_order_relaxed);
  }

  // Written by the backplane on the I/O thread (all zero without one).
  BackplaneMetrics backplane;

  void snapshot(std::vector<MetricSample>& out) const;
  // Prometheus text exposition format 0.0.4.
  std::string prometheus() const;

 private:
  std::vector<std::unique_ptr<ServiceMetrics>> services_;
  std::atomic<int64_t> connections_open_{0};
  std::atomic<uint64_t> connections_total_{0};
  std::atomic<uint64_t> http_[kMaxStatus] = {};
  std::atomic<uint64_t> limits_[kLimitCount] = {};
};

}  // namespace sockjs
