// Destroying or stopping a RedisLink in every state, also from inside its
// own callbacks: no crash, no leak (ASan/LSan in build-asan), and no
// callback afterwards.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "backplane_fixture.hpp"

namespace sockjs_test {
namespace {

using namespace std::chrono_literals;

TEST_F(BackplaneTest, DestroyWhileConnectingBeforeAnyLoopTurn) {
  ASSERT_NO_FATAL_FAILURE(start_redis());
  auto a = make_node();
  a->link->start();
  a->link->publish("never sent");
  a->link.reset();
  loop_.run_for(100ms);
  EXPECT_TRUE(a->got.empty());
  EXPECT_TRUE(a->states.empty());
}

TEST_F(BackplaneTest, DestroyWhileUpWithPublishesInFlight) {
  ASSERT_NO_FATAL_FAILURE(start_redis());
  auto a = make_node();
  a->link->start();
  ASSERT_TRUE(loop_.run_until([&] { return a->up_notified(); }));
  for (int i = 0; i < 100; ++i) a->link->publish("p" + std::to_string(i));
  a->link.reset();  // queued in hiredis, never answered: lost in flight
  EXPECT_EQ(a->m.lost_in_flight.load(), 100u);
  EXPECT_EQ(a->m.state.load(), 0);
  size_t logs = a->logs.size();
  loop_.run_for(100ms);
  EXPECT_TRUE(a->got.empty());
  EXPECT_EQ(a->states, std::vector<bool>{true});
  EXPECT_EQ(a->logs.size(), logs);
}

TEST_F(BackplaneTest, DestroyWhileWaitingToReconnect) {
  auto a = make_node();  // no Redis: every attempt fails
  a->link->start();
  ASSERT_TRUE(
      loop_.run_until([&] { return a->m.connect_failures.load() >= 4; }));
  a->link.reset();
  size_t logs = a->logs.size();
  loop_.run_for(300ms);  // longer than the backoff: a live timer would fire
  EXPECT_EQ(a->logs.size(), logs);
}

TEST_F(BackplaneTest, DestroyAfterRedisDiedWhileReconnecting) {
  ASSERT_NO_FATAL_FAILURE(start_redis());
  auto a = make_node();
  a->link->start();
  ASSERT_TRUE(loop_.run_until([&] { return a->up(); }));
  redis_->kill9();
  ASSERT_TRUE(
      loop_.run_until([&] { return a->m.connect_failures.load() >= 2; }));
  a->link->publish("held");
  a->link.reset();
  EXPECT_EQ(a->m.buffered_bytes.load(), 0);
  size_t logs = a->logs.size();
  loop_.run_for(300ms);
  EXPECT_EQ(a->logs.size(), logs);
}

TEST_F(BackplaneTest, DestroyFromInsideDeliver) {
  ASSERT_NO_FATAL_FAILURE(start_redis());
  auto a = make_node();
  a->on_deliver = [&](std::string_view) { a->link.reset(); };
  a->link->start();
  ASSERT_TRUE(loop_.run_until([&] { return a->up(); }));
  // Several messages arrive in one read: the rest must not be delivered.
  for (int i = 0; i < 20; ++i) a->link->publish("m" + std::to_string(i));
  ASSERT_TRUE(loop_.run_until([&] { return a->link == nullptr; }));
  loop_.run_for(100ms);
  EXPECT_EQ(a->got, std::vector<std::string>{"m0"});
}

TEST_F(BackplaneTest, DestroyFromInsideStateChangeDown) {
  ASSERT_NO_FATAL_FAILURE(start_redis());
  auto a = make_node();
  a->on_state = [&](bool up) {
    if (!up) a->link.reset();
  };
  a->link->start();
  ASSERT_TRUE(loop_.run_until([&] { return a->up_notified(); }));
  for (int i = 0; i < 10; ++i) a->link->publish("m" + std::to_string(i));
  redis_->kill9();
  ASSERT_TRUE(loop_.run_until([&] { return a->link == nullptr; }));
  loop_.run_for(100ms);
  EXPECT_EQ(a->states, (std::vector<bool>{true, false}));
}

// a is back with a payload held and waits (a NUMSUB poll every 50 ms) for
// b, which never returns.
class WaitingTest : public BackplaneTest {
 protected:
  void bring_a_back_waiting(Node& a, std::unique_ptr<Node>& b) {
    a.link->start();
    b->link->start();
    ASSERT_TRUE(
        loop_.run_until([&] { return a.up_notified() && b->up_notified(); }));
    a.link->publish("x");  // its reply: the channel has 2 subscribers
    ASSERT_TRUE(loop_.run_until([&] {
      return a.m.published.load() == 1 && a.got_last("x") && b->got_last("x");
    }));
    redis_->kill9();
    ASSERT_TRUE(loop_.run_until([&] { return !a.up() && !b->up(); }));
    b.reset();
    a.link->publish("held");
    ASSERT_NO_FATAL_FAILURE(start_redis());
  }
  sockjs::BackplaneOptions waiting_options() const {
    auto o = options();
    o.resubscribe_wait_ms = 60000;
    return o;
  }
};

TEST_F(WaitingTest, DestroyWhileWaitingForSubscribers) {
  ASSERT_NO_FATAL_FAILURE(start_redis());
  auto a = make_node(waiting_options());
  auto b = make_node();
  ASSERT_NO_FATAL_FAILURE(bring_a_back_waiting(*a, b));
  ASSERT_TRUE(loop_.run_until([&] { return a->up_notified(); }));
  loop_.run_for(200ms);  // NUMSUB polls come and go
  EXPECT_GT(a->m.buffered_bytes.load(), 0);
  a->link.reset();
  EXPECT_EQ(a->m.buffered_bytes.load(), 0);
  EXPECT_EQ(a->m.lost_in_flight.load(), 0u);  // a NUMSUB is no PUBLISH
  EXPECT_EQ(a->m.state.load(), 0);
  size_t logs = a->logs.size();
  loop_.run_for(300ms);  // a live poll timer would fire several times
  EXPECT_EQ(a->logs.size(), logs);
  EXPECT_EQ(a->got, std::vector<std::string>{"x"});
}

TEST_F(WaitingTest, DestroyFromInsideStateChangeUpWhileWaiting) {
  ASSERT_NO_FATAL_FAILURE(start_redis());
  auto a = make_node(waiting_options());
  auto b = make_node();
  a->on_state = [&](bool up) {
    if (up && a->states.size() == 3) a->link.reset();
  };
  ASSERT_NO_FATAL_FAILURE(bring_a_back_waiting(*a, b));
  ASSERT_TRUE(loop_.run_until([&] { return a->link == nullptr; }));
  size_t logs = a->logs.size();
  loop_.run_for(300ms);
  EXPECT_EQ(a->logs.size(), logs);
  EXPECT_EQ(a->states, (std::vector<bool>{true, false, true}));
  EXPECT_EQ(a->got, std::vector<std::string>{"x"});
}

TEST_F(BackplaneTest, StopFromInsideDeliverThenNothingMore) {
  ASSERT_NO_FATAL_FAILURE(start_redis());
  auto a = make_node();
  auto b = make_node();
  a->on_deliver = [&](std::string_view) { a->link->stop(); };
  a->link->start();
  b->link->start();
  ASSERT_TRUE(
      loop_.run_until([&] { return a->up_notified() && b->up_notified(); }));
  for (int i = 0; i < 5; ++i) b->link->publish("m" + std::to_string(i));
  // a stops at its first message; Redis may write to b before a.
  ASSERT_TRUE(
      loop_.run_until([&] { return b->got_last("m4") && !a->got.empty(); }));
  redis_->kill9();  // no StateChange(false) for a: it is stopped
  ASSERT_TRUE(loop_.run_until([&] { return !b->up(); }));
  loop_.run_for(100ms);
  EXPECT_EQ(a->got, std::vector<std::string>{"m0"});
  EXPECT_EQ(a->states, std::vector<bool>{true});
  EXPECT_FALSE(a->link->up());
  EXPECT_EQ(a->m.state.load(), 0);
  a->link->publish("ignored after stop");
  a->link->start();  // once only: does nothing now
  loop_.run_for(100ms);
  EXPECT_EQ(a->m.state.load(), 0);
  EXPECT_EQ(a->m.published.load(), 0u);
}

}  // namespace
}  // namespace sockjs_test
