// The load client's modes. Each one connects its sessions, samples the
// server process, runs its bounded workload, validates every payload it gets
// back, samples again and returns the figures.
#pragma once
#include <netinet/in.h>
#include <sys/types.h>

#include <string>

#include "report.hpp"

namespace bench {

struct Config {
  sockaddr_in server{};
  std::string host_header;  // "127.0.0.1:port"
  pid_t server_pid = 0;     // sampled via /proc; 0 = no server figures
  uint64_t sessions = 100;  // C (storm: N)
  uint64_t inflight =
      1;               // K messages in flight per session (broadcast: in total)
  uint64_t size = 32;  // S bytes per message
  uint64_t duration_ms = 3000;
  uint64_t max_ops = 1000000;          // stop sending after this many
  uint64_t open_timeout_ms = 30000;    // for opening all sessions
  uint64_t connect_concurrency = 128;  // handshakes in progress at once
  uint64_t sources = 1;  // 127.0.0.1 .. 127.0.0.N as source addresses
  uint64_t hold_ms = 0;  // storm: keep sessions open this long at the end
  std::string tag;       // makes session ids unique per run
};

RunResult run_ws_echo(const Config &c, bool raw);
RunResult run_xhr_echo(const Config &c);
RunResult run_storm(const Config &c);
RunResult run_broadcast(const Config &c);

// Source address (host order) for connection i; 0 means "any".
uint32_t source_for(const Config &c, uint64_t i);

}  // namespace bench
