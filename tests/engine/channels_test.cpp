// Channels and publishing (sockjs_conn_join/leave, sockjs_server_publish,
// sockjs_server_publish_to) through the feed mode, byte-exact on the wire.
#include "harness.hpp"

namespace sockjs_test {
namespace {

using Texts = std::vector<std::string>;

// A SockJS WebSocket session on a service, past its "o" frame.
struct Member {
  WsClient ws;
  sockjs_conn_id conn = 0;
  Member(Harness& h, const std::string& service)
      : ws(h, service + "/000/" + fresh_id() + "/websocket") {
    EXPECT_EQ(ws.texts(), Texts{"o"});
    conn = h.last_open();
    EXPECT_NE(conn, 0u);
  }
};

int publish(Harness& h, int service, const char* channel,
            std::string_view text) {
  int rc = sockjs_server_publish(h.server(), service, channel, text.data(),
                                 text.size());
  h.pump();
  return rc;
}

uint64_t metric(Harness& h, const char* name, int service) {
  sockjs_metric ms[256];
  ms[0].size = sizeof(sockjs_metric);
  size_t n = 0;
  EXPECT_EQ(sockjs_server_metrics(h.server(), ms, 256, &n), SOCKJS_OK);
  for (size_t i = 0; i < n && i < 256; ++i)
    if (std::string(ms[i].name) == name && ms[i].service == service)
      return ms[i].value;
  ADD_FAILURE() << "no metric " << name;
  return 0;
}

class Channels : public ::testing::Test {
 protected:
  Channels() { h.set_echo(false); }
  Harness h;
};

TEST_F(Channels, PublishReachesOnlyTheMembers) {
  Member a(h, "/echo"), b(h, "/echo"), c(h, "/echo");
  ASSERT_EQ(sockjs_conn_join(h.server(), a.conn, "room"), SOCKJS_OK);
  ASSERT_EQ(sockjs_conn_join(h.server(), b.conn, "room"), SOCKJS_OK);
  ASSERT_EQ(sockjs_conn_join(h.server(), c.conn, "other"), SOCKJS_OK);
  ASSERT_EQ(publish(h, kEcho, "room", "hi \"all\"\n"), SOCKJS_OK);
  EXPECT_EQ(a.ws.texts(), Texts{"a[\"hi \\\"all\\\"\\n\"]"});
  EXPECT_EQ(b.ws.texts(), Texts{"a[\"hi \\\"all\\\"\\n\"]"});
  EXPECT_EQ(c.ws.texts(), Texts{});
  // A channel nobody joined, and a channel of another service, are empty.
  ASSERT_EQ(publish(h, kEcho, "nobody", "x"), SOCKJS_OK);
  ASSERT_EQ(publish(h, kCookie, "room", "x"), SOCKJS_OK);
  EXPECT_EQ(a.ws.texts(), Texts{});
  EXPECT_EQ(metric(h, "sockjs_publishes_total", kEcho), 2u);
}

TEST_F(Channels, JoiningTwiceIsOneMembershipAndLeaveStopsDelivery) {
  Member a(h, "/echo");
  ASSERT_EQ(sockjs_conn_join(h.server(), a.conn, "room"), SOCKJS_OK);
  ASSERT_EQ(sockjs_conn_join(h.server(), a.conn, "room"), SOCKJS_OK);
  ASSERT_EQ(publish(h, kEcho, "room", "one"), SOCKJS_OK);
  EXPECT_EQ(a.ws.texts(), Texts{"a[\"one\"]"});
  ASSERT_EQ(sockjs_conn_leave(h.server(), a.conn, "room"), SOCKJS_OK);
  ASSERT_EQ(sockjs_conn_leave(h.server(), a.conn, "room"), SOCKJS_OK);
  ASSERT_EQ(publish(h, kEcho, "room", "two"), SOCKJS_OK);
  EXPECT_EQ(a.ws.texts(), Texts{});
}

TEST_F(Channels, WholeServicePublishReachesEveryTransportOfThatServiceOnly) {
  Member a(h, "/echo"), other(h, "/cookie_needed_echo");
  // A raw WebSocket of the service gets the bare text.
  WsClient raw(h, "/echo/websocket");
  // An xhr-polling session gets it batched with what it was sent before.
  std::string id = fresh_id();
  EXPECT_EQ(h.post("/echo/000/" + id + "/xhr").body, "o\n");
  sockjs_conn_id polled = h.last_open();
  ASSERT_EQ(sockjs_conn_send(h.server(), polled, "before", 6), SOCKJS_OK);
  ASSERT_EQ(publish(h, kEcho, nullptr, "all"), SOCKJS_OK);
  EXPECT_EQ(a.ws.texts(), Texts{"a[\"all\"]"});
  EXPECT_EQ(raw.texts(), Texts{"all"});
  EXPECT_EQ(other.ws.texts(), Texts{});
  EXPECT_EQ(h.post("/echo/000/" + id + "/xhr").body, "a[\"before\",\"all\"]\n");
}

TEST_F(Channels, ClosedSessionsLeaveTheirChannels) {
  Member a(h, "/echo"), b(h, "/echo");
  ASSERT_EQ(sockjs_conn_join(h.server(), a.conn, "room"), SOCKJS_OK);
  ASSERT_EQ(sockjs_conn_join(h.server(), b.conn, "room"), SOCKJS_OK);
  h.close_stream(a.ws.st);  // the peer vanished: the session ends
  h.pump();
  ASSERT_EQ(h.events_of(SOCKJS_EVENT_CLOSE).size(), 1u);
  EXPECT_EQ(sockjs_conn_join(h.server(), a.conn, "room"),
            SOCKJS_E_UNKNOWN_CONN);
  ASSERT_EQ(publish(h, kEcho, "room", "left"), SOCKJS_OK);
  EXPECT_EQ(b.ws.texts(), Texts{"a[\"left\"]"});
  // A closing HTTP session (its close frame is served until it expires)
  // accepts no joins, and publishes skip it.
  std::string id = fresh_id();
  EXPECT_EQ(h.post("/echo/000/" + id + "/xhr").body, "o\n");
  sockjs_conn_id polled = h.last_open();
  ASSERT_EQ(sockjs_conn_join(h.server(), polled, "room"), SOCKJS_OK);
  ASSERT_EQ(sockjs_conn_close(h.server(), polled, 3000, "bye"), SOCKJS_OK);
  h.pump();
  EXPECT_EQ(sockjs_conn_join(h.server(), polled, "room"), SOCKJS_E_CLOSED);
  ASSERT_EQ(publish(h, kEcho, "room", "late"), SOCKJS_OK);
  EXPECT_EQ(b.ws.texts(), Texts{"a[\"late\"]"});
  EXPECT_EQ(h.post("/echo/000/" + id + "/xhr").body, "c[3000,\"bye\"]\n");
}

TEST_F(Channels, AFullMemberMissesTheMessageAndOthersGetIt) {
  Harness small(Config{.send_buffer_limit = 64, .echo = false});
  Member slow(small, "/echo"), fast(small, "/echo");
  for (Member* m : {&slow, &fast})
    ASSERT_EQ(sockjs_conn_join(small.server(), m->conn, "room"), SOCKJS_OK);
  // The slow member's peer does not read: fill its buffer past the limit.
  std::string big(80, 'x');
  ASSERT_EQ(sockjs_conn_send(small.server(), slow.conn, big.data(), big.size()),
            SOCKJS_OK);
  small.pump();
  ASSERT_EQ(publish(small, kEcho, "room", "news"), SOCKJS_OK);
  EXPECT_EQ(fast.ws.texts(), Texts{"a[\"news\"]"});
  EXPECT_EQ(slow.ws.texts(), Texts{"a[\"" + big + "\"]"});
  EXPECT_EQ(metric(small, "sockjs_publish_dropped_total", kEcho), 1u);
}

TEST_F(Channels, BadArgumentsAreRefused) {
  Member a(h, "/echo");
  sockjs_server* s = h.server();
  EXPECT_EQ(sockjs_conn_join(s, a.conn, ""), SOCKJS_E_INVALID_ARGUMENT);
  EXPECT_EQ(sockjs_conn_join(s, a.conn, nullptr), SOCKJS_E_INVALID_ARGUMENT);
  EXPECT_EQ(sockjs_conn_join(s, a.conn, "\xff"), SOCKJS_E_INVALID_ARGUMENT);
  std::string longest(SOCKJS_MAX_CHANNEL_NAME, 'n');
  EXPECT_EQ(sockjs_conn_join(s, a.conn, longest.c_str()), SOCKJS_OK);
  EXPECT_EQ(sockjs_conn_join(s, a.conn, (longest + "n").c_str()),
            SOCKJS_E_INVALID_ARGUMENT);
  EXPECT_EQ(sockjs_conn_join(s, a.conn + 1000, "room"), SOCKJS_E_UNKNOWN_CONN);
  EXPECT_EQ(sockjs_conn_leave(s, a.conn + 1000, "room"), SOCKJS_E_UNKNOWN_CONN);
  EXPECT_EQ(sockjs_server_publish(s, 99, nullptr, "x", 1),
            SOCKJS_E_INVALID_ARGUMENT);
  EXPECT_EQ(sockjs_server_publish(s, -1, nullptr, "x", 1),
            SOCKJS_E_INVALID_ARGUMENT);
  EXPECT_EQ(sockjs_server_publish(s, kEcho, "", "x", 1),
            SOCKJS_E_INVALID_ARGUMENT);
  EXPECT_EQ(sockjs_server_publish(s, kEcho, nullptr, "\xc3", 1),
            SOCKJS_E_INVALID_ARGUMENT);
  EXPECT_EQ(sockjs_server_publish(s, kEcho, nullptr, nullptr, 0), SOCKJS_OK);
  h.pump();
  EXPECT_EQ(a.ws.texts(), Texts{"a[\"\"]"});
}

TEST(ChannelsNode, ConnIdsCarryTheNodeIdAndPublishToRoutesByIt) {
  Harness h(Config{.echo = false, .node_id = 513});
  Member a(h, "/echo");
  EXPECT_EQ(SOCKJS_CONN_NODE(a.conn), 513u);
  ASSERT_EQ(sockjs_server_publish_to(h.server(), a.conn, "direct", 6),
            SOCKJS_OK);
  h.pump();
  EXPECT_EQ(a.ws.texts(), Texts{"a[\"direct\"]"});
  // Another node's id with no backplane: nowhere to send it.
  sockjs_conn_id remote = (uint64_t{514} << 48) | (a.conn & 0xFFFFFFFFFFFFull);
  EXPECT_EQ(sockjs_server_publish_to(h.server(), remote, "x", 1),
            SOCKJS_E_UNKNOWN_CONN);
  sockjs_server_options* so = nullptr;
  ASSERT_EQ(sockjs_server_options_new(&so), SOCKJS_OK);
  EXPECT_EQ(sockjs_server_options_set_node_id(so, 65536),
            SOCKJS_E_INVALID_ARGUMENT);
  sockjs_server_options_free(so);
}

}  // namespace
}  // namespace sockjs_test
