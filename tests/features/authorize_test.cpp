// Accept/reject at open (sockjs_options_set_authorize), feed mode: on every
// receiving transport the client gets "o" only after sockjs_conn_accept, and
// c[code,"reason"] instead after sockjs_conn_reject, with no MESSAGE events
// and exactly one CLOSE.
#include <gtest/gtest.h>
#include <sockjs.h>

#include <string>

#include "../hardening/feed_server.hpp"

namespace {

using hardening::FeedConfig;
using hardening::FeedServer;
using hardening::req;
using sockjs_test::ws_client_frame;

FeedConfig authorizing(uint32_t timeout_ms = 5000, bool echo = true) {
  FeedConfig c;
  c.service = [timeout_ms](sockjs_options* o) {
    ASSERT_EQ(sockjs_options_set_authorize(o, 1), SOCKJS_OK);
    ASSERT_EQ(sockjs_options_set_authorize_timeout_ms(o, timeout_ms),
              SOCKJS_OK);
    ASSERT_EQ(sockjs_options_set_disconnect_delay_ms(o, 1000), SOCKJS_OK);
  };
  c.echo = echo;
  return c;
}

sockjs_conn_id last_open(FeedServer& f) {
  for (auto it = f.events().rbegin(); it != f.events().rend(); ++it)
    if (it->type == SOCKJS_EVENT_OPEN) return it->conn;
  return 0;
}

// The receiving request of each HTTP transport and how its "o" frame and
// its close frame c[4401,"nope"] look in the body.
struct Receive {
  const char* name;
  const char* method;
  const char* path;  // after /echo/000/<session>
  const char* open_marker;
  const char* close_marker;
};

const Receive kReceives[] = {
    {"xhr", "POST", "/xhr", "o\n", "c[4401,\"nope\"]\n"},
    {"xhr_streaming", "POST", "/xhr_streaming", "\no\n", "c[4401,\"nope\"]\n"},
    {"eventsource", "GET", "/eventsource", "data: o\r\n",
     "data: c[4401,\"nope\"]\r\n"},
    {"htmlfile", "GET", "/htmlfile?c=cb", "p(\"o\")",
     "p(\"c[4401,\\\"nope\\\"]\")"},
    {"jsonp", "GET", "/jsonp?c=cb", "cb(\"o\")",
     "cb(\"c[4401,\\\"nope\\\"]\")"},
};

class AuthorizeHttp : public ::testing::TestWithParam<Receive> {};

TEST_P(AuthorizeHttp, AcceptSendsOpenFrameThenMessagesFlow) {
  const Receive& r = GetParam();
  FeedServer f(authorizing());
  sockjs_stream_id st = f.open();
  std::string sid = std::string("/echo/000/a_") + r.name;
  f.feed(st, req(r.method,
                 sid + r.path +
                     (std::string(r.path).find('?') == std::string::npos
                          ? "?who=alice"
                          : "&who=alice"),
                 {"X-Forwarded-For: 203.0.113.9"}));
  ASSERT_EQ(f.count(SOCKJS_EVENT_OPEN), 1u);
  // Nothing of the session yet: the request waits for the decision.
  EXPECT_EQ(f.read(st).find(r.open_marker), std::string::npos) << f.read(st);
  sockjs_conn_id c = last_open(f);
  sockjs_conn_info info;
  info.size = sizeof info;
  ASSERT_EQ(sockjs_conn_get_info(f.server(), c, &info), SOCKJS_OK);
  EXPECT_NE(std::string(info.query).find("who=alice"), std::string::npos);
  // No trusted proxy: X-Forwarded-For is ignored.
  EXPECT_STREQ(info.client_addr, "127.0.0.1");
  // A send before the decision is held until after "o".
  ASSERT_EQ(sockjs_conn_send(f.server(), c, "welcome", 7), SOCKJS_OK);
  ASSERT_EQ(sockjs_conn_accept(f.server(), c), SOCKJS_OK);
  f.pump();
  EXPECT_EQ(sockjs_conn_accept(f.server(), c), SOCKJS_E_STATE);
  EXPECT_EQ(sockjs_conn_reject(f.server(), c, 4000, "late"), SOCKJS_E_STATE);
  std::string body = f.read(st);
  size_t o = body.find(r.open_marker);
  ASSERT_NE(o, std::string::npos) << body;
  if (std::string(r.name) == "xhr_streaming" ||
      std::string(r.name) == "eventsource" ||
      std::string(r.name) == "htmlfile") {
    size_t w = body.find("welcome");
    ASSERT_NE(w, std::string::npos) << body;
    EXPECT_LT(o, w);
  }
  // Messages from the client now arrive.
  auto sent = f.request(req("POST", sid + "/xhr_send", {}, "[\"hi\"]"));
  ASSERT_TRUE(sent);
  EXPECT_EQ(sent->status, 204);
  EXPECT_EQ(f.count(SOCKJS_EVENT_MESSAGE), 1u);
  EXPECT_EQ(f.count(SOCKJS_EVENT_CLOSE), 0u);
}

TEST_P(AuthorizeHttp, RejectSendsCloseFrameInsteadOfOpen) {
  const Receive& r = GetParam();
  FeedServer f(authorizing());
  sockjs_stream_id st = f.open();
  std::string sid = std::string("/echo/000/r_") + r.name;
  f.feed(st, req(r.method, sid + r.path));
  sockjs_conn_id c = last_open(f);
  ASSERT_NE(c, 0u);
  // The client sends before the decision (a hostile client could): never
  // reported.
  auto early = f.request(req("POST", sid + "/xhr_send", {}, "[\"early\"]"));
  ASSERT_TRUE(early);
  ASSERT_EQ(sockjs_conn_send(f.server(), c, "secret", 6), SOCKJS_OK);
  ASSERT_EQ(sockjs_conn_reject(f.server(), c, 4401, "nope"), SOCKJS_OK);
  f.pump();
  EXPECT_EQ(sockjs_conn_accept(f.server(), c), SOCKJS_E_STATE);
  std::string body = f.read(st);
  EXPECT_EQ(body.find(r.open_marker), std::string::npos) << body;
  EXPECT_EQ(body.find("secret"), std::string::npos) << body;
  EXPECT_NE(body.find(r.close_marker), std::string::npos) << body;
  // The session lives on as closing (like any closed session) and ends
  // after the disconnect delay with one CLOSE carrying the reject's code.
  f.feed(f.open(), req("POST", sid + "/xhr_send", {}, "[\"after\"]"));
  f.advance(1500);
  EXPECT_EQ(f.count(SOCKJS_EVENT_MESSAGE), 0u);
  ASSERT_EQ(f.count(SOCKJS_EVENT_CLOSE), 1u);
  for (const auto& e : f.events())
    if (e.type == SOCKJS_EVENT_CLOSE) {
      EXPECT_EQ(e.code, 4401);
      EXPECT_EQ(e.data, "nope");
    }
  f.expect_one_close_per_open();
}

INSTANTIATE_TEST_SUITE_P(Transports, AuthorizeHttp,
                         ::testing::ValuesIn(kReceives),
                         [](const auto& p) { return p.param.name; });

TEST(Authorize, WebSocketAcceptDeliversHeldMessagesAfterOpenFrame) {
  FeedServer f(authorizing());
  sockjs_stream_id st = f.websocket("/echo/000/ws1/websocket");
  ASSERT_NE(st, 0u);
  sockjs_conn_id c = last_open(f);
  ASSERT_NE(c, 0u);
  EXPECT_TRUE(f.frames(st).empty());  // no "o" yet
  f.feed(st, ws_client_frame(1, "[\"early\"]"));
  EXPECT_EQ(f.count(SOCKJS_EVENT_MESSAGE), 0u);  // held
  ASSERT_EQ(sockjs_conn_accept(f.server(), c), SOCKJS_OK);
  f.pump();  // the held message arrives and is echoed
  EXPECT_EQ(f.count(SOCKJS_EVENT_MESSAGE), 1u);
  auto frames = f.frames(st);
  ASSERT_GE(frames.size(), 2u);
  EXPECT_EQ(frames[0].payload, "o");
  EXPECT_EQ(frames[1].payload, "a[\"early\"]");
}

TEST(Authorize, WebSocketRejectGetsCloseFrameAndNoMessages) {
  FeedServer f(authorizing());
  sockjs_stream_id st = f.websocket("/echo/000/ws2/websocket");
  sockjs_conn_id c = last_open(f);
  ASSERT_NE(c, 0u);
  f.feed(st, ws_client_frame(1, "[\"early\"]"));
  ASSERT_EQ(sockjs_conn_reject(f.server(), c, 4403, "forbidden"), SOCKJS_OK);
  f.pump();
  auto frames = f.frames(st);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].payload, "c[4403,\"forbidden\"]");
  EXPECT_EQ(frames[1].opcode, 8);
  EXPECT_TRUE(f.wants_close(st));
  EXPECT_EQ(f.count(SOCKJS_EVENT_MESSAGE), 0u);
  ASSERT_EQ(f.count(SOCKJS_EVENT_CLOSE), 1u);
  EXPECT_EQ(f.events().back().type, SOCKJS_EVENT_CLOSE);
  EXPECT_EQ(f.events().back().code, 4403);
}

