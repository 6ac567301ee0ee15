// Broadcast fan-out on /broadcast: C receivers plus one sender (itself a
// member, as in sockjs-node's demo) hold SockJS WebSocket sessions. The
// sender keeps up to K messages in flight; a message is done when every
// member got it. Each member must see every message, in order, intact.
// One op = one delivery (a message reaching one member).
#include <memory>

#include "modes.hpp"
#include "sockjs_frame.hpp"
#include "ws_client.hpp"

namespace bench {

namespace {

struct BroadcastRun {
  BroadcastRun(const Config &c, RunResult &r) : cfg(c), res(r) {}
  const Config &cfg;
  RunResult &res;
  uint64_t members = 0, opened = 0;
  uint64_t sent = 0, done = 0;  // messages sent; messages every member got
  bool sending = false;
  std::vector<std::string> payload;  // ring of K, indexed seq % K
  std::vector<uint64_t> sent_us;     // same ring
  std::vector<uint64_t> got;         // same ring: members that got it
  class Member *sender = nullptr;
  void error(const std::string &why) {
    if (res.errors++ == 0) res.first_error = why;
  }
  void fill_window();
};

class Member : public WsConn {
 public:
  Member(Loop &loop, BroadcastRun &run, std::string path)
      : WsConn(loop, std::move(path), run.cfg.host_header), run_(run) {}
  bool dead = false;

 private:
  void on_message(std::string_view text) override {
    if (text.empty()) return run_.error("empty frame");
    if (text[0] == 'h') return;
    if (text[0] == 'o' && !opened_) {
      opened_ = true;
      ++run_.opened;
      return;
    }
    batch_.clear();
    if (text[0] != 'a' || !parse_array_frame(text, batch_)) {
      run_.error("unexpected frame: " + std::string(text.substr(0, 40)));
      return die();
    }
    for (const auto &m : batch_) {
      size_t K = run_.payload.size();
      if (next_ >= run_.sent || m != run_.payload[next_ % K]) {
        run_.error("broadcast message out of order or corrupt");
        return die();
      }
      run_.res.latencies_us.push_back(
          uint32_t(now_us() - run_.sent_us[next_ % K]));
      ++run_.res.ops;
      if (++run_.got[next_ % K] == run_.members) {
        // Members receive in order, so messages complete in order too.
        ++run_.done;
        run_.fill_window();
      }
      ++next_;
    }
  }
  void on_failed(const char *why) override {
    run_.error(why);
    die();
  }
  void die() {
    if (dead) return;
    dead = true;
    close_now();
    // A lost member never completes its messages: stop waiting for it.
    run_.error("a member was lost; the run stops");
    run_.sending = false;
  }
  BroadcastRun &run_;
  bool opened_ = false;
  uint64_t next_ = 0;  // seq of the message this member expects next
  std::vector<std::string> batch_;
};

void BroadcastRun::fill_window() {
  size_t K = payload.size();
  while (sending && sent < cfg.max_ops && sent - done < K) {
    size_t slot = sent % K;
    payload[slot] = make_payload(cfg.tag + "b", sent, cfg.size);
    sent_us[slot] = now_us();
    got[slot] = 0;
    ++sent;
    static_cast<WsConn *>(sender)->send_text(encode_send(payload[slot]));
  }
}

}  // namespace

RunResult run_broadcast(const Config &cfg) {
  RunResult res;
  res.mode = "broadcast";
  res.unit = "delivery";
  res.sessions = cfg.sessions;
  res.inflight = cfg.inflight;
  res.size = cfg.size;
  BroadcastRun run(cfg, res);
  uint64_t K = cfg.inflight ? cfg.inflight : 1;
  run.payload.resize(K);
  run.sent_us.resize(K);
  run.got.resize(K);
  run.members = cfg.sessions + 1;
  Loop loop;
  std::vector<std::unique_ptr<Member>> members;
  uint64_t deadline = now_us() + cfg.open_timeout_ms * 1000;
  for (uint64_t i = 0; i < run.members; ++i) {
    std::string path =
        "/broadcast/000/" + cfg.tag + "b" + std::to_string(i) + "/websocket";
    members.push_back(std::make_unique<Member>(loop, run, path));
    if (!members.back()->connect_to(cfg.server, source_for(cfg, i)))
      run.error("connect failed");
    loop.run(
        [&] {
          return i + 1 - run.opened - res.errors < cfg.connect_concurrency;
        },
        deadline);
  }
  if (!loop.run([&] { return run.opened + res.errors >= run.members; },
                deadline) ||
      run.opened < run.members) {
    run.error("not all members opened");
    return res;
  }
  run.sender = members[0].get();
  res.before = sample_process(cfg.server_pid);
  uint64_t t0 = now_us();
  run.sending = true;
  run.fill_window();
  loop.run([&] { return run.sent >= cfg.max_ops || res.errors; },
           t0 + cfg.duration_ms * 1000);
  run.sending = false;
  if (!res.errors &&
      !loop.run([&] { return run.done == run.sent; }, now_us() + 10000000))
    run.error("deliveries still missing 10 s after the last send");
  res.wall_s = double(now_us() - t0) / 1e6;
  res.after = sample_process(cfg.server_pid);
  return res;
}

}  // namespace bench
