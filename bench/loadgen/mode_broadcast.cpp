// Broadcast fan-out on /broadcast: C receivers plus one sender (itself a
// member, as in sockjs-node's demo) hold SockJS WebSocket sessions, spread
// round-robin over the given server ports (the nodes of a cluster; the
// sender is on the first). The sender keeps up to K messages in flight; a
// message is done when every member got it. Each member must see every
// message once, in order, intact. One op = one delivery (a message reaching
// one member).
//
// With allow_loss (a backplane outage is expected) a member may miss
// messages: they are counted per member, while a duplicate, a message older
// than one already seen, or a corrupt one is still an error. The window then
// only waits for the sender's own copy, delivered by its own node whatever
// happens to the others, so publishing goes on through the outage.
#include <algorithm>
#include <cstdio>
#include <memory>

#include "modes.hpp"
#include "sockjs_frame.hpp"
#include "ws_client.hpp"

namespace bench {

namespace {

class Member;

struct BroadcastRun {
  BroadcastRun(const Config &c, RunResult &r)
      : cfg(c), res(r), ptag(c.tag + "b") {}
  const Config &cfg;
  RunResult &res;
  std::string ptag;  // payload tag: payloads are `ptag-seq-filler`
  uint64_t members = 0, opened = 0;
  uint64_t sent = 0, done = 0;    // messages sent; messages every member got
  uint64_t sender_got = 0;        // allow_loss: messages the sender got
  uint64_t allowed = UINT64_MAX;  // --rate: messages that may be sent by now
  bool sending = false;
  std::vector<std::string> payload;  // ring of K, indexed seq % K
  std::vector<uint64_t> got;         // same ring: members that got it
  std::vector<uint64_t> sent_us;     // every message's send time, by seq
  Member *sender = nullptr;
  void error(const std::string &why) {
    if (res.errors++ == 0) res.first_error = why;
  }
  bool window_open() const {
    uint64_t base = cfg.allow_loss ? sender_got : done;
    return sent - base < payload.size();
  }
  void fill_window();
};

// The sequence number in a payload made by make_payload(ptag, seq, size).
bool parse_seq(const std::string &ptag, const std::string &m, uint64_t &seq) {
  size_t i = ptag.size();
  if (m.size() <= i + 1 || m.compare(0, i, ptag) != 0 || m[i] != '-')
    return false;
  seq = 0;
  size_t digits = 0;
  for (++i; i < m.size() && m[i] >= '0' && m[i] <= '9'; ++i, ++digits)
    seq = seq * 10 + uint64_t(m[i] - '0');
  return digits > 0 && digits < 20;
}

class Member : public WsConn {
 public:
  Member(Loop &loop, BroadcastRun &run, unsigned port, std::string path)
      : WsConn(loop, std::move(path), run.cfg.host_headers[port]),
        port_index(port),
        run_(run) {}
  const unsigned port_index;
  bool dead = false;
  uint64_t next = 0;  // seq of the message this member expects next
  uint64_t received = 0, gaps = 0;
  uint64_t first_missing = UINT64_MAX, last_missing = 0;  // seqs

  // After the run: what never came (gaps and the tail) counts as missing.
  void count_tail() {
    if (next < run_.sent) note_gap(next, run_.sent);
    next = run_.sent;
  }

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
      if (dead) return;
      if (run_.cfg.allow_loss)
        take_lossy(m);
      else
        take_strict(m);
    }
  }
  // Every message, once, in order: exactly the next one in the ring.
  void take_strict(const std::string &m) {
    size_t K = run_.payload.size();
    if (next >= run_.sent || m != run_.payload[next % K]) {
      run_.error(describe(m));
      return die();
    }
    delivered(next);
    if (++run_.got[next % K] == run_.members) {
      // Members receive in order, so messages complete in order too.
      ++run_.done;
      run_.fill_window();
    }
    ++next;
  }
  // Gaps are counted; going backwards (a duplicate or a reordering) is not
  // allowed. The payload is rebuilt from its seq: the ring may have moved on.
  void take_lossy(const std::string &m) {
    uint64_t seq = 0;
    if (!parse_seq(run_.ptag, m, seq) || seq >= run_.sent ||
        m != make_payload(run_.ptag, seq, run_.cfg.size) || seq < next) {
      run_.error(describe(m));
      return die();
    }
    if (seq > next) note_gap(next, seq);
    delivered(seq);
    next = seq + 1;
    if (this == run_.sender) {
      run_.sender_got = next;
      run_.fill_window();
    }
  }
  void note_gap(uint64_t from, uint64_t to) {  // [from, to) never came
    ++gaps;
    if (from < first_missing) first_missing = from;
    last_missing = to - 1;
  }
  void delivered(uint64_t seq) {
    uint32_t lat = uint32_t(now_us() - run_.sent_us[seq]);
    run_.res.latencies_us.push_back(lat);
    run_.res.ports[port_index].latencies_us.push_back(lat);
    ++run_.res.ports[port_index].ops;
    ++run_.res.ops;
    ++received;
  }
  std::string describe(const std::string &m) const {
    char buf[160];
    uint64_t seq = 0;
    if (!parse_seq(run_.ptag, m, seq) || seq >= run_.sent)
      std::snprintf(buf, sizeof buf, "corrupt broadcast message on port %d",
                    run_.cfg.ports[port_index]);
    else if (seq < next)
      std::snprintf(buf, sizeof buf,
                    "duplicate or reordered broadcast: member on port %d got "
                    "message %llu after %llu",
                    run_.cfg.ports[port_index], (unsigned long long)seq,
                    (unsigned long long)(next - 1));
    else if (seq > next)
      std::snprintf(buf, sizeof buf,
                    "broadcast message lost: member on port %d got message "
                    "%llu, expected %llu",
                    run_.cfg.ports[port_index], (unsigned long long)seq,
                    (unsigned long long)next);
    else
      std::snprintf(buf, sizeof buf,
                    "corrupt broadcast message %llu on port %d",
                    (unsigned long long)seq, run_.cfg.ports[port_index]);
    return buf;
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
  std::vector<std::string> batch_;
};

void BroadcastRun::fill_window() {
  size_t K = payload.size();
  while (sending && sent < cfg.max_ops && sent < allowed && window_open()) {
    size_t slot = sent % K;
    payload[slot] = make_payload(ptag, sent, cfg.size);
    sent_us.push_back(now_us());
    got[slot] = 0;
    ++sent;
    static_cast<WsConn *>(sender)->send_text(encode_send(payload[slot]));
  }
}

void summarize(const Config &cfg, BroadcastRun &run, RunResult &res,
               std::vector<std::unique_ptr<Member>> &members, uint64_t t0) {
  for (auto &p : res.ports) p.received_min = p.missing_min = UINT64_MAX;
  for (auto &m : members) {
    PortReport &p = res.ports[m->port_index];
    if (cfg.allow_loss) m->count_tail();
    uint64_t missing = run.sent - m->received;
    p.received_min = std::min(p.received_min, m->received);
    p.received_max = std::max(p.received_max, m->received);
    p.missing_min = std::min(p.missing_min, missing);
    p.missing_max = std::max(p.missing_max, missing);
    p.missing_total += missing;
    if (missing) ++p.members_with_loss;
    if (m->first_missing != UINT64_MAX) {  // allow_loss: seqs are known
      double first = double(run.sent_us[m->first_missing] - t0) / 1000.0;
      double last = double(run.sent_us[m->last_missing] - t0) / 1000.0;
      if (p.first_missing_ms < 0 || first < p.first_missing_ms)
        p.first_missing_ms = first;
      if (last > p.last_missing_ms) p.last_missing_ms = last;
    }
    if (cfg.allow_loss)
      res.members.push_back({m->port_index, m->received, missing, m->gaps});
  }
  for (auto &p : res.ports)
    if (p.members == 0) p.received_min = p.missing_min = 0;
}

}  // namespace

