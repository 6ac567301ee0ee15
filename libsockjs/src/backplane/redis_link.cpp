// hiredis 0.14 facts this file relies on (async.c):
//  * A context dies in one of three ways. (1) A failed connect: onConnect
//    gets REDIS_ERR, then hiredis frees the context (no onDisconnect).
//    (2) A lost connection: every command awaiting a reply gets its callback
//    with a NULL reply, the subscription callback too, then onDisconnect,
//    then hiredis frees the context. (3) redisAsyncFree() by us: the same
//    NULL callbacks and onDisconnect run inside the call, or, when called
//    from a reply callback of that context, once the callback returns.
//    Freeing a context from inside its own onConnect/onDisconnect is a
//    use-after-free, so we never do (StateChange is deferred for this).
//  * ac->data is ours: it points to the Conn while we own the context and is
//    cleared before we free it, so late callbacks see NULL and do nothing.
#include "backplane/redis_link.hpp"

#include <event2/event.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "backplane/redis_event_glue.hpp"
#include "backplane/redis_link_detail.hpp"

namespace sockjs {

using namespace redis_link_detail;

RedisLink::RedisLink(event_base* base, const BackplaneOptions& o,
                     BackplaneMetrics& m, Deliver d, Log l, StateChange s)
    : base_(base),
      opts_(o),
      m_(m),
      deliver_(d ? std::make_shared<const Deliver>(std::move(d)) : nullptr),
      log_(std::move(l)),
      state_change_(s ? std::make_shared<const StateChange>(std::move(s))
                      : nullptr) {
  opts_.reconnect_min_ms = std::max<uint32_t>(opts_.reconnect_min_ms, 1);
  opts_.reconnect_max_ms =
      std::max(opts_.reconnect_max_ms, opts_.reconnect_min_ms);
  sub_.role = Role::subscribe;
  sub_.name = "subscribe";
  pub_.role = Role::publish;
  pub_.name = "publish";
  for (Conn* c : {&sub_, &pub_}) {
    c->owner = this;
    c->backoff_ms = opts_.reconnect_min_ms;
    c->retry = evtimer_new(base_, on_retry, c);
    c->deadline = evtimer_new(base_, on_deadline, c);
  }
  notify_ = event_new(base_, -1, 0, on_notify, this);
  poll_ = evtimer_new(base_, on_poll, this);
  if (sub_.retry == nullptr || sub_.deadline == nullptr ||
      pub_.retry == nullptr || pub_.deadline == nullptr || notify_ == nullptr ||
      poll_ == nullptr) {
    stopped_ = true;  // start() then does nothing; the destructor frees
    log(kError, "backplane: out of memory creating timers; backplane disabled");
  }
}

RedisLink::~RedisLink() {
  stop();
  for (event* ev :
       {sub_.retry, sub_.deadline, pub_.retry, pub_.deadline, notify_, poll_}) {
    if (ev != nullptr) event_free(ev);
  }
}

void RedisLink::start() {
  if (started_ || stopped_) return;
  started_ = true;
  m_.state.store(1, std::memory_order_relaxed);
  connect(sub_);
  connect(pub_);
}

void RedisLink::stop() {
  if (stopped_) return;
  stopped_ = true;
  for (Conn* c : {&sub_, &pub_}) {
    evtimer_del(c->retry);
    evtimer_del(c->deadline);
    abandon(*c);
    c->up = false;
  }
  event_del(notify_);
  evtimer_del(poll_);
  waiting_ = false;
  state_up_ = false;
  held_.clear();
  held_bytes_ = 0;
  m_.buffered_bytes.store(0, std::memory_order_relaxed);
  if (started_) m_.state.store(0, std::memory_order_relaxed);
}

void RedisLink::publish(std::string payload) {
  if (stopped_) return;
  if (state_up_ && held_.empty() && may_send(payload.size()) && send(payload)) {
    return;
  }
  hold(std::move(payload));
}

// --- connections ---------------------------------------------------------

void RedisLink::connect(Conn& c) {
  if (stopped_ || c.ac != nullptr) return;
  redisAsyncContext* ac =
      redisAsyncConnect(opts_.redis_host.c_str(), opts_.redis_port);
  if (ac == nullptr) {
    attempt_failed(c, "out of memory");
    return;
  }
  if (ac->err != 0) {  // e.g. refused at once, or an unknown host name
    std::string why = ac->c.errstr;
    redisAsyncFree(ac);  // never connected, no callbacks set: nothing runs
    attempt_failed(c, why);
    return;
  }
  if (redis_attach_libevent(ac, base_) != REDIS_OK) {
    redisAsyncFree(ac);
    attempt_failed(c, "cannot attach to the event loop");
    return;
  }
  ac->data = &c;
  redisAsyncSetConnectCallback(ac, on_connect);
  redisAsyncSetDisconnectCallback(ac, on_disconnect);
  // Notices a peer that vanished without a reset (best effort).
  redisEnableKeepAlive(&ac->c);
  c.ac = ac;
  timeval tv = ms_to_tv(opts_.connect_timeout_ms);
  evtimer_add(c.deadline, &tv);
}

void RedisLink::on_connect(const redisAsyncContext* cac, int status) {
  auto* c = static_cast<Conn*>(cac->data);
  if (c == nullptr) return;
  RedisLink* self = c->owner;
  if (status != REDIS_OK) {
    c->ac = nullptr;  // hiredis frees it when we return
    self->attempt_failed(*c, cac->c.errstr);
    return;
  }
  if (c->role == Role::publish) {
    self->error_logged_ = false;
    self->link_up(*c);
    return;
  }
  const char* argv[2] = {"SUBSCRIBE", self->opts_.channel.data()};
  size_t lens[2] = {9, self->opts_.channel.size()};
  if (redisAsyncCommandArgv(c->ac, on_sub_reply, nullptr, 2, argv, lens) !=
      REDIS_OK) {
    // Cannot free the context in here; the deadline gives the attempt up.
    self->log(kWarning,
              "backplane: cannot queue SUBSCRIBE; retrying after the "
              "connect timeout");
  }
}

void RedisLink::on_disconnect(const redisAsyncContext* cac, int) {
  auto* c = static_cast<Conn*>(cac->data);
  if (c == nullptr) return;
  c->ac = nullptr;  // hiredis frees it when we return
  std::string why = cac->c.err != 0 ? cac->c.errstr : "closed";
  if (c->up) {
    c->owner->link_lost(*c, why);
  } else {
    // Connected but never confirmed (subscribe link): a failed attempt.
    c->owner->attempt_failed(*c, why);
  }
}

void RedisLink::on_sub_reply(redisAsyncContext* ac, void* reply, void*) {
  auto* c = static_cast<Conn*>(ac->data);
  auto* r = static_cast<redisReply*>(reply);
  // NULL: the link is going away; on_disconnect follows.
  if (c == nullptr || r == nullptr) return;
  RedisLink* self = c->owner;
  if (r->type != REDIS_REPLY_ARRAY || r->elements < 3 ||
      !equals(r->element[1], self->opts_.channel)) {
    return;
  }
  if (equals(r->element[0], "message")) {
    const redisReply* p = r->element[2];
    if (!is_string(p)) return;
    self->m_.received.fetch_add(1, std::memory_order_relaxed);
    // Nothing after this: Deliver may have stopped or destroyed us (then
    // hiredis frees the context once we return, with ac->data NULL).
    if (std::shared_ptr<const Deliver> d = self->deliver_) {
      (*d)(std::string_view(p->str, p->len));
    }
    return;
  }
  if (equals(r->element[0], "subscribe") && !c->up) self->link_up(*c);
}

void RedisLink::on_pub_reply(redisAsyncContext* ac, void* reply, void* priv) {
  auto* c = static_cast<Conn*>(ac->data);
  if (c == nullptr) return;  // abandoned by stop(): counted there
  RedisLink* self = c->owner;
  size_t n = static_cast<size_t>(reinterpret_cast<uintptr_t>(priv));
  self->in_flight_ -= 1;
  self->in_flight_bytes_ -= n;
  auto* r = static_cast<redisReply*>(reply);
  if (r == nullptr) {
    // The link is lost; on_disconnect follows and logs the total.
    self->m_.lost_in_flight.fetch_add(1, std::memory_order_relaxed);
    self->lost_now_ += 1;
    return;
  }
  if (r->type == REDIS_REPLY_ERROR) {
    self->m_.publish_errors.fetch_add(1, std::memory_order_relaxed);
    self->log(
        self->error_logged_ ? kDebug : kWarning,
        "backplane: Redis refused a PUBLISH: " + std::string(r->str, r->len));
    self->error_logged_ = true;
  } else {
    self->m_.published.fetch_add(1, std::memory_order_relaxed);
    self->replied_ = true;
    if (r->type == REDIS_REPLY_INTEGER) self->observe(r->integer, true);
  }
  self->drain();
}

void RedisLink::link_up(Conn& c) {
  evtimer_del(c.deadline);
  c.up = true;
  c.backoff_ms = opts_.reconnect_min_ms;
  std::string text = std::string("backplane: Redis ") + c.name + " link " +
                     (c.was_up ? "reconnected" : "connected") + " (" + where() +
                     ")";
  if (c.failures > 0) {
    text += " after " + std::to_string(c.failures) + " failed attempt" +
            (c.failures == 1 ? "" : "s");
  }
  log(kInfo, text);
  if (c.was_up) m_.reconnects.fetch_add(1, std::memory_order_relaxed);
  c.was_up = true;
  c.failures = 0;
  set_state();
}

void RedisLink::link_lost(Conn& c, const std::string& why) {
  evtimer_del(c.deadline);
  c.up = false;
  log(kWarning, std::string("backplane: Redis ") + c.name + " link lost (" +
                    why + "); reconnecting");
  if (c.role == Role::publish && lost_now_ > 0) {
    log(kWarning, "backplane: " + plural(lost_now_, "PUBLISH") +
                      " awaiting a reply lost with the link (not re-sent)");
  }
  if (c.role == Role::publish) {
    lost_now_ = 0;
    numsub_pending_ = false;
  }
  set_state();
  schedule_retry(c);
}

void RedisLink::attempt_failed(Conn& c, const std::string& why) {
  evtimer_del(c.deadline);
  c.up = false;
  c.failures += 1;
  m_.connect_failures.fetch_add(1, std::memory_order_relaxed);
  // The first failure of an outage is a warning, the retries are debug.
  log(c.failures == 1 ? kWarning : kDebug,
      std::string("backplane: Redis ") + c.name + " link: attempt " +
          std::to_string(c.failures) + " to " + where() + " failed (" + why +
          "); retrying in " + std::to_string(c.backoff_ms) + " ms");
  set_state();
  schedule_retry(c);
}

void RedisLink::schedule_retry(Conn& c) {
  if (stopped_) return;
  timeval tv = ms_to_tv(c.backoff_ms);
  evtimer_add(c.retry, &tv);
  c.backoff_ms = std::min(c.backoff_ms * 2, opts_.reconnect_max_ms);
}

// Lets go of the context: callbacks it still runs see ac->data == NULL.
void RedisLink::abandon(Conn& c) {
  redisAsyncContext* ac = c.ac;
  if (ac == nullptr) return;
  c.ac = nullptr;
  ac->data = nullptr;
  if (c.role == Role::publish) {
    m_.lost_in_flight.fetch_add(in_flight_, std::memory_order_relaxed);
    in_flight_ = 0;
    in_flight_bytes_ = 0;
    lost_now_ = 0;
    numsub_pending_ = false;
  }
  redisAsyncFree(ac);  // deferred by hiredis when inside its reply callback
}

void RedisLink::on_retry(int, short, void* arg) {
  auto* c = static_cast<Conn*>(arg);
  c->owner->connect(*c);
}

void RedisLink::on_deadline(int, short, void* arg) {
  auto* c = static_cast<Conn*>(arg);
  if (c->ac == nullptr || c->up) return;
  c->owner->abandon(*c);
  c->owner->attempt_failed(
      *c, "not up after " + std::to_string(c->owner->opts_.connect_timeout_ms) +
              " ms");
}

// --- state ---------------------------------------------------------------

void RedisLink::set_state() {
  bool up = sub_.up && pub_.up && !stopped_;
  if (up == state_up_) return;
  state_up_ = up;
  m_.state.store(up ? 2 : 1, std::memory_order_relaxed);
  log(up ? kInfo : kWarning,
      std::string("backplane: ") + (up ? "up" : "down") + " (" + where() + ")");
  event_active(notify_, EV_TIMEOUT, 0);
  if (up) {
    flush_when_back();
  } else {
    // Held payloads wait for the next time up (and a new wait then).
    waiting_ = false;
    evtimer_del(poll_);
  }
}

void RedisLink::on_notify(int, short, void* arg) {
  auto* self = static_cast<RedisLink*>(arg);
  if (self->stopped_ || self->notified_up_ == self->state_up_) return;
  self->notified_up_ = self->state_up_;
  if (std::shared_ptr<const StateChange> s = self->state_change_) {
    (*s)(self->notified_up_);
  }
  // Nothing after this: the callback may have destroyed us.
}

// --- publishing ----------------------------------------------------------

// At most buffer_limit payload bytes await a reply (one payload at least, so
// a payload larger than the limit still goes out while nothing is pending).
bool RedisLink::may_send(size_t n) const {
  return pub_.ac != nullptr &&
         (in_flight_ == 0 || in_flight_bytes_ + n <= opts_.buffer_limit);
}

bool RedisLink::send(const std::string& payload) {
  const char* argv[3] = {"PUBLISH", opts_.channel.data(), payload.data()};
  size_t lens[3] = {7, opts_.channel.size(), payload.size()};
  void* priv = reinterpret_cast<void*>(static_cast<uintptr_t>(payload.size()));
  if (redisAsyncCommandArgv(pub_.ac, on_pub_reply, priv, 3, argv, lens) !=
      REDIS_OK) {
    return false;  // the context is closing; the payload waits instead
  }
  in_flight_ += 1;
  in_flight_bytes_ += payload.size();
  return true;
}

void RedisLink::hold(std::string payload) {
  size_t n = payload.size();
  if (n > opts_.buffer_limit || held_bytes_ + n > opts_.buffer_limit) {
    m_.dropped.fetch_add(1, std::memory_order_relaxed);
    if (drop_count_ == 0) {
      log(kWarning, "backplane: buffer full (" +
                        std::to_string(opts_.buffer_limit) +
                        " bytes): dropping payloads until it drains");
    }
    drop_count_ += 1;
    drop_bytes_ += n;
    return;
  }
  held_bytes_ += n;
  held_.push_back(std::move(payload));
  m_.buffered_bytes.store(static_cast<int64_t>(held_bytes_),
                          std::memory_order_relaxed);
}

void RedisLink::drain() {
  if (!state_up_ || waiting_) return;
  while (!held_.empty() && may_send(held_.front().size())) {
    if (!send(held_.front())) break;
    held_bytes_ -= held_.front().size();
    held_.pop_front();
  }
  m_.buffered_bytes.store(static_cast<int64_t>(held_bytes_),
                          std::memory_order_relaxed);
  if (held_.empty() && drop_count_ > 0) {
    log(kWarning, "backplane: " + std::to_string(drop_count_) +
                      " payload(s) (" + std::to_string(drop_bytes_) +
                      " bytes) were dropped while the buffer was full");
    drop_count_ = 0;
    drop_bytes_ = 0;
  }
}

// --- helpers -------------------------------------------------------------

void RedisLink::log(int level, std::string text) const {
  if (log_) log_(level, std::move(text));
}

std::string RedisLink::where() const {
  return opts_.redis_host + ":" + std::to_string(opts_.redis_port) +
         ", channel \"" + opts_.channel + "\"";
}

}  // namespace sockjs
