// The backplane through the public C API: two servers of this process
// (nodes 1 and 2) joined by a real redis-server, real WebSocket clients on
// each. Checks exactly-once delivery, per-publisher order, publish_to
// across nodes, the listen-time wait, and a Redis restart mid-run.
#include <gtest/gtest.h>
#include <sockjs.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "../loopback/harness.hpp"
#include "../loopback/sockjs_frames.hpp"
#include "../loopback/ws_client.hpp"
#include "redis_server.hpp"

namespace {

using loopback::Harness;
using loopback::HarnessConfig;
using loopback::WsClient;
using sockjs_test::RedisServer;

HarnessConfig node_config(unsigned node_id, uint16_t redis_port,
                          uint32_t connect_timeout_ms = 5000) {
  HarnessConfig cfg;
  cfg.echo = false;
  cfg.server_tweak = [=](sockjs_server_options* so) {
    EXPECT_EQ(sockjs_server_options_set_node_id(so, node_id), SOCKJS_OK);
    EXPECT_EQ(
        sockjs_server_options_set_backplane_redis(so, "127.0.0.1", redis_port),
        SOCKJS_OK);
    EXPECT_EQ(sockjs_server_options_set_backplane_channel(so, "cluster-test"),
              SOCKJS_OK);
    EXPECT_EQ(sockjs_server_options_set_backplane_connect_timeout_ms(
                  so, connect_timeout_ms),
              SOCKJS_OK);
  };
  return cfg;
}

// The messages of the a-frames that arrive within timeout_ms, until want.
std::vector<std::string> read_messages(WsClient& ws, size_t want,
                                       int timeout_ms = 5000) {
  std::vector<std::string> got;
  auto until =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (got.size() < want && std::chrono::steady_clock::now() < until) {
    loopback::WsMessage m = ws.read(timeout_ms);
    if (m.opcode != 1) break;
    loopback::Frame f = loopback::parse_frame(m.payload);
    if (f.type == 'a')
      got.insert(got.end(), f.messages.begin(), f.messages.end());
  }
  return got;
}

uint64_t metric(sockjs_server* s, const std::string& name) {
  sockjs_metric ms[256];
  ms[0].size = sizeof(sockjs_metric);
  size_t n = 0;
  sockjs_server_metrics(s, ms, 256, &n);
  for (size_t i = 0; i < n && i < 256; ++i)
    if (name == ms[i].name) return ms[i].value;
  return UINT64_MAX;
}

bool wait_metric(sockjs_server* s, const std::string& name, uint64_t want,
                 int timeout_ms = 10000) {
  for (int waited = 0; waited < timeout_ms; waited += 20) {
    if (metric(s, name) == want) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

// A SockJS WebSocket session on a node, past its open frame.
struct Client {
  WsClient ws;
  uint64_t conn = 0;
  bool open(Harness& h, const std::string& id, size_t open_index) {
    if (!ws.open(h.port(), "/echo/000/" + id + "/websocket")) return false;
    if (ws.read().payload != "o") return false;
    conn = h.wait_open(open_index);
    return conn != 0;
  }
};

class Cluster : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(RedisServer::binary().empty())
        << "redis-server is not installed: run scripts/install-deps.sh "
           "--cluster";
    redis_ = std::make_unique<RedisServer>(sockjs_test::free_loopback_port());
    std::string err;
    ASSERT_TRUE(redis_->start(err)) << err;
    n1_ = std::make_unique<Harness>(node_config(1, redis_->port()));
    n2_ = std::make_unique<Harness>(node_config(2, redis_->port()));
    ASSERT_TRUE(n1_->ok()) << n1_->error();
    ASSERT_TRUE(n2_->ok()) << n2_->error();
  }
  std::unique_ptr<RedisServer> redis_;
  std::unique_ptr<Harness> n1_, n2_;
};

TEST_F(Cluster, ChannelPublishesReachEveryNodeExactlyOnceInOrder) {
  Client a, b, c;  // a on node 1; b and c on node 2; c joins nothing
  ASSERT_TRUE(a.open(*n1_, "a", 0));
  ASSERT_TRUE(b.open(*n2_, "b", 0));
  ASSERT_TRUE(c.open(*n2_, "c", 1));
  EXPECT_EQ(SOCKJS_CONN_NODE(a.conn), 1u);
  EXPECT_EQ(SOCKJS_CONN_NODE(b.conn), 2u);
  ASSERT_EQ(sockjs_conn_join(n1_->server(), a.conn, "room"), SOCKJS_OK);
  ASSERT_EQ(sockjs_conn_join(n2_->server(), b.conn, "room"), SOCKJS_OK);
  // A join is applied on the I/O thread; the publishes below are ordered
  // after it on their own node, but the other node's membership must be in
  // place before its first remote message arrives: check it is.
  ASSERT_EQ(sockjs_server_publish(n2_->server(), 0, "room", "sync", 4),
            SOCKJS_OK);
  ASSERT_EQ(read_messages(b.ws, 1), std::vector<std::string>{"sync"});
  ASSERT_EQ(read_messages(a.ws, 1), std::vector<std::string>{"sync"});

  constexpr int kPerNode = 300;
  std::thread p1([&] {
    for (int i = 0; i < kPerNode; ++i) {
      std::string m = "1:" + std::to_string(i);
      EXPECT_EQ(
          sockjs_server_publish(n1_->server(), 0, "room", m.data(), m.size()),
          SOCKJS_OK);
    }
  });
  std::thread p2([&] {
    for (int i = 0; i < kPerNode; ++i) {
      std::string m = "2:" + std::to_string(i);
      EXPECT_EQ(
          sockjs_server_publish(n2_->server(), 0, "room", m.data(), m.size()),
          SOCKJS_OK);
    }
  });
  p1.join();
  p2.join();
  // A whole-service publish from node 2 marks the end for everyone.
  ASSERT_EQ(sockjs_server_publish(n2_->server(), 0, nullptr, "end", 3),
            SOCKJS_OK);
  for (Client* cl : {&a, &b}) {
    std::vector<std::string> got = read_messages(cl->ws, 2 * kPerNode + 1);
    ASSERT_EQ(got.size(), static_cast<size_t>(2 * kPerNode + 1));
    int next[3] = {0, 0, 0};
    bool end_seen = false;
    for (const std::string& m : got) {
      if (m == "end") {
        end_seen = true;
        continue;
      }
      int node = m[0] - '0';
      ASSERT_TRUE(node == 1 || node == 2) << m;
      EXPECT_EQ(std::stoi(m.substr(2)), next[node]) << "from node " << node;
      ++next[node];
    }
    EXPECT_TRUE(end_seen);
    EXPECT_EQ(next[1], kPerNode);
    EXPECT_EQ(next[2], kPerNode);
    // Exactly once: nothing more arrives (a duplicate would be here by now:
    // the end marker came after every message in Redis order).
    EXPECT_TRUE(read_messages(cl->ws, 1, 300).empty());
  }
  EXPECT_EQ(read_messages(c.ws, 2, 500), std::vector<std::string>{"end"});
  EXPECT_EQ(metric(n1_->server(), "sockjs_backplane_state"), 2u);
  // Every PUBLISH reached both nodes' subscriptions.
  EXPECT_EQ(metric(n1_->server(), "sockjs_backplane_subscribers"), 2u);
  EXPECT_EQ(metric(n1_->server(), "sockjs_backplane_underdelivered_total"), 0u);
}

TEST_F(Cluster, PublishToReachesASessionOnAnotherNode) {
  Client a, b;
  ASSERT_TRUE(a.open(*n1_, "a", 0));
  ASSERT_TRUE(b.open(*n2_, "b", 0));
  ASSERT_EQ(sockjs_server_publish_to(n1_->server(), b.conn, "for b", 5),
            SOCKJS_OK);
  ASSERT_EQ(sockjs_server_publish_to(n2_->server(), a.conn, "for a", 5),
            SOCKJS_OK);
  EXPECT_EQ(read_messages(b.ws, 1), std::vector<std::string>{"for b"});
  EXPECT_EQ(read_messages(a.ws, 1), std::vector<std::string>{"for a"});
  // A local id is an ordinary send, with its errors.
  EXPECT_EQ(sockjs_server_publish_to(n1_->server(), a.conn + 100, "x", 1),
            SOCKJS_E_UNKNOWN_CONN);
  EXPECT_EQ(sockjs_server_publish_to(n1_->server(), b.conn, "\xff", 1),
            SOCKJS_E_INVALID_ARGUMENT);
}

TEST_F(Cluster, SessionsSurviveARedisRestartAndBroadcastingResumes) {
  Client a, b;
  ASSERT_TRUE(a.open(*n1_, "a", 0));
  ASSERT_TRUE(b.open(*n2_, "b", 0));
  uint16_t port = redis_->port();
  redis_->kill9();
  ASSERT_TRUE(wait_metric(n1_->server(), "sockjs_backplane_state", 1));
  ASSERT_TRUE(wait_metric(n2_->server(), "sockjs_backplane_state", 1));
  // Down: local delivery goes on, sessions stay open.
  ASSERT_EQ(sockjs_server_publish(n1_->server(), 0, nullptr, "local", 5),
            SOCKJS_OK);
  EXPECT_EQ(read_messages(a.ws, 1), std::vector<std::string>{"local"});
  redis_ = std::make_unique<RedisServer>(port);
  std::string err;
  ASSERT_TRUE(redis_->start(err)) << err;
  ASSERT_TRUE(wait_metric(n1_->server(), "sockjs_backplane_state", 2));
  ASSERT_TRUE(wait_metric(n2_->server(), "sockjs_backplane_state", 2));
  EXPECT_GE(metric(n1_->server(), "sockjs_backplane_reconnects_total"), 1u);
  ASSERT_EQ(sockjs_server_publish(n1_->server(), 0, nullptr, "again", 5),
            SOCKJS_OK);
  EXPECT_EQ(read_messages(a.ws, 1), std::vector<std::string>{"again"});
  // b may also get "local" (held while Redis was down, sent once node 1
  // was up again, if node 2 had re-subscribed by then): never twice, and
  // always before "again".
  std::vector<std::string> got = read_messages(b.ws, 2, 3000);
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got.back(), "again");
  if (got.size() == 2) {
    EXPECT_EQ(got[0], "local");
  }
}

