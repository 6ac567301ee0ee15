// The configurable limits in feed mode: header count, sessions per server,
// the pipelined-input bound, and the setters' argument checks.
#include "feed_server.hpp"

namespace hardening {
namespace {

std::string with_headers(int n) {
  std::vector<std::string> h;
  for (int i = 0; i < n; ++i) h.push_back("X-H" + std::to_string(i) + ": v");
  return req("GET", "/echo", h);
}

FeedConfig server_cfg(std::function<void(sockjs_server_options*)> f) {
  FeedConfig c;
  c.server = std::move(f);
  return c;
}

TEST(MaxRequestHeaders, CountsEveryLineIncludingHost) {
  FeedServer srv(server_cfg([](sockjs_server_options* o) {
    EXPECT_EQ(sockjs_server_options_set_max_request_headers(o, 10), SOCKJS_OK);
  }));
  // req() adds Host: 9 more make 10 lines.
  auto ok = srv.request(with_headers(9));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  auto bad = srv.request(with_headers(10));
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 431);
}

TEST(MaxRequestHeaders, CountRestartsWithEachPipelinedRequest) {
  FeedServer srv(server_cfg([](sockjs_server_options* o) {
    sockjs_server_options_set_max_request_headers(o, 10);
  }));
  sockjs_stream_id st = srv.open();
  srv.feed(st, with_headers(8) + with_headers(8) + with_headers(8));
  std::string_view all = srv.read(st);
  for (int i = 0; i < 3; ++i) {
    auto r = sockjs_test::parse_response(all, false);
    ASSERT_TRUE(r && r->complete) << i;
    EXPECT_EQ(r->status, 200);
    all.remove_prefix(r->consumed);
  }
  EXPECT_FALSE(srv.wants_close(st));
}

TEST(MaxRequestHeaders, DefaultIsAHundred) {
  FeedServer srv;
  EXPECT_EQ(srv.request(with_headers(99))->status, 200);
  EXPECT_EQ(srv.request(with_headers(100))->status, 431);
}

FeedConfig two_sessions() {
  return server_cfg([](sockjs_server_options* o) {
    EXPECT_EQ(sockjs_server_options_set_max_sessions(o, 2), SOCKJS_OK);
  });
}

TEST(MaxSessions, ThirdHttpSessionGets503WithCors) {
  FeedServer srv(two_sessions());
  EXPECT_EQ(srv.request(req("POST", "/echo/000/s1/xhr"))->body, "o\n");
  EXPECT_EQ(srv.request(req("POST", "/echo/000/s2/xhr"))->body, "o\n");
  auto r = srv.request(
      req("POST", "/echo/000/s3/xhr", {"Origin: https://app.example"}));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->header("Access-Control-Allow-Origin").value_or(""),
            "https://app.example");
  EXPECT_EQ(srv.count(SOCKJS_EVENT_OPEN), 2u);
  // Existing sessions go on: a send and a poll on s1.
  EXPECT_EQ(
      srv.request(req("POST", "/echo/000/s1/xhr_send", {}, "[\"x\"]"))->status,
      204);
  EXPECT_EQ(srv.request(req("POST", "/echo/000/s1/xhr"))->body, "a[\"x\"]\n");
  // Every receiving transport is refused while full.
  for (const char* t :
       {"xhr_streaming", "eventsource", "htmlfile?c=cb", "jsonp?c=cb"}) {
    auto x =
        srv.request(req(std::string(t).rfind("xhr", 0) == 0 ? "POST" : "GET",
                        std::string("/echo/000/s9/") + t));
    ASSERT_TRUE(x) << t;
    EXPECT_EQ(x->status, 503) << t;
  }
  EXPECT_EQ(srv.count(SOCKJS_EVENT_OPEN), 2u);
}

TEST(MaxSessions, WebSocketUpgradeGets503AndRoomReturnsAfterClose) {
  FeedServer srv(two_sessions());
  sockjs_stream_id a = srv.websocket("/echo/000/a/websocket");
  sockjs_stream_id b = srv.websocket("/echo/websocket");
  ASSERT_NE(a, 0u);
  ASSERT_NE(b, 0u);
  for (const char* path : {"/echo/000/c/websocket", "/echo/websocket"}) {
    sockjs_stream_id st = 0;
    auto r = srv.request(req("GET", path,
                             {"Upgrade: websocket", "Connection: Upgrade",
                              "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
                              "Sec-WebSocket-Version: 13"}),
                         &st);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 503) << path;
    EXPECT_TRUE(srv.wants_close(st));
  }
  EXPECT_EQ(srv.count(SOCKJS_EVENT_OPEN), 2u);
  srv.close(a);  // the peer goes: its session ends, room for one more
  EXPECT_EQ(srv.count(SOCKJS_EVENT_CLOSE), 1u);
  EXPECT_NE(srv.websocket("/echo/000/d/websocket"), 0u);
  EXPECT_EQ(srv.count(SOCKJS_EVENT_OPEN), 3u);
}

