// sockjs-loadgen: the benchmark load client (see bench/README.md).
//   sockjs-loadgen --mode ws|raw|xhr|storm|broadcast --port P [--server-pid
//   PID]
//                  [--sessions C] [--inflight K] [--size S] [--duration-ms D]
//                  [--max-ops N] [--sources N] [--connect-concurrency N]
//                  [--open-timeout-ms T] [--hold-ms T]
// Prints one JSON line of figures; exits 1 if anything failed validation.
#include <arpa/inet.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

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
               "  [--open-timeout-ms T] [--hold-ms T]\n",
               argv0);
  std::exit(2);
}

}  // namespace

int main(int argc, char **argv) {
  bench::Config cfg;
  std::string mode, host = "127.0.0.1";
  int port = 0;
  for (int i = 1; i < argc; ++i) {
    auto arg = [&](const char *name) {
      return !std::strcmp(argv[i], name) && i + 1 < argc;
    };
    auto num = [&] { return std::strtoull(argv[++i], nullptr, 10); };
    if (arg("--mode"))
      mode = argv[++i];
    else if (arg("--host"))
      host = argv[++i];
    else if (arg("--port"))
      port = int(num());
    else if (arg("--server-pid"))
      cfg.server_pid = pid_t(num());
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
  if (mode.empty() || port <= 0 || port > 65535 || cfg.sessions == 0 ||
      cfg.inflight == 0)
    usage(argv[0]);
  // Loopback only: this tool generates load and must never aim elsewhere.
  if (inet_pton(AF_INET, host.c_str(), &cfg.server.sin_addr) != 1 ||
      (ntohl(cfg.server.sin_addr.s_addr) >> 24) != 127) {
    std::fprintf(stderr, "--host must be a 127.x.x.x address\n");
    return 2;
  }
  cfg.server.sin_family = AF_INET;
  cfg.server.sin_port = htons(uint16_t(port));
  cfg.host_header = host + ":" + std::to_string(port);
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