TEST(Authorize, RawWebSocketRejectClosesWithTheCode) {
  FeedServer f(authorizing());
  sockjs_stream_id st = f.websocket("/echo/websocket");
  sockjs_conn_id c = last_open(f);
  ASSERT_NE(c, 0u);
  f.feed(st, ws_client_frame(1, "early"));
  ASSERT_EQ(sockjs_conn_reject(f.server(), c, 4401, "who are you"), SOCKJS_OK);
  f.pump();
  auto frames = f.frames(st);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].opcode, 8);
  EXPECT_EQ(frames[0].close_code(), 4401);
  EXPECT_EQ(frames[0].close_reason(), "who are you");
  EXPECT_EQ(f.count(SOCKJS_EVENT_MESSAGE), 0u);
  EXPECT_EQ(f.count(SOCKJS_EVENT_CLOSE), 1u);
}

TEST(Authorize, RawWebSocketAcceptSendsHeldOutputAndDeliversInput) {
  FeedServer f(authorizing());
  sockjs_stream_id st = f.websocket("/echo/websocket");
  sockjs_conn_id c = last_open(f);
  ASSERT_NE(c, 0u);
  f.feed(st, ws_client_frame(1, "early"));
  ASSERT_EQ(sockjs_conn_send(f.server(), c, "hello", 5), SOCKJS_OK);
  EXPECT_TRUE(f.frames(st).empty());
  ASSERT_EQ(sockjs_conn_accept(f.server(), c), SOCKJS_OK);
  f.pump();
  auto frames = f.frames(st);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].payload, "hello");
  EXPECT_EQ(frames[1].payload, "early");  // echoed once delivered
}