TEST(ClusterStart, ListenFailsWhenRedisIsUnreachable) {
  uint16_t closed_port = sockjs_test::free_loopback_port();
  auto t0 = std::chrono::steady_clock::now();
  Harness h(node_config(1, closed_port, 300));
  EXPECT_FALSE(h.ok());
  EXPECT_NE(h.error().find("not reachable"), std::string::npos) << h.error();
  // It gave up after the connect timeout, not at once and not much later.
  auto waited = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(waited, std::chrono::milliseconds(250));
}

TEST(ClusterStart, FeedModeRefusesABackplane) {
  sockjs_server_options* so = nullptr;
  ASSERT_EQ(sockjs_server_options_new(&so), SOCKJS_OK);
  ASSERT_EQ(sockjs_server_options_set_backplane_redis(so, "127.0.0.1", 6379),
            SOCKJS_OK);
  EXPECT_EQ(sockjs_server_options_set_backplane_redis(so, "127.0.0.1", 0),
            SOCKJS_E_INVALID_ARGUMENT);
  EXPECT_EQ(sockjs_server_options_set_backplane_channel(so, ""),
            SOCKJS_E_INVALID_ARGUMENT);
  EXPECT_EQ(sockjs_server_options_set_backplane_buffer_limit(so, 0),
            SOCKJS_E_INVALID_ARGUMENT);
  EXPECT_EQ(sockjs_server_options_set_backplane_resubscribe_wait_ms(so, 600001),
            SOCKJS_E_INVALID_ARGUMENT);
  EXPECT_EQ(sockjs_server_options_set_backplane_resubscribe_wait_ms(so, 0),
            SOCKJS_OK);
  sockjs_server* s = nullptr;
  char err[SOCKJS_ERRBUF_SIZE] = "";
  ASSERT_EQ(sockjs_server_new(so, &s, err), SOCKJS_OK) << err;
  sockjs_server_options_free(so);
  sockjs_stream_id st = 0;
  EXPECT_EQ(sockjs_server_stream_open(s, "127.0.0.1", 1, &st), SOCKJS_E_STATE);
  sockjs_server_free(s);
}

}  // namespace
