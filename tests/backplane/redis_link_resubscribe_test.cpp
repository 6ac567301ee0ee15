// RedisLink's subscriber-aware flush: after a Redis restart, payloads held
// during the outage wait until the other nodes have subscribed again (or
// resubscribe_wait_ms), and PUBLISHes that reach fewer subscribers than the
// channel had are counted (underdelivered).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "backplane_fixture.hpp"

namespace sockjs_test {
namespace {

constexpr int kInfo = 20, kWarning = 30;

class ResubscribeTest : public BackplaneTest {
 protected:
  // Starts the nodes, waits until all are up, then a publishes "hello" and
  // waits until every node has it: a's PUBLISH reply tells it how many
  // subscribers the channel has.
  void start_and_hello(Node& a, const std::vector<Node*>& others) {
    a.link->start();
    for (Node* n : others) n->link->start();
    ASSERT_TRUE(loop_.run_until([&] {
      return a.up_notified() && std::all_of(others.begin(), others.end(),
                                            [](Node* n) { return n->up(); });
    }));
    a.link->publish("hello");
    ASSERT_TRUE(loop_.run_until([&] {
      return a.m.published.load() == 1 && a.got_last("hello") &&
             std::all_of(others.begin(), others.end(),
                         [](Node* n) { return n->got_last("hello"); });
    }));
    EXPECT_EQ(a.m.subscribers.load(), static_cast<int64_t>(others.size() + 1));
  }

