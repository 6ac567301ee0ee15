// One run's figures, printed as a single JSON line on stdout so that
// bench/compare (or anyone) can parse it.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "proc_stats.hpp"

namespace bench {

// Broadcast over several nodes, or with --allow-loss: what the members on
// one server port got.
struct PortReport {
  int port = 0;
  uint64_t members = 0, ops = 0;
  std::vector<uint32_t> latencies_us;
  uint64_t received_min = 0, received_max = 0;
  uint64_t missing_total = 0, missing_min = 0, missing_max = 0;
  uint64_t members_with_loss = 0;
  // Send times (ms after sending began) of the first and last message any
  // member here missed; -1 when none was missed.
  double first_missing_ms = -1, last_missing_ms = -1;
};

// --allow-loss: one member's count (port = index into the port list).
struct MemberReport {
  unsigned port_index = 0;
  uint64_t received = 0, missing = 0, gaps = 0;
};

struct RunResult {
  std::string mode;
  std::string unit =
      "message";  // what one "op" is: message, round trip, open, delivery
  uint64_t sessions = 0, inflight = 0, size = 0;
  uint64_t ops = 0;     // completed and validated operations
  uint64_t errors = 0;  // validation failures, unexpected closes
  std::string first_error;
  double wall_s = 0;
  ProcSample before, after;
  std::vector<uint32_t> latencies_us;
  bool rss_per_session = false;  // storm: report RSS growth per session
  // Broadcast only.
  uint64_t messages = 0;  // messages the sender sent
  bool has_redis = false;
  ProcSample redis_before, redis_after;
  bool allow_loss = false;
  std::vector<PortReport> ports;      // printed when several, or allow_loss
  std::vector<MemberReport> members;  // printed with allow_loss
};

void print_json(RunResult &r);

}  // namespace bench
