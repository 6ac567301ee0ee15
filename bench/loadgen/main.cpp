// sockjs-loadgen: the benchmark load client (see bench/README.md).
//   sockjs-loadgen --mode ws|raw|xhr|storm|broadcast --port P
//                  [--server-pid PID[,PID...]]
//                  [--sessions C] [--inflight K] [--size S] [--duration-ms D]
//                  [--max-ops N] [--sources N] [--connect-concurrency N]
//                  [--open-timeout-ms T] [--hold-ms T]
//   broadcast only: --ports P1,P2,... instead of --port (members spread
//                  round-robin, the sender on P1), [--redis-pid PID]
//                  [--allow-loss] [--rate MSG_PER_S] [--drain-ms T]
//                  [--announce]
// Prints one JSON line of figures; exits 1 if anything failed validation.
#include <arpa/inet.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "loop.hpp"
#include "modes.hpp"

namespace {

void usage(const char *argv0) {
  std::fprintf(stderr,
               "usage: %s --mode ws|raw|xhr|storm|broadcast --port P [--host "
               "127.0.0.1]\n"
               "  [--server-pid PID] [--sessions C] [--inflight K] [--size S]\n"
               "  [--duration-ms D] [--max-ops N] [--sources N] "
               "[--connect-concurrency N]\n"
               "  [--open-timeout-ms T] [--hold-ms T]\n"
               "  broadcast: [--ports P1,P2,...] [--server-pid PID,PID,...]\n"
               "  [--redis-pid PID] [--allow-loss] [--rate MSG_PER_S] "
               "[--drain-ms T] [--announce]\n",
               argv0);
  std::exit(2);
}

// "1,2,3" -> {1,2,3}; false on anything but positive decimal numbers.
bool parse_list(const char *s, std::vector<unsigned long> &out) {
  out.clear();
  for (;;) {
    char *end = nullptr;
    unsigned long v = std::strtoul(s, &end, 10);
    if (end == s || v == 0) return false;
    out.push_back(v);
    if (*end == 0) return true;
    if (*end != ',') return false;
    s = end + 1;
  }
}

}  // namespace

int main(int argc, char **argv) {
  bench::Config cfg;
  std::string mode, host = "127.0.0.1";
  std::vector<unsigned long> ports, pids;
  for (int i = 1; i < argc; ++i) {
    auto arg = [&](const char *name) {
      return !std::strcmp(argv[i], name) && i + 1 < argc;
    };
    auto num = [&] { return std::strtoull(argv[++i], nullptr, 10); };
    if (arg("--mode"))
      mode = argv[++i];
    else if (arg("--host"))
      host = argv[++i];
    else if (arg("--port") || arg("--ports")) {
      if (!ports.empty() || !parse_list(argv[++i], ports)) usage(argv[0]);
    } else if (arg("--server-pid")) {
      if (!parse_list(argv[++i], pids)) usage(argv[0]);
    } else if (arg("--redis-pid"))
      cfg.redis_pid = pid_t(num());
    else if (!std::strcmp(argv[i], "--allow-loss"))
      cfg.allow_loss = true;
    else if (arg("--rate"))
      cfg.rate = num();
    else if (arg("--drain-ms"))
      cfg.drain_ms = num();
    else if (!std::strcmp(argv[i], "--announce"))
      cfg.announce = true;
    else if (arg("--sessions"))
      cfg.sessions = num();
    else if (arg("--inflight"))
      cfg.inflight = num();
    else if (arg("--size"))
      cfg.size = num();
    else if (arg("--duration-ms"))
      cfg.duration_ms = num();
    else if (arg("--max-ops"))
      cfg.max_ops = num();
    else if (arg("--sources"))
      cfg.sources = num();
    else if (arg("--connect-concurrency"))
      cfg.connect_concurrency = num();
    else if (arg("--open-timeout-ms"))
      cfg.open_timeout_ms = num();
    else if (arg("--hold-ms"))
      cfg.hold_ms = num();
    else
      usage(argv[0]);
  }
  if (mode.empty() || ports.empty() || cfg.sessions == 0 || cfg.inflight == 0)
    usage(argv[0]);
  if (mode != "broadcast" &&
      (ports.size() > 1 || pids.size() > 1 || cfg.redis_pid || cfg.allow_loss ||
       cfg.rate || cfg.announce)) {
    std::fprintf(stderr,
                 "several ports or server pids, --redis-pid, --allow-loss, "
                 "--rate and --announce are for --mode broadcast only\n");
    return 2;
  }
  for (unsigned long p : pids) cfg.server_pids.push_back(pid_t(p));
  // Loopback only: this tool generates load and must never aim elsewhere.
  sockaddr_in addr{};
  if (inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1 ||
      (ntohl(addr.sin_addr.s_addr) >> 24) != 127) {
    std::fprintf(stderr, "--host must be a 127.x.x.x address\n");
    return 2;
  }
  addr.sin_family = AF_INET;
  for (unsigned long p : ports) {
    if (p > 65535) usage(argv[0]);
    addr.sin_port = htons(uint16_t(p));
    cfg.servers.push_back(addr);
    cfg.host_headers.push_back(host + ":" + std::to_string(p));
    cfg.ports.push_back(int(p));
  }
  cfg.server = cfg.servers[0];
  cfg.host_header = cfg.host_headers[0];
  cfg.tag = "r" + std::to_string(getpid() % 100000);
  if (cfg.sources > 254) cfg.sources = 254;
  if (cfg.connect_concurrency == 0) cfg.connect_concurrency = 1;
  bench::raise_fd_limit();

  bench::RunResult r;
  if (mode == "ws")
    r = bench::run_ws_echo(cfg, false);
  else if (mode == "raw")
    r = bench::run_ws_echo(cfg, true);
  else if (mode == "xhr")
    r = bench::run_xhr_echo(cfg);
  else if (mode == "storm")
    r = bench::run_storm(cfg);
  else if (mode == "broadcast")
    r = bench::run_broadcast(cfg);
  else
    usage(argv[0]);
  bench::print_json(r);
  if (r.errors)
    std::fprintf(stderr, "sockjs-loadgen: %s\n", r.first_error.c_str());
  return (r.errors || r.ops == 0) ? 1 : 0;
}
