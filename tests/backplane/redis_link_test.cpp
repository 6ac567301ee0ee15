// RedisLink against a real redis-server on loopback: ordering, binary
// payloads, Redis restarts, the outage buffer, lost in-flight PUBLISHes and
// starting before Redis is there.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "backplane_fixture.hpp"

namespace sockjs_test {
namespace {

using namespace std::chrono_literals;
constexpr int kDebug = 10, kWarning = 30;

// Every byte value, NUL and CR LF included, and a fake RESP header.
std::string binary_payload() {
  std::string p("\0\r\n$3\r\nabc\r\n\n", 13);
  for (int i = 0; i < 256; ++i) p.push_back(static_cast<char>(i));
  return p;
}

TEST_F(BackplaneTest, ManyPayloadsArriveInOrderExactlyOnce) {
  ASSERT_NO_FATAL_FAILURE(start_redis());
  auto a = make_node();
  auto b = make_node();
  // Another channel on the same Redis: must see none of it.
  auto other = make_node(options("other-channel"));
  for (Node* n : {a.get(), b.get(), other.get()}) n->link->start();
  ASSERT_TRUE(loop_.run_until(
      [&] { return a->up_notified() && b->up_notified() && other->up(); }));

  std::vector<std::string> sent = numbered("a", 1000);
  sent.push_back(binary_payload());
  sent.push_back(std::string(200 * 1024, 'L'));  // larger than a socket buffer
  sent.push_back("");                            // empty is a payload too
  sent.push_back("end");
  publish_all(*a, sent);
  ASSERT_TRUE(loop_.run_until([&] {
    return a->got.size() >= sent.size() && b->got.size() >= sent.size() &&
           a->m.published.load() == sent.size();
  })) << "a got "
      << a->got.size() << ", b got " << b->got.size();
  // The last one is "end": a duplicate anywhere would have pushed it out.
  EXPECT_EQ(a->got, sent);
  EXPECT_EQ(b->got, sent);
  EXPECT_EQ(a->m.received.load(), sent.size());
  EXPECT_EQ(b->m.received.load(), sent.size());
  EXPECT_EQ(a->m.lost_in_flight.load(), 0u);
  EXPECT_EQ(a->m.dropped.load(), 0u);
  EXPECT_EQ(a->m.buffered_bytes.load(), 0);
  EXPECT_EQ(a->m.state.load(), 2);
  EXPECT_EQ(a->states, std::vector<bool>{true});

  // All of a's PUBLISHes were answered before this one is sent, so anything
  // leaking across channels would have come before it.
  other->link->publish("other-end");
  ASSERT_TRUE(loop_.run_until([&] { return other->got_last("other-end"); }));
  EXPECT_EQ(other->got, std::vector<std::string>{"other-end"});
}

TEST_F(BackplaneTest, RedisRestartResubscribesAndFlushesTheOutageBuffer) {
  ASSERT_NO_FATAL_FAILURE(start_redis());
  auto a = make_node();
  auto b = make_node();
  a->link->start();
  b->link->start();
  ASSERT_TRUE(
      loop_.run_until([&] { return a->up_notified() && b->up_notified(); }));

  auto before = numbered("before", 10);
  publish_all(*a, before);
  ASSERT_TRUE(loop_.run_until([&] {
    return a->got.size() == 10 && b->got.size() == 10 &&
           a->m.published.load() == 10;
  }));

  redis_->kill9();
  ASSERT_TRUE(loop_.run_until([&] {
    return !a->up() && !b->up() && a->states.size() == 2 &&
           b->states.size() == 2;
  }));
  EXPECT_EQ(a->states, (std::vector<bool>{true, false}));
  EXPECT_EQ(b->states, (std::vector<bool>{true, false}));
  EXPECT_EQ(a->m.state.load(), 1);

  auto outage = numbered("outage", 50);
  publish_all(*a, outage);
  int64_t outage_bytes = 0;
  for (const auto& p : outage) outage_bytes += static_cast<int64_t>(p.size());
  EXPECT_EQ(a->m.buffered_bytes.load(), outage_bytes);
  EXPECT_EQ(a->m.published.load(), 10u);

  ASSERT_NO_FATAL_FAILURE(start_redis());
  // The held payloads wait for a's own subscription and for b's (the
  // channel had 2 subscribers), so both get them all.
  ASSERT_TRUE(loop_.run_until([&] {
    return a->up() && b->up() && a->got.size() == 60 && a->states.size() == 3 &&
           b->states.size() == 3;
  }));
  EXPECT_EQ(a->states, (std::vector<bool>{true, false, true}));
  EXPECT_EQ(b->states, (std::vector<bool>{true, false, true}));
  EXPECT_EQ(a->m.buffered_bytes.load(), 0);

  auto after = numbered("after", 10);
  after.push_back("end");
  publish_all(*a, after);
  ASSERT_TRUE(loop_.run_until(
      [&] { return a->got_last("end") && b->got_last("end"); }));
  EXPECT_EQ(a->got, concat({before, outage, after}));
  EXPECT_EQ(b->got, concat({before, outage, after}));
  // Both links of both nodes came back.
  EXPECT_EQ(a->m.reconnects.load(), 2u);
  EXPECT_EQ(b->m.reconnects.load(), 2u);
  EXPECT_EQ(a->m.published.load(), 10u + 50u + 11u);
  EXPECT_EQ(a->m.lost_in_flight.load(), 0u);
  EXPECT_EQ(a->m.dropped.load(), 0u);
}

TEST_F(BackplaneTest, OutageBufferIsBoundedAndDropsAreCounted) {
  ASSERT_NO_FATAL_FAILURE(start_redis());
  auto o = options();
  o.buffer_limit = 100;
  auto a = make_node(o);
  a->link->start();
  ASSERT_TRUE(loop_.run_until([&] { return a->up(); }));
  redis_->kill9();
  ASSERT_TRUE(loop_.run_until([&] { return !a->up(); }));

  int64_t max_buffered = 0;
  auto publish = [&](std::string p) {
    a->link->publish(std::move(p));
    max_buffered = std::max(max_buffered, a->m.buffered_bytes.load());
  };
  const std::string k1 = "k1" + std::string(58, '.');  // 60: kept
  const std::string d1 = "d1" + std::string(48, '.');  // 50: 110 > 100
  const std::string k2 = "k2" + std::string(38, '.');  // 40: exactly 100
  publish(k1);
  publish(d1);
  publish(k2);
  publish("d2");  // full
  for (const std::string& p : numbered("d", 10)) publish(p);
  publish(std::string(1000, 'x'));  // larger than the whole buffer
  EXPECT_EQ(a->m.dropped.load(), 13u);
  EXPECT_EQ(a->m.buffered_bytes.load(), 100);
  EXPECT_LE(max_buffered, 100);
  // Logged once for the whole episode, not once per drop.
  EXPECT_EQ(a->count_logs(kWarning, "dropping"), 1u);

  ASSERT_NO_FATAL_FAILURE(start_redis());
  ASSERT_TRUE(loop_.run_until([&] { return a->up() && a->got.size() >= 2; }));
  a->link->publish("end");
  ASSERT_TRUE(loop_.run_until([&] { return a->got_last("end"); }));
  EXPECT_EQ(a->got, (std::vector<std::string>{k1, k2, "end"}));
  EXPECT_EQ(a->m.buffered_bytes.load(), 0);
  EXPECT_EQ(a->m.dropped.load(), 13u);
  // The summary comes once the buffer has drained.
  EXPECT_EQ(a->count_logs(kWarning, "13 payload(s)"), 1u);
}

TEST_F(BackplaneTest, BurstBeyondTheInFlightWindowIsHeldThenDropped) {
  ASSERT_NO_FATAL_FAILURE(start_redis());
  auto o = options();
  o.buffer_limit = 100;
  auto a = make_node(o);
  a->link->start();
  ASSERT_TRUE(loop_.run_until([&] { return a->up(); }));
  // No loop turn in between: no reply can come back. 3 x 30 bytes go out
  // (in flight <= 100), 3 more wait in the buffer, the rest is dropped.
  auto burst = numbered("burst", 10);
  for (auto& p : burst) p.resize(30, '.');
  publish_all(*a, burst);
  EXPECT_EQ(a->m.buffered_bytes.load(), 90);
  EXPECT_EQ(a->m.dropped.load(), 4u);
  ASSERT_TRUE(loop_.run_until([&] { return a->m.published.load() == 6; }));
  a->link->publish("end");
  ASSERT_TRUE(loop_.run_until([&] { return a->got_last("end"); }));
  auto kept = std::vector<std::string>(burst.begin(), burst.begin() + 6);
  kept.push_back("end");
  EXPECT_EQ(a->got, kept);
  EXPECT_EQ(a->m.buffered_bytes.load(), 0);
}

TEST_F(BackplaneTest, PublishesLostInFlightAreCountedAndNeverResent) {
  ASSERT_NO_FATAL_FAILURE(start_redis());
  auto a = make_node();
  auto b = make_node();
  a->link->start();
  b->link->start();
  ASSERT_TRUE(loop_.run_until([&] { return a->up() && b->up(); }));

  redis_->pause();  // connections stay up, nothing is answered
  publish_all(*a, numbered("lost", 5));
  loop_.run_for(200ms);  // lets hiredis write them to the socket
  EXPECT_TRUE(a->up());
  EXPECT_EQ(a->m.published.load(), 0u);
  redis_->kill9();  // the unread PUBLISHes die with it
  ASSERT_TRUE(loop_.run_until([&] { return !a->up() && !b->up(); }));
  EXPECT_EQ(a->m.lost_in_flight.load(), 5u);
  EXPECT_EQ(a->count_logs(kWarning, "5 PUBLISHes awaiting a reply lost"), 1u);

  ASSERT_NO_FATAL_FAILURE(start_redis());
  ASSERT_TRUE(loop_.run_until([&] { return a->up() && b->up(); }));
  a->link->publish("end");
  ASSERT_TRUE(loop_.run_until(
      [&] { return a->got_last("end") && b->got_last("end"); }));
  EXPECT_EQ(a->got, std::vector<std::string>{"end"});
  EXPECT_EQ(b->got, std::vector<std::string>{"end"});
  EXPECT_EQ(a->m.published.load(), 1u);
  EXPECT_EQ(a->m.lost_in_flight.load(), 5u);
}

TEST_F(BackplaneTest, StartBeforeRedisRetriesUntilItComes) {
  auto a = make_node();
  a->link->publish("early");  // held until up
  a->link->start();
  EXPECT_EQ(a->m.state.load(), 1);
  // Several attempts per link fail; each is counted, only the first of each
  // link is a warning.
  ASSERT_TRUE(
      loop_.run_until([&] { return a->m.connect_failures.load() >= 8; }));
  EXPECT_FALSE(a->up());
  EXPECT_TRUE(a->states.empty());
  EXPECT_EQ(a->count_logs(kWarning, "failed"), 2u);
  EXPECT_GE(a->count_logs(kDebug, "failed"), 6u);

  ASSERT_NO_FATAL_FAILURE(start_redis());
  ASSERT_TRUE(loop_.run_until([&] { return a->up() && !a->states.empty(); }));
  EXPECT_EQ(a->states, std::vector<bool>{true});
  EXPECT_EQ(a->m.reconnects.load(), 0u);  // a first connection, not a re-one
  EXPECT_EQ(a->m.state.load(), 2);
  ASSERT_TRUE(loop_.run_until([&] { return a->got_last("early"); }));
  EXPECT_EQ(a->got, std::vector<std::string>{"early"});
}

}  // namespace
}  // namespace sockjs_test
