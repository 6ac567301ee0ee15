// Cross-thread behaviour of mode A (labelled "threads": run under TSan):
// concurrent sends to one session, backpressure with DRAIN, sends racing a
// session close or the server's shutdown, answers from a worker thread.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <map>
#include <thread>

#include "harness.hpp"
#include "http_client.hpp"
#include "sockjs_frames.hpp"
#include "ws_client.hpp"

namespace loopback {
namespace {

// Reads SockJS frames until `want` messages or a close frame arrived.
std::vector<std::string> read_messages(WsClient& ws, size_t want,
                                       Frame* close = nullptr) {
  std::vector<std::string> got;
  while (got.size() < want) {
    WsMessage m = ws.read();
    if (m.opcode != 1) break;
    Frame f = parse_frame(m.payload);
    if (f.type == 'h') continue;
    if (f.type == 'c' && close) *close = f;
    if (f.type != 'a') break;
    got.insert(got.end(), f.messages.begin(), f.messages.end());
  }
  return got;
}

// Sends, retrying (after a pause) while the send buffer is full.
int send_retrying(sockjs_server* s, uint64_t conn, const std::string& text) {
  for (;;) {
    int rc = sockjs_conn_send(s, conn, text.data(), text.size());
    if (rc != SOCKJS_E_AGAIN) return rc;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

TEST(Threads, FourThreadsSendToOneSession) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 500;
  HarnessConfig cfg;
  cfg.echo = false;
  Harness h(cfg);
  ASSERT_TRUE(h.ok()) << h.error();
  WsClient ws;
  ASSERT_TRUE(ws.open(h.port(), "/echo/000/mt/websocket"));
  ASSERT_EQ(ws.read().payload, "o");
  uint64_t conn = h.wait_open();
  ASSERT_NE(conn, 0u);

  std::atomic<int> failures{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> senders;
  for (int t = 0; t < kThreads; ++t)
    senders.emplace_back([&, t] {
      while (!go.load()) std::this_thread::yield();
      for (int i = 0; i < kPerThread; ++i) {
        std::string msg = std::to_string(t) + ":" + std::to_string(i);
        if (send_retrying(h.server(), conn, msg) != SOCKJS_OK) ++failures;
      }
    });
  go = true;
  // Read while the senders run.
  std::vector<std::string> got = read_messages(ws, kThreads * kPerThread);
  for (auto& th : senders) th.join();
  EXPECT_EQ(failures.load(), 0);
  ASSERT_EQ(got.size(), static_cast<size_t>(kThreads * kPerThread));
  std::map<int, int> next;  // per thread: the next index expected
  for (const std::string& m : got) {
    size_t colon = m.find(':');
    ASSERT_NE(colon, std::string::npos) << m;
    int t = std::stoi(m.substr(0, colon));
    int i = std::stoi(m.substr(colon + 1));
    EXPECT_EQ(i, next[t]) << "thread " << t << " out of order";
    next[t] = i + 1;
  }
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(next[t], kPerThread);
  EXPECT_TRUE(h.close_and_wait());
}

// A client that does not read and a small send buffer: sends end up
// refused with SOCKJS_E_AGAIN; once the client reads, DRAIN arrives and
// sends are accepted again. Nothing accepted is lost.
// Channels in mode A: joins are ordered with publishes; two publishing
// threads reach every member exactly once, each thread's messages in order.
TEST(Threads, TwoThreadsPublishToAChannel) {
  constexpr int kMembers = 3;
  constexpr int kPerThread = 300;
  HarnessConfig cfg;
  cfg.echo = false;
  Harness h(cfg);
  ASSERT_TRUE(h.ok()) << h.error();
  WsClient ws[kMembers + 1];  // the last one does not join
  uint64_t conns[kMembers + 1];
  for (int i = 0; i <= kMembers; ++i) {
    ASSERT_TRUE(ws[i].open(h.port(),
                           "/echo/000/ch" + std::to_string(i) + "/websocket"));
    ASSERT_EQ(ws[i].read().payload, "o");
    conns[i] = h.wait_open(static_cast<size_t>(i));
    ASSERT_NE(conns[i], 0u);
  }
  for (int i = 0; i < kMembers; ++i)
    ASSERT_EQ(sockjs_conn_join(h.server(), conns[i], "room"), SOCKJS_OK);
  std::atomic<int> failures{0};
  std::vector<std::thread> publishers;
  for (int t = 0; t < 2; ++t)
    publishers.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string msg = std::to_string(t) + ":" + std::to_string(i);
        if (sockjs_server_publish(h.server(), 0, "room", msg.data(),
                                  msg.size()) != SOCKJS_OK)
          ++failures;
      }
    });
  for (auto& th : publishers) th.join();
  EXPECT_EQ(failures.load(), 0);
  const char last[] = "end";
  ASSERT_EQ(sockjs_server_publish(h.server(), 0, nullptr, last, 3), SOCKJS_OK);
  for (int m = 0; m < kMembers; ++m) {
    std::vector<std::string> got = read_messages(ws[m], 2 * kPerThread + 1);
    ASSERT_EQ(got.size(), static_cast<size_t>(2 * kPerThread + 1));
    EXPECT_EQ(got.back(), "end");
    got.pop_back();
    int next[2] = {0, 0};
    for (const std::string& msg : got) {
      int t = msg[0] - '0';
      ASSERT_TRUE(t == 0 || t == 1) << msg;
      EXPECT_EQ(std::stoi(msg.substr(2)), next[t]) << "member " << m;
      ++next[t];
    }
  }
  // The member that did not join got the whole-service message only.
  EXPECT_EQ(read_messages(ws[kMembers], 1), std::vector<std::string>{"end"});
}

TEST(Threads, BackpressureThenDrain) {
  constexpr size_t kLimit = 16 * 1024;
  HarnessConfig cfg;
  cfg.echo = false;
  cfg.services = {{"/echo", [](sockjs_options* o) {
                     sockjs_options_set_send_buffer_limit(o, kLimit);
                   }}};
  Harness h(cfg);
  ASSERT_TRUE(h.ok()) << h.error();
  WsClient ws;
  ASSERT_TRUE(ws.open(h.port(), "/echo/000/bp/websocket", "", 4096));
  ASSERT_EQ(ws.read().payload, "o");
  uint64_t conn = h.wait_open();

  const std::string payload(1024, 'p');
  long filled = fill_until_stuck(h.server(), conn, payload);
  ASSERT_GT(filled, 0) << "sends never stayed refused";
  size_t accepted = static_cast<size_t>(filled);
  size_t drains_before = h.count(SOCKJS_EVENT_DRAIN, conn);
  std::cout << "[ info ] accepted " << accepted
            << " KiB before the buffers filled\n";

  // Now read everything that was accepted.
  std::vector<std::string> got = read_messages(ws, accepted);
  ASSERT_EQ(got.size(), accepted);
  for (const auto& m : got) ASSERT_EQ(m, payload);
  ASSERT_TRUE(h.wait_for([&](const std::vector<RecordedEvent>& evs) {
    size_t n = 0;
    for (const auto& e : evs)
      n += e.type == SOCKJS_EVENT_DRAIN && e.conn == conn;
    return n > drains_before;
  })) << "no DRAIN event";
  EXPECT_EQ(sockjs_conn_send(h.server(), conn, "after", 5), SOCKJS_OK);
  EXPECT_EQ(read_messages(ws, 1), std::vector<std::string>{"after"});
  EXPECT_TRUE(h.close_and_wait());
}

// Senders race a close of the same session: every send returns OK,
// CLOSED or UNKNOWN_CONN; the client gets a prefix of each sender's
// messages, in order, then the close frame.
TEST(Threads, SendsRacingASessionClose) {
  HarnessConfig cfg;
  cfg.echo = false;
  Harness h(cfg);
  ASSERT_TRUE(h.ok()) << h.error();
  WsClient ws;
  ASSERT_TRUE(ws.open(h.port(), "/echo/000/rc/websocket"));
  ASSERT_EQ(ws.read().payload, "o");
  uint64_t conn = h.wait_open();
  std::atomic<int> bad{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> senders;
  for (int t = 0; t < 3; ++t)
    senders.emplace_back([&, t] {
      while (!go.load()) std::this_thread::yield();
      for (int i = 0; i < 300; ++i) {
        std::string msg = std::to_string(t) + ":" + std::to_string(i);
        int rc = send_retrying(h.server(), conn, msg);
        if (rc == SOCKJS_E_CLOSED || rc == SOCKJS_E_UNKNOWN_CONN) break;
        if (rc != SOCKJS_OK) ++bad;
      }
    });
  go = true;
  std::this_thread::yield();
  ASSERT_EQ(sockjs_conn_close(h.server(), conn, 3100, "race"), SOCKJS_OK);
  for (auto& th : senders) th.join();
  EXPECT_EQ(bad.load(), 0);
  Frame close;
  std::vector<std::string> got = read_messages(ws, 1000000, &close);
  EXPECT_EQ(close.type, 'c');
  EXPECT_EQ(close.close_code, 3100);
  std::map<int, int> next;
  for (const std::string& m : got) {
    int t = std::stoi(m.substr(0, m.find(':')));
    int i = std::stoi(m.substr(m.find(':') + 1));
    EXPECT_EQ(i, next[t]);
    next[t] = i + 1;
  }
  ASSERT_TRUE(h.wait_close(conn));
  EXPECT_TRUE(h.close_and_wait());
  EXPECT_EQ(h.count(SOCKJS_EVENT_CLOSE, conn), 1u);
}

// Many sessions, senders on several threads, and sockjs_server_close from
// yet another thread: shutdown completes and each session closes once.
TEST(Threads, SendsRacingServerShutdown) {
  constexpr int kClients = 8;
  HarnessConfig cfg;
  cfg.echo = false;
  Harness h(cfg);
  ASSERT_TRUE(h.ok()) << h.error();
  std::vector<WsClient> clients(kClients);
  for (auto& c : clients) ASSERT_TRUE(c.open(h.port(), "/echo/websocket"));
  std::vector<uint64_t> conns;
  for (int i = 0; i < kClients; ++i) conns.push_back(h.wait_open(i));
  for (uint64_t c : conns) ASSERT_NE(c, 0u);
  std::atomic<int> bad{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> senders;
  for (int t = 0; t < 3; ++t)
    senders.emplace_back([&] {
      while (!go.load()) std::this_thread::yield();
      for (int round = 0; round < 200; ++round)
        for (uint64_t c : conns) {
          int rc = sockjs_conn_send(h.server(), c, "spam", 4);
          if (rc != SOCKJS_OK && rc != SOCKJS_E_AGAIN &&
              rc != SOCKJS_E_CLOSED && rc != SOCKJS_E_UNKNOWN_CONN)
            ++bad;
        }
    });
  std::thread closer([&] {
    while (!go.load()) std::this_thread::yield();
    sockjs_server_close(h.server());
  });
  go = true;
  closer.join();
  for (auto& th : senders) th.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_TRUE(h.close_and_wait());  // close again is harmless
  for (uint64_t c : conns) EXPECT_EQ(h.count(SOCKJS_EVENT_CLOSE, c), 1u);
  for (auto& c : clients) EXPECT_TRUE(c.conn().wait_eof());
}

// Forwarded requests answered from a worker thread, not the consumer.
TEST(Threads, RequestsAnsweredFromAnotherThread) {
  std::mutex mu;
  std::vector<std::pair<uint64_t, std::string>> todo;
  HarnessConfig cfg;
  cfg.server_tweak = [](sockjs_server_options* o) {
    sockjs_server_options_set_forward_unmatched(o, 1);
  };
  cfg.on_event = [&](sockjs_server*, const RecordedEvent& e) {
    if (e.type != SOCKJS_EVENT_REQUEST) return;
    std::lock_guard<std::mutex> lock(mu);
    todo.emplace_back(e.conn, e.info.url);
  };
  Harness h(cfg);
  ASSERT_TRUE(h.ok()) << h.error();
  std::atomic<bool> stop{false};
  std::thread worker([&] {
    while (!stop.load()) {
      std::vector<std::pair<uint64_t, std::string>> mine;
      {
        std::lock_guard<std::mutex> lock(mu);
        mine.swap(todo);
      }
      for (auto& r : mine)
        sockjs_request_respond(h.server(), r.first, 200, "text/plain", nullptr,
                               r.second.data(), r.second.size());
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });
  std::vector<std::thread> clients;
  std::atomic<int> right{0};
  for (int t = 0; t < 4; ++t)
    clients.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        std::string path = "/w" + std::to_string(t) + "/" + std::to_string(i);
        HttpResponse r = http_request(h.port(), "GET", path);
        if (r.ok && r.status == 200 && r.body == path) ++right;
      }
    });
  for (auto& c : clients) c.join();
  stop = true;
  worker.join();
  EXPECT_EQ(right.load(), 40);
  EXPECT_TRUE(h.close_and_wait());
}

TEST(Threads, WakeupEndsAWaitOnAnotherThread) {
  HarnessConfig cfg;
  cfg.app_thread = false;
  Harness h(cfg);
  ASSERT_TRUE(h.ok()) << h.error();
  std::atomic<int> rc{1};
  std::thread waiter([&] { rc = sockjs_server_wait(h.server(), 20000); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_EQ(sockjs_server_wakeup(h.server()), SOCKJS_OK);
  waiter.join();
  EXPECT_EQ(rc.load(), SOCKJS_OK);
  EXPECT_TRUE(h.close_and_wait());
}

}  // namespace
}  // namespace loopback