TEST(Authorize, UndecidedSessionTimesOut) {
  FeedServer f(authorizing(800));
  sockjs_stream_id st = f.open();
  f.feed(st, req("POST", "/echo/000/t1/xhr"));
  sockjs_conn_id c = last_open(f);
  ASSERT_NE(c, 0u);
  f.advance(700);
  EXPECT_TRUE(f.read(st).empty() || f.read(st).find("c[") == std::string::npos);
  f.advance(200);
  EXPECT_NE(f.read(st).find("c[3000,\"Authorization timed out\"]"),
            std::string::npos)
      << f.read(st);
  EXPECT_EQ(sockjs_conn_accept(f.server(), c), SOCKJS_E_STATE);
  f.advance(1500);
  ASSERT_EQ(f.count(SOCKJS_EVENT_CLOSE), 1u);
  EXPECT_EQ(f.events().back().code, 3000);
}

TEST(Authorize, CloseBeforeDecisionRejects) {
  FeedServer f(authorizing());
  sockjs_stream_id st = f.websocket("/echo/000/c1/websocket");
  sockjs_conn_id c = last_open(f);
  ASSERT_EQ(sockjs_conn_close(f.server(), c, 3001, "bye"), SOCKJS_OK);
  f.pump();
  auto frames = f.frames(st);
  ASSERT_FALSE(frames.empty());
  EXPECT_EQ(frames[0].payload, "c[3001,\"bye\"]");
  // A WebSocket session is gone at once.
  EXPECT_EQ(sockjs_conn_accept(f.server(), c), SOCKJS_E_UNKNOWN_CONN);
  EXPECT_EQ(f.count(SOCKJS_EVENT_CLOSE), 1u);
}

TEST(Authorize, HeldInputIsBoundedByMaxMessageSize) {
  FeedConfig cfg = authorizing();
  auto base = cfg.service;
  cfg.service = [base](sockjs_options* o) {
    base(o);
    sockjs_options_set_max_message_size(o, 64);
  };
  FeedServer f(cfg);
  sockjs_stream_id st = f.websocket("/echo/000/b1/websocket");
  ASSERT_NE(last_open(f), 0u);
  for (int i = 0; i < 5; ++i)
    f.feed(st, ws_client_frame(1, "[\"0123456789012345678\"]"));
  EXPECT_EQ(f.count(SOCKJS_EVENT_MESSAGE), 0u);
  ASSERT_EQ(f.count(SOCKJS_EVENT_CLOSE), 1u);
  EXPECT_EQ(f.events().back().code, 1009);
}

TEST(Authorize, OffByDefaultOpenFrameFirstAndNoDecision) {
  FeedServer f;
  sockjs_stream_id st = f.open();
  f.feed(st, req("POST", "/echo/000/d1/xhr"));
  EXPECT_NE(f.read(st).find("o\n"), std::string::npos);
  sockjs_conn_id c = last_open(f);
  ASSERT_NE(c, 0u);
  EXPECT_EQ(sockjs_conn_accept(f.server(), c), SOCKJS_E_STATE);
  EXPECT_EQ(sockjs_conn_reject(f.server(), c, 4000, "x"), SOCKJS_E_STATE);
  EXPECT_EQ(sockjs_conn_accept(f.server(), 999999), SOCKJS_E_UNKNOWN_CONN);
  EXPECT_EQ(sockjs_conn_reject(f.server(), c, 2000, "bad code"),
            SOCKJS_E_INVALID_ARGUMENT);
}

}  // namespace

namespace {

TEST(Authorize, SendsBeforeTheDecisionCountAgainstTheSendBuffer) {
  for (const char* path : {"/echo/websocket", "/echo/000/sb/websocket"}) {
    FeedConfig cfg = authorizing();
    auto base = cfg.service;
    cfg.service = [base](sockjs_options* o) {
      base(o);
      sockjs_options_set_send_buffer_limit(o, 32);
    };
    FeedServer f(cfg);
    sockjs_stream_id st = f.websocket(path);
    ASSERT_NE(st, 0u);
    sockjs_conn_id c = last_open(f);
    int ok = 0;
    for (int i = 0; i < 4; ++i)
      if (sockjs_conn_send(f.server(), c, "0123456789abcdef", 16) == SOCKJS_OK)
        ++ok;
    EXPECT_LT(ok, 4) << path;
    EXPECT_GE(ok, 1) << path;
  }
}

}  // namespace