TEST(MaxSessions, ZeroMeansNoLimit) {
  FeedServer srv;
  for (int i = 0; i < 300; ++i)
    ASSERT_EQ(
        srv.request(req("POST", "/echo/000/n" + std::to_string(i) + "/xhr"))
            ->body,
        "o\n");
  EXPECT_EQ(srv.count(SOCKJS_EVENT_OPEN), 300u);
}

// The stash of pipelined input behind a response in progress holds two of
// the largest requests the limits allow: 2 * (head + body) = 4096 here.
FeedConfig small_limits() {
  FeedConfig c;
  c.server = [](sockjs_server_options* o) {
    sockjs_server_options_set_max_request_head_size(o, 1024);
  };
  c.service = [](sockjs_options* o) {
    sockjs_options_set_max_message_size(o, 1024);
  };
  return c;
}

TEST(StashedInput, PipelinedFloodBehindAStreamingResponseIsDropped) {
  FeedServer srv(small_limits());
  sockjs_stream_id st = srv.open();
  srv.feed(st, req("POST", "/echo/000/s/xhr_streaming"));
  EXPECT_FALSE(srv.wants_close(st));
  std::string one = req("GET", "/echo");
  std::string within;
  while (within.size() + one.size() <= 4000) within += one;
  srv.feed(st, within);
  EXPECT_FALSE(srv.wants_close(st)) << "within the bound must wait";
  srv.feed(st, std::string(200, 'x'));
  EXPECT_TRUE(srv.wants_close(st)) << "beyond the bound the client floods";
}

TEST(StashedInput, BoundGrowsWithTheLimits) {
  FeedServer srv;  // defaults: 2 * (16 KiB + 1 MiB)
  sockjs_stream_id st = srv.open();
  srv.feed(st, req("POST", "/echo/000/s/xhr_streaming"));
  srv.feed(st, std::string(2 * 1024 * 1024, 'x'));
  EXPECT_FALSE(srv.wants_close(st));
  srv.feed(st, std::string(64 * 1024, 'x'));
  EXPECT_TRUE(srv.wants_close(st));
}

TEST(LimitSetters, RejectOutOfRangeValues) {
  sockjs_server_options* so = nullptr;
  ASSERT_EQ(sockjs_server_options_new(&so), SOCKJS_OK);
  EXPECT_EQ(sockjs_server_options_set_max_request_headers(so, 0),
            SOCKJS_E_INVALID_ARGUMENT);
  EXPECT_EQ(sockjs_server_options_set_max_request_headers(so, 1), SOCKJS_OK);
  EXPECT_EQ(sockjs_server_options_set_max_sessions(so, 0), SOCKJS_OK);
  EXPECT_EQ(sockjs_server_options_set_max_connections(so, 0), SOCKJS_OK);
  EXPECT_EQ(sockjs_server_options_set_tcp_keepalive_s(so, 0), SOCKJS_OK);
  EXPECT_EQ(sockjs_server_options_set_tcp_keepalive_s(so, 32767), SOCKJS_OK);
  EXPECT_EQ(sockjs_server_options_set_tcp_keepalive_s(so, 32768),
            SOCKJS_E_INVALID_ARGUMENT);
  EXPECT_EQ(sockjs_server_options_set_max_request_headers(nullptr, 5),
            SOCKJS_E_INVALID_ARGUMENT);
  EXPECT_EQ(sockjs_server_options_set_max_sessions(nullptr, 5),
            SOCKJS_E_INVALID_ARGUMENT);
  EXPECT_EQ(sockjs_server_options_set_max_connections(nullptr, 5),
            SOCKJS_E_INVALID_ARGUMENT);
  EXPECT_EQ(sockjs_server_options_set_tcp_keepalive_s(nullptr, 5),
            SOCKJS_E_INVALID_ARGUMENT);
  sockjs_server_options_free(so);
}

}  // namespace
}  // namespace hardening
