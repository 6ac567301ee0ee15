// The load client's modes. Each one connects its sessions, samples the
// server process, runs its bounded workload, validates every payload it gets
// back, samples again and returns the figures.
#pragma once
#include <netinet/in.h>
#include <sys/types.h>

#include <string>
#include <vector>

#include "report.hpp"

namespace bench {

struct Config {
  sockaddr_in server{};     // the first of `servers`: all modes but broadcast
  std::string host_header;  // "127.0.0.1:port", for `server`
  // Broadcast only: several nodes of one cluster; member i talks to node
  // i % servers.size(), so the sender (member 0) is on the first.
  std::vector<sockaddr_in> servers;
  std::vector<std::string> host_headers;
  std::vector<int> ports;
  std::vector<pid_t> server_pids;  // sampled via /proc and summed; may be empty
  pid_t redis_pid = 0;             // broadcast: reported apart from the servers
  uint64_t sessions = 100;         // C (storm: N)
  uint64_t inflight =
      1;               // K messages in flight per session (broadcast: in total)
  uint64_t size = 32;  // S bytes per message
  uint64_t duration_ms = 3000;
  uint64_t max_ops = 1000000;          // stop sending after this many
  uint64_t open_timeout_ms = 30000;    // for opening all sessions
  uint64_t connect_concurrency = 128;  // handshakes in progress at once
  uint64_t sources = 1;  // 127.0.0.1 .. 127.0.0.N as source addresses
  uint64_t hold_ms = 0;  // storm: keep sessions open this long at the end
  // Broadcast: count missing messages per member instead of failing on them
  // (duplicates and reordering still fail); the sender's window then only
  // waits for the sender's own copy, so it keeps publishing through an
  // outage of the other nodes' path.
  bool allow_loss = false;
  uint64_t rate = 0;          // broadcast: messages per second at most; 0 = K
  uint64_t drain_ms = 10000;  // broadcast: wait for stragglers after sending
  bool announce = false;      // print "sending" on stderr when sending starts
  std::string tag;            // makes session ids unique per run
};

RunResult run_ws_echo(const Config &c, bool raw);
RunResult run_xhr_echo(const Config &c);
RunResult run_storm(const Config &c);
RunResult run_broadcast(const Config &c);

// Source address (host order) for connection i; 0 means "any".
uint32_t source_for(const Config &c, uint64_t i);

}  // namespace bench
