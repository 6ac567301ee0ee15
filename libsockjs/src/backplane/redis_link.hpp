// The cluster backplane's transport: moves opaque payloads through one Redis
// pub/sub channel. It knows nothing of SockJS; the engine wraps and unwraps
// its own envelopes.
//
// Two connections to Redis, both on the caller's event_base (hiredis async
// API, no threads of its own):
//   * the subscribe link: SUBSCRIBE <channel>, each message goes to Deliver;
//   * the publish link: every publish() becomes one PUBLISH on it, in call
//     order (Redis keeps order per connection: per-publisher FIFO).
// Each link reconnects forever with backoff (reconnect_min_ms, doubling up to
// reconnect_max_ms, back to min once up) and the subscribe link subscribes
// again. "Up" means: subscribed (confirmation received) AND the publish link
// connected. An attempt that is not up within connect_timeout_ms is given up
// and retried.
//
// Delivery:
//   * While up, publish() sends at once (pipelined) as long as at most
//     buffer_limit payload bytes await a PUBLISH reply; beyond that, and
//     whenever the backplane is down, payloads wait in the outage buffer
//     (bounded by buffer_limit bytes; a payload that does not fit is dropped
//     and counted in `dropped`; logged once per episode, with a summary when
//     the buffer has drained). The buffer is flushed in order, before any
//     newer payload, once the backplane is up again: held payloads wait for
//     our own subscription too, so this node receives its own outage
//     payloads.
//   * They also wait for the other nodes: Redis pub/sub keeps nothing for
//     absent subscribers, and every node re-subscribes on its own backoff
//     schedule. The link remembers how many subscribers the channel had
//     while up (each PUBLISH reply is the number of clients that got it; an
//     idle link asks PUBSUB NUMSUB about once a second). After a
//     reconnection with payloads held it asks PUBSUB NUMSUB every 50 ms and
//     flushes once the channel has that many again, or after
//     resubscribe_wait_ms anyway (logged: who is not back misses them).
//     Payloads published meanwhile queue behind the held ones, same bound.
//     Nothing waits when nothing is held, no count is known yet, or the
//     count was 1 (this node alone). A PSUBSCRIBE client whose pattern
//     matches the channel counts in PUBLISH replies but not in NUMSUB: the
//     flush then waits the whole time.
//   * A PUBLISH reply below the remembered count is counted in
//     `underdelivered` (a node away missed it). The count follows a higher
//     reply at once, a lower one only once it has lasted resubscribe_wait_ms
//     (a node that left for good; its absence is counted until then).
//     metrics.subscribers shows the last count seen.
//   * A PUBLISH whose reply never comes (the publish link dropped, or stop())
//     is counted in `lost_in_flight`, logged, and never re-sent: re-sending
//     could duplicate or reorder it.
//
// Threading and callbacks (what the runner can rely on):
//   * Every member function, and the destructor, must be called on the
//     event_base's thread. Metrics may be read from any thread.
//   * Callbacks run only on that thread, from inside event_base_loop(), in
//     these places:
//       - Deliver: from the subscribe link's read event, once per
//         ["message", <channel>, payload] reply, in Redis order. It depends
//         on the subscribe link only, so it can fire while up() is false
//         (publish link down) and before the StateChange(true) callback of
//         the same reconnection.
//       - StateChange: from an event of its own (made active when the state
//         flips, run later in the same loop), never from inside a hiredis
//         callback or a member function. It reports flips of the last value
//         it reported: a down-up-down flicker between two runs of that event
//         gives no call. up() and metrics.state change at once.
//       - Log: anywhere, also synchronously inside start() (an immediate
//         connect failure) and publish() (the first drop of an episode).
//     The waiting for subscribers (NUMSUB polls, a timer of its own) calls
//     only Log.
//   * publish(), start(), up() never call Deliver or StateChange. stop() and
//     the destructor call nothing at all, and nothing is called afterwards.
//   * Deliver and StateChange may call publish(), up(), stop(), or destroy
//     the RedisLink. Log must do none of these (it can run inside hiredis's
//     connect/disconnect callbacks, where freeing the context would be a
//     use-after-free).
#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "backplane/backplane_options.hpp"

struct event;
struct event_base;
struct redisAsyncContext;

namespace sockjs {

class RedisLink {
 public:
  // One message from the subscription, in Redis order. The view is valid
  // only during the call.
  using Deliver = std::function<void(std::string_view payload)>;
  // Levels: 10 debug, 20 info, 30 warning, 40 error.
  using Log = std::function<void(int level, std::string text)>;
  // Called when the state flips between up and down (see above).
  using StateChange = std::function<void(bool up)>;