RunResult run_broadcast(const Config &cfg) {
  RunResult res;
  res.mode = "broadcast";
  res.unit = "delivery";
  res.sessions = cfg.sessions;
  res.inflight = cfg.inflight;
  res.size = cfg.size;
  res.allow_loss = cfg.allow_loss;
  res.has_redis = cfg.redis_pid > 0;
  BroadcastRun run(cfg, res);
  uint64_t K = cfg.inflight ? cfg.inflight : 1;
  run.payload.resize(K);
  run.got.resize(K);
  run.members = cfg.sessions + 1;
  size_t P = cfg.servers.size();
  res.ports.resize(P);
  for (size_t p = 0; p < P; ++p) res.ports[p].port = cfg.ports[p];
  Loop loop;
  std::vector<std::unique_ptr<Member>> members;
  uint64_t deadline = now_us() + cfg.open_timeout_ms * 1000;
  for (uint64_t i = 0; i < run.members; ++i) {
    unsigned p = unsigned(i % P);
    ++res.ports[p].members;
    std::string path =
        "/broadcast/000/" + cfg.tag + "b" + std::to_string(i) + "/websocket";
    members.push_back(std::make_unique<Member>(loop, run, p, path));
    if (!members.back()->connect_to(cfg.servers[p], source_for(cfg, i)))
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
  run.sent_us.reserve(cfg.rate ? cfg.rate * (cfg.duration_ms / 1000 + 1)
                               : 65536);
  res.before = sample_processes(cfg.server_pids);
  res.redis_before = sample_process(cfg.redis_pid);
  uint64_t t0 = now_us(), end = t0 + cfg.duration_ms * 1000;
  if (cfg.announce) {
    std::fprintf(stderr, "sockjs-loadgen: sending\n");
    std::fflush(stderr);
  }
  run.sending = true;
  auto stop = [&] { return run.sent >= cfg.max_ops || res.errors > 0; };
  if (cfg.rate == 0) {
    run.fill_window();
    loop.run(stop, end);
  } else {
    // Paced: every millisecond, release what the rate allows by then.
    for (uint64_t now = t0; now < end && !stop(); now = now_us()) {
      run.allowed = (now - t0) * cfg.rate / 1000000 + 1;
      run.fill_window();
      loop.run(stop, std::min(now + 1000, end));
    }
  }
  run.sending = false;
  auto all_in = [&] {
    if (!cfg.allow_loss) return run.done == run.sent;
    for (auto &m : members)
      if (!m->dead && m->next < run.sent) return false;
    return true;
  };
  if (!loop.run([&] { return all_in() || res.errors > 0; },
                now_us() + cfg.drain_ms * 1000) &&
      !cfg.allow_loss && !res.errors)
    run.error("deliveries still missing " + std::to_string(cfg.drain_ms) +
              " ms after the last send");
  res.wall_s = double(now_us() - t0) / 1e6;
  res.after = sample_processes(cfg.server_pids);
  res.redis_after = sample_process(cfg.redis_pid);
  // Anything arriving now is a duplicate (or a message from nowhere): give
  // one to show up before calling the run clean.
  loop.run([&] { return res.errors > 0; }, now_us() + 100000);
  res.messages = run.sent;
  summarize(cfg, run, res, members, t0);
  return res;
}

}  // namespace bench
