// RedisLink, part two: after a reconnection, held payloads wait until the
// channel has as many subscribers as before (the other nodes re-subscribe on
// their own backoff schedule), and the subscriber count is kept up to date.
// The first part (connections, state, publishing) is redis_link.cpp; the
// class and its guarantees are described in redis_link.hpp.
#include <event2/event.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <string>

#include "backplane/redis_link.hpp"
#include "backplane/redis_link_detail.hpp"

namespace sockjs {

using namespace redis_link_detail;

void RedisLink::on_numsub_reply(redisAsyncContext* ac, void* reply, void*) {
  auto* c = static_cast<Conn*>(ac->data);
  if (c == nullptr) return;  // abandoned
  RedisLink* self = c->owner;
  self->numsub_pending_ = false;
  auto* r = static_cast<redisReply*>(reply);
  if (r == nullptr) return;  // the link is lost; on_disconnect follows
  // ["channel", count]
  if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
      r->element[1]->type != REDIS_REPLY_INTEGER) {
    // E.g. an ACL without PUBSUB: the count cannot be watched, so held
    // payloads go out at once as they used to.
    self->numsub_refused_ = true;
    evtimer_del(self->poll_);
    self->log(kWarning,
              "backplane: Redis did not answer PUBSUB NUMSUB with a count" +
                  (r->type == REDIS_REPLY_ERROR
                       ? " (" + std::string(r->str, r->len) + ")"
                       : std::string()) +
                  "; held payloads will not wait for the other nodes");
    if (self->waiting_) self->finish_wait(false);
    return;
  }
  int64_t n = r->element[1]->integer;
  if (self->waiting_) {
    self->m_.subscribers.store(n, std::memory_order_relaxed);
    if (n >= self->expected_) self->finish_wait(true);
    return;
  }
  if (self->state_up_) self->observe(n, false);
}

// Just up: flush the held payloads, after the other nodes are back if any
// were subscribed before (they re-subscribe on their own backoff schedule;
// what is published before they are back never reaches them).
void RedisLink::flush_when_back() {
  waiting_ = false;
  if (held_.empty() || expected_ <= 1 || opts_.resubscribe_wait_ms == 0 ||
      numsub_refused_) {
    drain();
    arm_poll(kRefreshMs);
    return;
  }
  waiting_ = true;
  wait_began_ = Clock::now();
  wait_until_ =
      wait_began_ + std::chrono::milliseconds(opts_.resubscribe_wait_ms);
  log(kInfo, "backplane: " + plural(held_.size(), "held payload", "s") +
                 " wait until the channel has its " +
                 std::to_string(expected_) + " subscribers again (at most " +
                 std::to_string(opts_.resubscribe_wait_ms) + " ms)");
  ask_numsub();
  arm_poll(kPollMs);
}

void RedisLink::finish_wait(bool all_back) {
  waiting_ = false;
  auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(
                    Clock::now() - wait_began_)
                    .count();
  std::string what = plural(held_.size(), "held payload", "s");
  if (all_back) {
    log(kInfo, "backplane: the channel's " + std::to_string(expected_) +
                   " subscribers are back after " + std::to_string(waited) +
                   " ms; sending " + what);
  } else {
    log(kWarning,
        "backplane: " +
            std::to_string(m_.subscribers.load(std::memory_order_relaxed)) +
            " of the channel's " + std::to_string(expected_) +
            " subscribers back after " + std::to_string(waited) +
            " ms; sending " + what + " anyway (nodes not back miss them)");
  }
  drain();
  arm_poll(kRefreshMs);
}

void RedisLink::on_poll(int, short, void* arg) {
  auto* self = static_cast<RedisLink*>(arg);
  if (self->stopped_ || !self->state_up_ || self->numsub_refused_) return;
  if (self->waiting_) {
    Clock::time_point now = Clock::now();
    if (now >= self->wait_until_) {
      self->finish_wait(false);
      return;
    }
    self->ask_numsub();
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    self->wait_until_ - now)
                    .count();
    self->arm_poll(static_cast<uint32_t>(
        std::min<int64_t>(kPollMs, std::max<int64_t>(left, 1))));
    return;
  }
  // PUBLISH replies keep the count current; an idle link asks.
  if (!self->replied_) self->ask_numsub();
  self->replied_ = false;
  self->arm_poll(kRefreshMs);
}

// One at a time: a slow Redis gets no pile of them.
void RedisLink::ask_numsub() {
  if (numsub_pending_ || pub_.ac == nullptr || numsub_refused_) return;
  const char* argv[3] = {"PUBSUB", "NUMSUB", opts_.channel.data()};
  size_t lens[3] = {6, 6, opts_.channel.size()};
  if (redisAsyncCommandArgv(pub_.ac, on_numsub_reply, nullptr, 3, argv, lens) ==
      REDIS_OK) {
    numsub_pending_ = true;
  }
}

void RedisLink::arm_poll(uint32_t ms) {
  if (stopped_ || numsub_refused_) return;
  timeval tv = ms_to_tv(ms);
  evtimer_add(poll_, &tv);
}

// A subscriber count seen while up: from a PUBLISH reply (how many clients
// got that message) or from NUMSUB.
void RedisLink::observe(int64_t n, bool publish_reply) {
  m_.subscribers.store(n, std::memory_order_relaxed);
  if (expected_ < 0 || n >= expected_) {
    expected_ = n;
    low_ = false;
    low_logged_ = false;
    return;
  }
  if (publish_reply) {
    m_.underdelivered.fetch_add(1, std::memory_order_relaxed);
    if (!low_logged_) {
      log(kWarning, "backplane: a PUBLISH reached " + std::to_string(n) +
                        " of the channel's " + std::to_string(expected_) +
                        " subscribers: a node is away and misses it");
      low_logged_ = true;
    }
  }
  Clock::time_point now = Clock::now();
  if (!low_) {
    low_ = true;
    low_since_ = now;
  }
  // Lower for as long as a node is given to come back: it left for good.
  if (now - low_since_ >=
      std::chrono::milliseconds(opts_.resubscribe_wait_ms)) {
    log(kInfo, "backplane: the channel has " + std::to_string(n) +
                   " subscriber(s) now, " + std::to_string(expected_) +
                   " before");
    expected_ = n;
    low_ = false;
    low_logged_ = false;
  }
}

}  // namespace sockjs