  // Keeps `base` and `m` by reference: both must outlive the RedisLink.
  RedisLink(struct event_base* base, const BackplaneOptions& o,
            BackplaneMetrics& m, Deliver d, Log l, StateChange s);
  // Same as stop(); safe in any state, also from inside Deliver/StateChange.
  ~RedisLink();
  RedisLink(const RedisLink&) = delete;
  RedisLink& operator=(const RedisLink&) = delete;

  // Connects both links; retries forever with backoff. Once only: a second
  // call, or a call after stop(), does nothing. metrics.state becomes 1.
  void start();
  // FIFO, binary-safe. Also before start() (held until up). Ignored after
  // stop().
  void publish(std::string payload);
  // Disconnects both links at once: no more retries, no more callbacks.
  // PUBLISHes awaiting a reply are counted in lost_in_flight; held payloads
  // are discarded; metrics.state becomes 0 and buffered_bytes 0.
  void stop();
  bool up() const { return state_up_; }

 private:
  enum class Role { subscribe, publish };
  // One of the two connections and its retry machinery.
  struct Conn {
    RedisLink* owner = nullptr;
    Role role = Role::subscribe;
    const char* name = "";
    redisAsyncContext* ac = nullptr;  // connecting or connected, else null
    event* retry = nullptr;           // backoff timer: the next attempt
    event* deadline = nullptr;        // gives up an attempt not up in time
    uint32_t backoff_ms = 0;
    bool up = false;        // subscribe: confirmed; publish: connected
    bool was_up = false;    // has been up: the next up is a reconnect
    uint32_t failures = 0;  // failed attempts since last up (log rate-limit)
  };

  // hiredis and libevent entry points (C callbacks).
  static void on_connect(const redisAsyncContext* ac, int status);
  static void on_disconnect(const redisAsyncContext* ac, int status);
  static void on_sub_reply(redisAsyncContext* ac, void* reply, void* priv);
  static void on_pub_reply(redisAsyncContext* ac, void* reply, void* priv);
  static void on_retry(int fd, short what, void* arg);
  static void on_deadline(int fd, short what, void* arg);
  static void on_notify(int fd, short what, void* arg);
  static void on_numsub_reply(redisAsyncContext* ac, void* reply, void* priv);
  static void on_poll(int fd, short what, void* arg);

  void connect(Conn& c);
  void link_up(Conn& c);
  void link_lost(Conn& c, const std::string& why);
  void attempt_failed(Conn& c, const std::string& why);
  void schedule_retry(Conn& c);
  void abandon(Conn& c);
  void set_state();
  bool send(const std::string& payload);
  bool may_send(size_t n) const;
  void hold(std::string payload);
  void drain();
  void flush_when_back();
  void finish_wait(bool all_back);
  void ask_numsub();
  void arm_poll(uint32_t ms);
  void observe(int64_t subscribers, bool publish_reply);
  void log(int level, std::string text) const;
  std::string where() const;

  event_base* base_;
  BackplaneOptions opts_;
  BackplaneMetrics& m_;
  // Shared so that a call keeps the function alive when it destroys us.
  std::shared_ptr<const Deliver> deliver_;
  Log log_;
  std::shared_ptr<const StateChange> state_change_;

  Conn sub_;
  Conn pub_;
  event* notify_ = nullptr;  // runs StateChange outside hiredis callbacks
  bool started_ = false;
  bool stopped_ = false;
  bool state_up_ = false;     // sub_.up && pub_.up
  bool notified_up_ = false;  // the last value given to StateChange

  std::deque<std::string> held_;  // the outage buffer, oldest first
  size_t held_bytes_ = 0;
  size_t in_flight_bytes_ = 0;  // payload bytes awaiting a PUBLISH reply
  uint64_t in_flight_ = 0;      // PUBLISHes awaiting a reply
  uint64_t lost_now_ = 0;       // of those, lost with the current context
  bool error_logged_ = false;   // a PUBLISH error logged on this context
  uint64_t drop_count_ = 0;     // drops in this episode (log summary)
  uint64_t drop_bytes_ = 0;

  // The subscriber-aware flush (see "Delivery" above).
  using Clock = std::chrono::steady_clock;
  event* poll_ = nullptr;    // NUMSUB polls: the wait, the idle refresh
  int64_t expected_ = -1;    // the channel's subscribers while up; -1: unknown
  bool low_ = false;         // counts below expected_ seen since low_since_
  bool low_logged_ = false;  // an underdelivered PUBLISH logged this episode
  Clock::time_point low_since_;
  bool waiting_ = false;  // held payloads wait for the subscribers
  Clock::time_point wait_began_, wait_until_;
  bool numsub_pending_ = false;  // a PUBSUB NUMSUB awaits its reply
  bool numsub_refused_ = false;  // Redis refused it: flush without waiting
  bool replied_ = false;         // a PUBLISH reply since the last refresh
};

}  // namespace sockjs
