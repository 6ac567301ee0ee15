// WebSocket echo, SockJS-framed (/echo/000/<id>/websocket) or raw
// (/echo/websocket): C sessions each keep K messages of S bytes in flight;
// every echo must equal the oldest message still in flight on its session.
#include <deque>
#include <memory>

#include "modes.hpp"
#include "sockjs_frame.hpp"
#include "ws_client.hpp"

namespace bench {

namespace {

struct EchoRun {
  EchoRun(const Config &c, RunResult &r, bool is_raw)
      : cfg(c), res(r), raw(is_raw) {}
  const Config &cfg;
  RunResult &res;
  bool raw;
  bool sending = false;
  uint64_t opened = 0, sent = 0, outstanding = 0;
  void error(const std::string &why) {
    if (res.errors++ == 0) res.first_error = why;
  }
};

class EchoSession : public WsConn {
 public:
  EchoSession(Loop &loop, EchoRun &run, uint64_t index, std::string path)
      : WsConn(loop, std::move(path), run.cfg.host_header),
        run_(run),
        tag_(run.cfg.tag + "e" + std::to_string(index)) {}

  void start_sending() {
    for (uint64_t k = 0; k < run_.cfg.inflight; ++k) send_next();
  }

 private:
  void on_open() override {
    if (run_.raw) mark_open();
  }
  void mark_open() {
    opened_ = true;
    ++run_.opened;
  }
  void on_message(std::string_view text) override {
    if (run_.raw) {
      check(text);
      return;
    }
    if (text.empty()) return run_.error("empty sockjs frame");
    switch (text[0]) {
      case 'o':
        if (opened_) return run_.error("second open frame");
        return mark_open();
      case 'h':
        return;
      case 'a': {
        batch_.clear();
        if (!parse_array_frame(text, batch_))
          return run_.error("malformed a-frame");
        for (const auto &m : batch_) check(m);
        return;
      }
      default:
        run_.error("unexpected frame: " + std::string(text.substr(0, 40)));
        abandon();
    }
  }
  void on_failed(const char *why) override {
    if (run_.sending || !opened_ || !inflight_.empty()) run_.error(why);
    abandon();
  }
  // Gives up on this session: its messages in flight will never count.
  void abandon() {
    run_.outstanding -= inflight_.size();
    inflight_.clear();
    close_now();
  }
  void check(std::string_view msg) {
    if (inflight_.empty() || inflight_.front().payload != msg) {
      run_.error("echo mismatch on " + tag_);
      return abandon();
    }
    run_.res.latencies_us.push_back(
        uint32_t(now_us() - inflight_.front().sent_us));
    inflight_.pop_front();
    --run_.outstanding;
    ++run_.res.ops;
    send_next();
  }
  void send_next() {
    if (!run_.sending || run_.sent >= run_.cfg.max_ops || !is_open()) return;
    Pending p{make_payload(tag_, seq_++, run_.cfg.size), now_us()};
    if (run_.raw) {
      send_text(p.payload);
    } else {
      send_text(encode_send(p.payload));
    }
    inflight_.push_back(std::move(p));
    ++run_.sent;
    ++run_.outstanding;
  }

  struct Pending {
    std::string payload;
    uint64_t sent_us;
  };
  EchoRun &run_;
  std::string tag_;
  bool opened_ = false;
  uint64_t seq_ = 0;
  std::deque<Pending> inflight_;
  std::vector<std::string> batch_;
};

}  // namespace

RunResult run_ws_echo(const Config &cfg, bool raw) {
  RunResult res;
  res.mode = raw ? "raw" : "ws";
  res.sessions = cfg.sessions;
  res.inflight = cfg.inflight;
  res.size = cfg.size;
  EchoRun run(cfg, res, raw);
  Loop loop;
  std::vector<std::unique_ptr<EchoSession>> sessions;
  sessions.reserve(cfg.sessions);
  uint64_t open_deadline = now_us() + cfg.open_timeout_ms * 1000;
  for (uint64_t i = 0; i < cfg.sessions; ++i) {
    std::string path =
        raw ? "/echo/websocket"
            : "/echo/000/" + cfg.tag + "e" + std::to_string(i) + "/websocket";
    sessions.push_back(std::make_unique<EchoSession>(loop, run, i, path));
    if (!sessions.back()->connect_to(cfg.server, source_for(cfg, i)))
      run.error("connect failed");
    // Keep the number of handshakes in progress bounded.
    loop.run(
        [&] {
          return i + 1 - run.opened - res.errors < cfg.connect_concurrency;
        },
        open_deadline);
  }
  if (!loop.run([&] { return run.opened + res.errors >= cfg.sessions; },
                open_deadline) ||
      run.opened < cfg.sessions) {
    run.error("not all sessions opened");
    return res;
  }
  res.before = sample_processes(cfg.server_pids);
  uint64_t t0 = now_us();
  run.sending = true;
  for (auto &s : sessions) s->start_sending();
  loop.run([&] { return run.sent >= cfg.max_ops; },
           t0 + cfg.duration_ms * 1000);
  run.sending = false;
  if (!loop.run([&] { return run.outstanding == 0; }, now_us() + 10000000))
    run.error("echoes still missing 10 s after the last send");
  res.wall_s = double(now_us() - t0) / 1e6;
  res.after = sample_processes(cfg.server_pids);
  return res;
}

uint32_t source_for(const Config &c, uint64_t i) {
  if (c.sources <= 1) return 0;
  return (127u << 24) | uint32_t(1 + i % c.sources);
}

}  // namespace bench