  void kill_redis(const std::vector<Node*>& nodes) {
    redis_->kill9();
    ASSERT_TRUE(loop_.run_until([&] {
      return std::none_of(nodes.begin(), nodes.end(),
                          [](Node* n) { return n->link && n->up(); });
    }));
  }
};

TEST_F(ResubscribeTest, HeldPayloadsWaitForTheOtherNodesToSubscribeAgain) {
  ASSERT_NO_FATAL_FAILURE(start_redis());
  auto fast = options();
  fast.resubscribe_wait_ms = 20000;  // longer than the test waits
  // b and c retry every 1.5 s, a every 20-200 ms: a is back first, and a
  // flush at once would reach neither b nor c.
  auto slow = options();
  slow.reconnect_min_ms = slow.reconnect_max_ms = 1500;
  auto a = make_node(fast);
  auto b = make_node(slow);
  auto c = make_node(slow);
  ASSERT_NO_FATAL_FAILURE(start_and_hello(*a, {b.get(), c.get()}));

  ASSERT_NO_FATAL_FAILURE(kill_redis({a.get(), b.get(), c.get()}));
  auto outage = numbered("outage", 20);
  publish_all(*a, outage);
  ASSERT_NO_FATAL_FAILURE(start_redis());
  ASSERT_TRUE(loop_.run_until([&] { return a->up(); }));
  // Up, but the held payloads wait for the channel's 3 subscribers.
  EXPECT_GT(a->m.buffered_bytes.load(), 0);
  EXPECT_EQ(a->count_logs(kInfo, "wait until the channel has its 3 "), 1u);
  // Published while waiting: queued behind the held ones.
  auto during = numbered("during", 5);
  publish_all(*a, during);

  ASSERT_TRUE(loop_.run_until(
      [&] {
        return a->got_last(during.back()) && b->got_last(during.back()) &&
               c->got_last(during.back());
      },
      std::chrono::seconds(15)))
      << "a got " << a->got.size() << ", b " << b->got.size() << ", c "
      << c->got.size();
  a->link->publish("end");
  ASSERT_TRUE(loop_.run_until([&] {
    return a->got_last("end") && b->got_last("end") && c->got_last("end");
  }));
  // In order, exactly once, everywhere.
  auto all = concat({{"hello"}, outage, during, {"end"}});
  EXPECT_EQ(a->got, all);
  EXPECT_EQ(b->got, all);
  EXPECT_EQ(c->got, all);
  EXPECT_EQ(a->count_logs(kInfo, "subscribers are back"), 1u);
  EXPECT_EQ(a->count_logs(kWarning, "anyway"), 0u);
  EXPECT_EQ(a->m.published.load(), all.size());
  EXPECT_EQ(a->m.underdelivered.load(), 0u);  // every PUBLISH reached 3
  EXPECT_EQ(a->m.subscribers.load(), 3);
  EXPECT_EQ(a->m.lost_in_flight.load(), 0u);
  EXPECT_EQ(a->m.dropped.load(), 0u);
  EXPECT_EQ(a->m.buffered_bytes.load(), 0);
  EXPECT_EQ(a->states, (std::vector<bool>{true, false, true}));
}

TEST_F(ResubscribeTest, HeldPayloadsGoOutAfterTheWaitWhenANodeNeverReturns) {
  ASSERT_NO_FATAL_FAILURE(start_redis());
  auto o = options();
  o.resubscribe_wait_ms = 500;
  auto a = make_node(o);
  auto b = make_node();
  auto c = make_node();
  ASSERT_NO_FATAL_FAILURE(start_and_hello(*a, {b.get(), c.get()}));

  ASSERT_NO_FATAL_FAILURE(kill_redis({a.get(), b.get(), c.get()}));
  b->link.reset();  // never comes back: the channel has 2 subscribers at most
  auto outage = numbered("outage", 20);
  publish_all(*a, outage);
  ASSERT_NO_FATAL_FAILURE(start_redis());
  ASSERT_TRUE(loop_.run_until([&] { return a->up(); }));
  EXPECT_GT(a->m.buffered_bytes.load(), 0);

  ASSERT_TRUE(loop_.run_until([&] { return a->got_last(outage.back()); }));
  EXPECT_EQ(a->count_logs(kWarning, "anyway"), 1u);
  EXPECT_EQ(a->count_logs(kInfo, "subscribers are back"), 0u);
  EXPECT_EQ(a->got, concat({{"hello"}, outage}));
  EXPECT_EQ(a->m.buffered_bytes.load(), 0);
  // They reached fewer subscribers than the 3 before the outage.
  EXPECT_GE(a->m.underdelivered.load(), 1u);

  a->link->publish("end");
  ASSERT_TRUE(loop_.run_until(
      [&] { return a->got_last("end") && c->got_last("end"); }));
  // c came back on its own schedule: the held payloads it got are a suffix,
  // in order, none twice.
  ASSERT_GE(c->got.size(), 2u);
  EXPECT_EQ(c->got.front(), "hello");
  std::vector<std::string> middle(c->got.begin() + 1, c->got.end() - 1);
  ASSERT_LE(middle.size(), outage.size());
  EXPECT_TRUE(std::equal(middle.begin(), middle.end(),
                         outage.end() - static_cast<long>(middle.size())));
}

TEST_F(ResubscribeTest, NothingHeldNothingWaits) {
  ASSERT_NO_FATAL_FAILURE(start_redis());
  auto o = options();
  o.resubscribe_wait_ms = 60000;  // a wait would outlast run_until's bound
  auto a = make_node(o);
  auto b = make_node();
  ASSERT_NO_FATAL_FAILURE(start_and_hello(*a, {b.get()}));
  ASSERT_NO_FATAL_FAILURE(kill_redis({a.get(), b.get()}));
  b->link.reset();
  ASSERT_NO_FATAL_FAILURE(start_redis());
  ASSERT_TRUE(loop_.run_until([&] { return a->up(); }));
  a->link->publish("now");
  EXPECT_EQ(a->m.buffered_bytes.load(), 0);  // sent at once
  ASSERT_TRUE(loop_.run_until([&] { return a->got_last("now"); },
                              std::chrono::seconds(5)));
  EXPECT_EQ(a->count_logs(kInfo, "wait until"), 0u);
  // It reached 1 subscriber, the channel had 2: counted.
  ASSERT_TRUE(loop_.run_until([&] { return a->m.published.load() == 2; }));
  EXPECT_EQ(a->m.underdelivered.load(), 1u);
  EXPECT_EQ(a->m.subscribers.load(), 1);
}

TEST_F(ResubscribeTest, PublishesReachingFewerSubscribersAreCounted) {
  ASSERT_NO_FATAL_FAILURE(start_redis());
  auto o = options();
  o.resubscribe_wait_ms = 3000;
  auto a = make_node(o);
  auto b = make_node();
  ASSERT_NO_FATAL_FAILURE(start_and_hello(*a, {b.get()}));
  EXPECT_EQ(a->m.underdelivered.load(), 0u);

  b->link.reset();  // its subscription goes away with its connection
  // a publishes nothing now, so it asks PUBSUB NUMSUB about once a second.
  ASSERT_TRUE(loop_.run_until([&] { return a->m.subscribers.load() == 1; }));
  publish_all(*a, numbered("y", 3));
  ASSERT_TRUE(loop_.run_until([&] { return a->m.published.load() == 4; }));
  EXPECT_EQ(a->m.underdelivered.load(), 3u);
  EXPECT_EQ(a->count_logs(kWarning, "reached 1 of the channel's 2"), 1u);

  // After resubscribe_wait_ms of a lower count it is the new normal.
  ASSERT_TRUE(loop_.run_until(
      [&] { return a->count_logs(kInfo, "has 1 subscriber(s) now") == 1; }));
  a->link->publish("z");
  ASSERT_TRUE(loop_.run_until([&] { return a->m.published.load() == 5; }));
  EXPECT_EQ(a->m.underdelivered.load(), 3u);

  // A new subscriber raises the count at once.
  auto c = make_node();
  c->link->start();
  ASSERT_TRUE(loop_.run_until([&] { return c->up(); }));
  a->link->publish("w");
  ASSERT_TRUE(loop_.run_until([&] { return c->got_last("w"); }));
  ASSERT_TRUE(loop_.run_until([&] { return a->m.published.load() == 6; }));
  EXPECT_EQ(a->m.subscribers.load(), 2);
  EXPECT_EQ(a->m.underdelivered.load(), 3u);
}

}  // namespace
}  // namespace sockjs_test
