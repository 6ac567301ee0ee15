// One run's figures, printed as a single JSON line on stdout so that
// bench/compare (or anyone) can parse it.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "proc_stats.hpp"

namespace bench {

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
};

void print_json(RunResult &r);

}  // namespace bench
