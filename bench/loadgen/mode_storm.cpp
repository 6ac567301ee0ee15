// Connection storm: N SockJS WebSocket sessions opened (at most
// `connect_concurrency` handshakes at once) and held. Figures: server CPU
// per open, open latency (connect to `o` frame), and server RSS growth per
// session held.
#include <memory>

#include "modes.hpp"
#include "ws_client.hpp"

namespace bench {

namespace {

struct StormRun {
  explicit StormRun(RunResult &r) : res(r) {}
  RunResult &res;
  uint64_t opened = 0, failed = 0;
  void error(const std::string &why) {
    ++failed;
    if (res.errors++ == 0) res.first_error = why;
  }
};

class StormSession : public WsConn {
 public:
  StormSession(Loop &loop, StormRun &run, std::string path, std::string host)
      : WsConn(loop, std::move(path), std::move(host)),
        run_(run),
        started_us_(now_us()) {}

 private:
  void on_message(std::string_view text) override {
    if (!text.empty() && text[0] == 'h') return;
    if (opened_ || text != "o") {
      run_.error("unexpected frame: " + std::string(text.substr(0, 40)));
      close_now();
      return;
    }
    opened_ = true;
    ++run_.opened;
    ++run_.res.ops;
    run_.res.latencies_us.push_back(uint32_t(now_us() - started_us_));
  }
  void on_failed(const char *why) override {
    if (opened_) --run_.opened;
    run_.error(why);
  }
  StormRun &run_;
  uint64_t started_us_;
  bool opened_ = false;
};

}  // namespace

RunResult run_storm(const Config &cfg) {
  RunResult res;
  res.mode = "storm";
  res.unit = "open";
  res.sessions = cfg.sessions;
  res.rss_per_session = true;
  StormRun run(res);
  Loop loop;
  std::vector<std::unique_ptr<StormSession>> sessions;
  sessions.reserve(cfg.sessions);
  res.before = sample_processes(cfg.server_pids);
  uint64_t t0 = now_us();
  uint64_t deadline = t0 + cfg.open_timeout_ms * 1000;
  for (uint64_t i = 0; i < cfg.sessions; ++i) {
    std::string path =
        "/echo/000/" + cfg.tag + "s" + std::to_string(i) + "/websocket";
    sessions.push_back(
        std::make_unique<StormSession>(loop, run, path, cfg.host_header));
    if (!sessions.back()->connect_to(cfg.server, source_for(cfg, i))) {
      run.error("connect failed (fd limit or ports?)");
      break;
    }
    if (!loop.run(
            [&] {
              return i + 1 - run.opened - run.failed < cfg.connect_concurrency;
            },
            deadline))
      break;
  }
  bool all = loop.run(
      [&] { return run.opened + run.failed >= sessions.size(); }, deadline);
  res.wall_s = double(now_us() - t0) / 1e6;
  res.after = sample_processes(cfg.server_pids);
  if (!all || run.opened < cfg.sessions)
    run.error("opened " + std::to_string(run.opened) + " of " +
              std::to_string(cfg.sessions));
  res.sessions = run.opened;  // RSS growth is divided by sessions actually held
  if (cfg.hold_ms)
    loop.run([] { return false; }, now_us() + cfg.hold_ms * 1000);
  return res;
}

}  // namespace bench
