// The features over real sockets (mode A): accept/reject decided on the
// application thread and on other threads, listing and closing sessions
// and reading metrics from a thread other than the consumer, LOG events
// through the event queue. Labelled "threads" for the TSan build.
#include <gtest/gtest.h>
#include <sockjs.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "../loopback/harness.hpp"
#include "../loopback/http_client.hpp"
#include "../loopback/ws_client.hpp"

namespace {

using loopback::Harness;
using loopback::HarnessConfig;
using loopback::RecordedEvent;
using loopback::WsClient;

// Accepts sessions whose URL carries token=good, rejects the others.
HarnessConfig token_checked() {
  HarnessConfig cfg;
  cfg.services = {
      {"/echo", [](sockjs_options* o) { sockjs_options_set_authorize(o, 1); }}};
  cfg.on_event = [](sockjs_server* s, const RecordedEvent& e) {
    if (e.type != SOCKJS_EVENT_OPEN) return;
    if (e.info.url.find("token=good") != std::string::npos)
      sockjs_conn_accept(s, e.conn);
    else
      sockjs_conn_reject(s, e.conn, 4401, "bad token");
  };
  return cfg;
}

TEST(FeaturesSocket, AuthorizeOnTheAppThreadOverWebSocket) {
  Harness h(token_checked());
  ASSERT_TRUE(h.ok()) << h.error();
  WsClient good;
  ASSERT_TRUE(good.open(h.port(), "/echo/000/g/websocket?token=good"));
  EXPECT_EQ(good.read().payload, "o");
  ASSERT_TRUE(good.send_text("[\"hi\"]"));
  EXPECT_EQ(good.read().payload, "a[\"hi\"]");
  WsClient bad;
  ASSERT_TRUE(bad.open(h.port(), "/echo/000/b/websocket?token=evil"));
  ASSERT_TRUE(bad.send_text("[\"sneaky\"]"));
  EXPECT_EQ(bad.read().payload, "c[4401,\"bad token\"]");
  EXPECT_EQ(bad.read().opcode, 8);
  ASSERT_TRUE(h.wait_for([](const std::vector<RecordedEvent>& evs) {
    for (const auto& e : evs)
      if (e.type == SOCKJS_EVENT_CLOSE && e.code == 4401) return true;
    return false;
  }));
  EXPECT_EQ(h.count(SOCKJS_EVENT_MESSAGE), 1u);  // only "hi"
}

TEST(FeaturesSocket, AuthorizeOverXhrPolling) {
  Harness h(token_checked());
  ASSERT_TRUE(h.ok()) << h.error();
  auto bad =
      loopback::http_request(h.port(), "POST", "/echo/000/xb/xhr?token=no");
  EXPECT_EQ(bad.status, 200);
  EXPECT_EQ(bad.body, "c[4401,\"bad token\"]\n");
  auto good =
      loopback::http_request(h.port(), "POST", "/echo/000/xg/xhr?token=good");
  EXPECT_EQ(good.body, "o\n");
}

TEST(FeaturesSocket, DecisionFromAnotherThread) {
  HarnessConfig cfg;
  cfg.services = {
      {"/echo", [](sockjs_options* o) { sockjs_options_set_authorize(o, 1); }}};
  Harness h(cfg);
  ASSERT_TRUE(h.ok()) << h.error();
  WsClient ws[4];
  for (int i = 0; i < 4; ++i)
    ASSERT_TRUE(
        ws[i].open(h.port(), "/echo/000/t" + std::to_string(i) + "/websocket"));
  std::vector<uint64_t> ids;
  for (size_t i = 0; i < 4; ++i) ids.push_back(h.wait_open(i));
  // Two threads race to decide each session: exactly one wins.
  std::atomic<int> wins{0};
  auto decide = [&](bool accept) {
    for (uint64_t id : ids) {
      int rc = accept ? sockjs_conn_accept(h.server(), id)
                      : sockjs_conn_reject(h.server(), id, 4000, "lost");
      if (rc == SOCKJS_OK) ++wins;
      // The loser sees the decision taken, or (a rejected WebSocket ends
      // at once) the session gone.
      EXPECT_TRUE(rc == SOCKJS_OK || rc == SOCKJS_E_STATE ||
                  rc == SOCKJS_E_UNKNOWN_CONN)
          << rc;
    }
  };
  std::thread a(decide, true), b(decide, false);
  a.join();
  b.join();
  EXPECT_EQ(wins.load(), 4);
  for (auto& c : ws) {
    std::string first = c.read().payload;
    EXPECT_TRUE(first == "o" || first == "c[4000,\"lost\"]") << first;
  }
}

TEST(FeaturesSocket, ListAndCloseSessionsFromAnotherThread) {
  Harness h;
  ASSERT_TRUE(h.ok()) << h.error();
  WsClient ws[3];
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(
        ws[i].open(h.port(), "/echo/000/l" + std::to_string(i) + "/websocket"));
    EXPECT_EQ(ws[i].read().payload, "o");
  }
  sockjs_conn_id ids[8];
  size_t count = 0;
  ASSERT_EQ(sockjs_server_list_sessions(h.server(), 0, ids, 8, &count),
            SOCKJS_OK);
  EXPECT_EQ(count, 3u);
  size_t closed = 0;
  ASSERT_EQ(
      sockjs_server_close_sessions(h.server(), -1, 3002, "restart", &closed),
      SOCKJS_OK);
  EXPECT_EQ(closed, 3u);
  for (auto& c : ws) EXPECT_EQ(c.read().payload, "c[3002,\"restart\"]");
  ASSERT_TRUE(h.wait_for([](const std::vector<RecordedEvent>& evs) {
    int n = 0;
    for (const auto& e : evs) n += e.type == SOCKJS_EVENT_CLOSE;
    return n == 3;
  }));
  ASSERT_EQ(sockjs_server_list_sessions(h.server(), 0, ids, 8, &count),
            SOCKJS_OK);
  EXPECT_EQ(count, 0u);
}

