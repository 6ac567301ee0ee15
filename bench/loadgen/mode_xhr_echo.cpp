// xhr echo: C sessions on /echo with the xhr-polling receiver and xhr_send.
// Each session keeps one poll waiting; a round trip is one xhr_send of one
// message (must get 204) plus the poll that brings the echo back (must be
// exactly that message), after which the session polls again.
#include <memory>

#include "http_client.hpp"
#include "modes.hpp"
#include "sockjs_frame.hpp"

namespace bench {

namespace {

struct XhrRun {
  XhrRun(const Config &c, RunResult &r) : cfg(c), res(r) {}
  const Config &cfg;
  RunResult &res;
  bool sending = false;
  uint64_t opened = 0, failed = 0, sent = 0, outstanding = 0;
  void error(const std::string &why) {
    if (res.errors++ == 0) res.first_error = why;
  }
};

class XhrSession;

// One of the session's two connections; forwards to the session.
class Leg : public HttpConn {
 public:
  Leg(Loop &loop, const Config &cfg, XhrSession &s, bool is_poll)
      : HttpConn(loop, cfg.server, cfg.host_header),
        session_(s),
        is_poll_(is_poll) {}

 private:
  void on_response(int status, std::string_view body) override;
  void on_failed(const char *why) override;
  XhrSession &session_;
  bool is_poll_;
};

class XhrSession {
 public:
  XhrSession(Loop &loop, XhrRun &run, uint64_t index)
      : run_(run),
        tag_(run.cfg.tag + "x" + std::to_string(index)),
        base_("/echo/000/" + tag_),
        poll_(loop, run.cfg, *this, true),
        send_(loop, run.cfg, *this, false) {}

  void start() { poll(); }
  void start_sending() { next_round(); }

  void on_poll(int status, std::string_view body) {
    if (status != 200) return fail("xhr poll status " + std::to_string(status));
    if (body.empty() || body.back() != '\n')
      return fail("xhr frame without newline");
    body.remove_suffix(1);
    if (body == "o") {
      if (opened_) return fail("second open frame");
      opened_ = true;
      ++run_.opened;
      return;  // the poll is re-issued when sending starts
    }
    if (body == "h") return poll();
    batch_.clear();
    if (body.empty() || body[0] != 'a' || !parse_array_frame(body, batch_))
      return fail("unexpected xhr frame: " + std::string(body.substr(0, 40)));
    for (const auto &m : batch_) {
      if (!waiting_echo_ || m != payload_)
        return fail("xhr echo mismatch on " + tag_);
      waiting_echo_ = false;
      run_.res.latencies_us.push_back(uint32_t(bench::now_us() - sent_us_));
    }
    maybe_complete();
  }
  void on_send(int status) {
    if (status != 204) return fail("xhr_send status " + std::to_string(status));
    waiting_send_ = false;
    maybe_complete();
  }
  void fail(const std::string &why) {
    if (dead_) return;
    dead_ = true;
    run_.error(why);
    ++run_.failed;
    if (waiting_echo_ || waiting_send_) --run_.outstanding;
    waiting_echo_ = waiting_send_ = false;
    poll_.close_now();
    send_.close_now();
  }
  void on_leg_failed(const char *why) { fail(why); }

 private:
  void poll() {
    if (!dead_ && !poll_.busy() && !poll_.post(base_ + "/xhr", ""))
      fail("connect failed");
  }
  void maybe_complete() {
    if (dead_ || waiting_echo_ || waiting_send_) return;
    if (in_round_) {
      in_round_ = false;
      --run_.outstanding;
      ++run_.res.ops;
    }
    next_round();
  }
  void next_round() {
    if (dead_ || !run_.sending || run_.sent >= run_.cfg.max_ops) return;
    payload_ = make_payload(tag_, seq_++, run_.cfg.size);
    sent_us_ = bench::now_us();
    waiting_echo_ = waiting_send_ = in_round_ = true;
    ++run_.sent;
    ++run_.outstanding;
    if (!send_.post(base_ + "/xhr_send", encode_send(payload_)))
      return fail("connect failed");
    poll();
  }

  XhrRun &run_;
  std::string tag_, base_;
  Leg poll_, send_;
  bool opened_ = false, dead_ = false;
  bool waiting_echo_ = false, waiting_send_ = false, in_round_ = false;
  uint64_t seq_ = 0, sent_us_ = 0;
  std::string payload_;
  std::vector<std::string> batch_;
};

void Leg::on_response(int status, std::string_view body) {
  if (is_poll_) {
    session_.on_poll(status, body);
  } else {
    session_.on_send(status);
  }
}

void Leg::on_failed(const char *why) { session_.on_leg_failed(why); }

}  // namespace

RunResult run_xhr_echo(const Config &cfg) {
  RunResult res;
  res.mode = "xhr";
  res.unit = "round trip";
  res.sessions = cfg.sessions;
  res.inflight = 1;
  res.size = cfg.size;
  XhrRun run(cfg, res);
  Loop loop;
  std::vector<std::unique_ptr<XhrSession>> sessions;
  uint64_t deadline = now_us() + cfg.open_timeout_ms * 1000;
  for (uint64_t i = 0; i < cfg.sessions; ++i) {
    sessions.push_back(std::make_unique<XhrSession>(loop, run, i));
    sessions.back()->start();
    loop.run(
        [&] {
          return i + 1 - run.opened - run.failed < cfg.connect_concurrency;
        },
        deadline);
  }
  if (!loop.run([&] { return run.opened + run.failed >= cfg.sessions; },
                deadline) ||
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
    run.error("round trips still open 10 s after the last send");
  res.wall_s = double(now_us() - t0) / 1e6;
  res.after = sample_processes(cfg.server_pids);
  return res;
}

}  // namespace bench
