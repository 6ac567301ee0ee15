// Every session ends with exactly one CLOSE, whichever way it ends: peer
// close or reset, no pong, no receiving request, application close, server
// shutdown, and combinations of them (feed mode, fake clock).
#include "feed_server.hpp"

namespace hardening {
namespace {

FeedConfig heartbeat_1s() {
  FeedConfig c;
  c.service = [](sockjs_options* o) {
    sockjs_options_set_heartbeat_delay_ms(o, 1000);
    sockjs_options_set_disconnect_delay_ms(o, 2000);
  };
  return c;
}

int close_code_of(FeedServer& srv) {
  for (const Ev& e : srv.events())
    if (e.type == SOCKJS_EVENT_CLOSE) return e.code;
  return 0;
}

TEST(DeadPeers, WebSocketPeerDisappears) {
  for (const char* path : {"/echo/000/a/websocket", "/echo/websocket"}) {
    FeedServer srv(heartbeat_1s());
    sockjs_stream_id st = srv.websocket(path);
    ASSERT_NE(st, 0u);
    srv.close(st);  // EOF or reset: the host cannot tell them apart here
    EXPECT_EQ(srv.count(SOCKJS_EVENT_CLOSE), 1u);
    EXPECT_EQ(close_code_of(srv), 1002);
    srv.advance(60000);
    srv.expect_one_close_per_open();
  }
}

TEST(DeadPeers, WebSocketWithoutPongEndsAfterThePongTimeout) {
  FeedServer srv(heartbeat_1s());
  sockjs_stream_id st = srv.websocket("/echo/websocket");
  ASSERT_NE(st, 0u);
  srv.advance(1000);  // ping goes out
  std::vector<WsFrame> fr = srv.frames(st);
  ASSERT_FALSE(fr.empty());
  EXPECT_EQ(fr.back().opcode, 9);
  // The host writes out what the server gives (later pings too); the peer
  // never answers.
  for (int i = 0; i < 9; ++i) {
    srv.advance(1000);
    srv.read(st);
  }
  EXPECT_EQ(srv.count(SOCKJS_EVENT_CLOSE), 0u);
  srv.advance(1000);  // 10 s after the first ping, nothing came back
  srv.read(st);
  EXPECT_EQ(srv.count(SOCKJS_EVENT_CLOSE), 1u);
  EXPECT_EQ(close_code_of(srv), 3000);
  EXPECT_TRUE(srv.wants_close(st));
  srv.close(st);
  srv.advance(60000);
  EXPECT_EQ(srv.count(SOCKJS_EVENT_CLOSE), 1u);
  srv.expect_one_close_per_open();
}

TEST(DeadPeers, AnsweredPingsKeepTheSessionAlive) {
  FeedServer srv(heartbeat_1s());
  sockjs_stream_id st = srv.websocket("/echo/websocket");
  for (int i = 0; i < 30; ++i) {
    srv.advance(1000);
    srv.feed(st, sockjs_test::ws_client_frame(10, ""));  // pong
  }
  EXPECT_EQ(srv.count(SOCKJS_EVENT_CLOSE), 0u);
  srv.close(st);
  srv.expect_one_close_per_open();
}

TEST(DeadPeers, StreamingReceiverPeerDisappears) {
  for (const char* t : {"xhr_streaming", "eventsource", "htmlfile?c=cb"}) {
    FeedServer srv(heartbeat_1s());
    sockjs_stream_id st = 0;
    srv.request(
        req(t[0] == 'x' ? "POST" : "GET", std::string("/echo/000/s/") + t),
        &st);
    ASSERT_EQ(srv.count(SOCKJS_EVENT_OPEN), 1u) << t;
    srv.close(st);
    EXPECT_EQ(srv.count(SOCKJS_EVENT_CLOSE), 1u) << t;
    EXPECT_EQ(close_code_of(srv), 1002) << t;
    srv.advance(60000);
    srv.expect_one_close_per_open();
  }
}

TEST(DeadPeers, PollingClientThatNeverComesBackTimesOut) {
  FeedServer srv(heartbeat_1s());
  EXPECT_EQ(srv.request(req("POST", "/echo/000/p/xhr"))->body, "o\n");
  srv.advance(1999);
  EXPECT_EQ(srv.count(SOCKJS_EVENT_CLOSE), 0u);
  srv.advance(2);
  EXPECT_EQ(srv.count(SOCKJS_EVENT_CLOSE), 1u);
  EXPECT_EQ(close_code_of(srv), 1001);
  srv.advance(60000);
  srv.expect_one_close_per_open();
}

TEST(DeadPeers, ParkedPollDroppedByThePeer) {
  FeedServer srv(heartbeat_1s());
  srv.request(req("POST", "/echo/000/p/xhr"));
  sockjs_stream_id st = 0;
  srv.request(req("POST", "/echo/000/p/xhr"), &st);  // parked, waiting
  srv.close(st);
  EXPECT_EQ(srv.count(SOCKJS_EVENT_CLOSE), 1u);
  srv.advance(60000);
  srv.expect_one_close_per_open();
}

TEST(DeadPeers, ApplicationCloseThenPeerDropCountsOnce) {
  FeedServer srv(heartbeat_1s());
  sockjs_stream_id st = srv.websocket("/echo/000/a/websocket");
  ASSERT_EQ(srv.count(SOCKJS_EVENT_OPEN), 1u);
  sockjs_conn_id conn = srv.events()[0].conn;
  EXPECT_EQ(sockjs_conn_close(srv.server(), conn, 4000, "bye"), SOCKJS_OK);
  srv.pump();
  srv.close(st);
  srv.advance(60000);
  EXPECT_EQ(srv.count(SOCKJS_EVENT_CLOSE), 1u);
  EXPECT_EQ(close_code_of(srv), 4000);
  srv.expect_one_close_per_open();
}

TEST(DeadPeers, ClientCloseFrameThenDrop) {
  FeedServer srv(heartbeat_1s());
  sockjs_stream_id st = srv.websocket("/echo/websocket");
  srv.feed(st, sockjs_test::ws_client_frame(
                   8, sockjs_test::ws_close_payload(1000, "done")));
  srv.close(st);
  EXPECT_EQ(srv.count(SOCKJS_EVENT_CLOSE), 1u);
  EXPECT_EQ(close_code_of(srv), 1000);
  srv.expect_one_close_per_open();
}

TEST(DeadPeers, ShutdownClosesEverySessionOnce) {
  FeedServer srv(heartbeat_1s());
  sockjs_stream_id ws = srv.websocket("/echo/000/a/websocket");
  sockjs_stream_id raw = srv.websocket("/echo/websocket");
  sockjs_stream_id xs = 0, es = 0, parked = 0;
  srv.request(req("POST", "/echo/000/b/xhr_streaming"), &xs);
  srv.request(req("GET", "/echo/000/c/eventsource"), &es);
  srv.request(req("POST", "/echo/000/d/xhr"));  // idle between polls
  srv.request(req("POST", "/echo/000/e/xhr"));
  srv.request(req("POST", "/echo/000/e/xhr"), &parked);  // parked poll
  ASSERT_EQ(srv.count(SOCKJS_EVENT_OPEN), 6u);
  ASSERT_EQ(sockjs_server_close(srv.server()), SOCKJS_OK);
  srv.pump();
  for (sockjs_stream_id st : {ws, raw, xs, es, parked}) {
    srv.read(st);
    EXPECT_TRUE(srv.wants_close(st)) << st;
  }
  EXPECT_EQ(srv.count(SOCKJS_EVENT_CLOSE), 6u);
  for (const Ev& e : srv.events()) {
    if (e.type == SOCKJS_EVENT_CLOSE) {
      EXPECT_EQ(e.code, 1001);
    }
  }
  for (sockjs_stream_id st : {ws, raw, xs, es, parked}) srv.close(st);
  srv.advance(10000);
  EXPECT_EQ(srv.count(SOCKJS_EVENT_CLOSE), 6u);
  EXPECT_EQ(srv.count(SOCKJS_EVENT_SERVER_CLOSED), 1u);
  srv.expect_one_close_per_open();
}

}  // namespace
}  // namespace hardening
