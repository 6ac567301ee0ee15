// What the load client reads about the server process from /proc: CPU time
// (all threads, from per-thread schedstat in ns, with utime+stime from
// /proc/PID/stat as a coarse cross-check) and resident memory (VmRSS).
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <vector>

namespace bench {

struct ProcSample {
  uint64_t cpu_ns = 0;       // sum of /proc/PID/task/*/schedstat run time
  uint64_t cpu_stat_us = 0;  // (utime+stime) of /proc/PID/stat, 10 ms ticks
  uint64_t rss_kb = 0;       // VmRSS
  bool ok = false;
};

ProcSample sample_process(pid_t pid);

// Several processes (the nodes of a cluster) taken as one server: every
// figure is the sum; ok only if every process could be read.
ProcSample sample_processes(const std::vector<pid_t> &pids);

}  // namespace bench