TEST(FeaturesSocket, MetricsReadWhileTrafficFlows) {
  HarnessConfig cfg;
  cfg.server_tweak = [](sockjs_server_options* o) {
    sockjs_server_options_set_log_level(o, SOCKJS_LOG_DEBUG);
  };
  Harness h(cfg);
  ASSERT_TRUE(h.ok()) << h.error();
  std::atomic<bool> stop{false};
  std::thread reader([&] {
    std::vector<char> buf(1 << 16);
    while (!stop) {
      size_t need = 0;
      sockjs_server_metrics_prometheus(h.server(), buf.data(), buf.size(),
                                       &need);
      sockjs_metric ms[64];
      ms[0].size = sizeof ms[0];
      size_t n = 0;
      sockjs_server_metrics(h.server(), ms, 64, &n);
    }
  });
  WsClient ws;
  ASSERT_TRUE(ws.open(h.port(), "/echo/000/m/websocket"));
  EXPECT_EQ(ws.read().payload, "o");
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(ws.send_text("[\"m\"]"));
    EXPECT_EQ(ws.read().payload, "a[\"m\"]");
  }
  stop = true;
  reader.join();
  sockjs_metric ms[128];
  ms[0].size = sizeof ms[0];
  size_t n = 0;
  ASSERT_EQ(sockjs_server_metrics(h.server(), ms, 128, &n), SOCKJS_OK);
  long long in = -1, out = -1;
  for (size_t i = 0; i < n; ++i) {
    if (std::string(ms[i].name) == "sockjs_messages_received_total")
      in = static_cast<long long>(ms[i].value);
    if (std::string(ms[i].name) == "sockjs_messages_sent_total")
      out = static_cast<long long>(ms[i].value);
  }
  EXPECT_EQ(in, 50);
  EXPECT_EQ(out, 50);
  // The upgrade's debug line came through the event queue.
  ASSERT_TRUE(h.wait_for([](const std::vector<RecordedEvent>& evs) {
    for (const auto& e : evs)
      if (e.type == SOCKJS_EVENT_LOG && e.code == SOCKJS_LOG_DEBUG &&
          e.data.find("/echo/000/m/websocket 101") != std::string::npos)
        return true;
    return false;
  }));
}

}  // namespace
