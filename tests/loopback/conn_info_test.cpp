// What the application learns about a connection: sockjs_conn_get_info on
// sessions, and forwarded requests (forward_unmatched) answered with
// sockjs_request_respond.
#include <gtest/gtest.h>

#include "harness.hpp"
#include "http_client.hpp"
#include "ws_client.hpp"

namespace loopback {
namespace {

const char* kClientHeaders =
    "User-Agent: loopback-test/1\r\n"
    "X-Forwarded-For: 10.1.2.3\r\n"
    "Origin: http://example.test\r\n"
    "Cookie: sid=secret\r\n"
    "X-Private: do-not-expose\r\n"
    "Authorization: Basic c2VjcmV0\r\n";

TEST(ConnInfo, WebSocketSessionShowsWhitelistedHeadersOnly) {
  Harness h;
  ASSERT_TRUE(h.ok()) << h.error();
  WsClient ws;
  ASSERT_TRUE(ws.open(h.port(), "/echo/000/inf/websocket?x=1", kClientHeaders));
  uint64_t conn = h.wait_open();
  RecordedEvent open = h.open_event(conn);
  ASSERT_TRUE(open.has_info);
  const InfoCopy& i = open.info;
  EXPECT_EQ(i.service, 0);
  EXPECT_EQ(i.prefix, "/echo");
  EXPECT_EQ(i.transport, "websocket");
  EXPECT_EQ(i.remote_addr, "127.0.0.1");
  EXPECT_EQ(i.remote_port, ws.conn().local_port());
  EXPECT_EQ(i.method, "GET");
  EXPECT_EQ(i.url, "/echo/000/inf/websocket?x=1");
  EXPECT_EQ(i.header("user-agent"), "loopback-test/1");
  EXPECT_EQ(i.header("x-forwarded-for"), "10.1.2.3");
  EXPECT_EQ(i.header("origin"), "http://example.test");
  EXPECT_EQ(i.header("host"), "127.0.0.1");
  EXPECT_FALSE(i.has_header("cookie"));
  EXPECT_FALSE(i.has_header("x-private"));
  EXPECT_FALSE(i.has_header("authorization"));
  EXPECT_FALSE(i.has_header("upgrade"));
  for (const auto& hv : i.headers)
    for (char ch : hv.first) EXPECT_FALSE(ch >= 'A' && ch <= 'Z') << hv.first;
}

TEST(ConnInfo, CookieOnlyWithExposeCookies) {
  HarnessConfig cfg;
  cfg.services = {{"/plain", nullptr}, {"/cookies", [](sockjs_options* o) {
                                          sockjs_options_set_expose_cookies(o,
                                                                            1);
                                        }}};
  Harness h(cfg);
  ASSERT_TRUE(h.ok()) << h.error();
  HttpResponse r =
      http_request(h.port(), "POST", "/cookies/000/ck/xhr", "", kClientHeaders);
  ASSERT_EQ(r.body, "o\n");
  uint64_t conn = h.wait_open(0);
  RecordedEvent e = h.open_event(conn);
  ASSERT_TRUE(e.has_info);
  EXPECT_EQ(e.service, 1);
  EXPECT_EQ(e.info.service, 1);
  EXPECT_EQ(e.info.prefix, "/cookies");
  EXPECT_EQ(e.info.transport, "xhr-polling");
  EXPECT_EQ(e.info.method, "POST");
  EXPECT_EQ(e.info.url, "/cookies/000/ck/xhr");
  EXPECT_EQ(e.info.header("cookie"), "sid=secret");
  EXPECT_FALSE(e.info.has_header("x-private"));

  r = http_request(h.port(), "POST", "/plain/000/ck/xhr", "", kClientHeaders);
  ASSERT_EQ(r.body, "o\n");
  conn = h.wait_open(1);
  e = h.open_event(conn);
  ASSERT_TRUE(e.has_info);
  EXPECT_EQ(e.service, 0);
  EXPECT_FALSE(e.info.has_header("cookie"));
}

TEST(ConnInfo, UnknownConnAndBadArguments) {
  HarnessConfig cfg;
  cfg.app_thread = false;
  Harness h(cfg);
  ASSERT_TRUE(h.ok()) << h.error();
  sockjs_conn_info info;
  info.size = sizeof info;
  EXPECT_EQ(sockjs_conn_get_info(h.server(), 12345, &info),
            SOCKJS_E_UNKNOWN_CONN);
  info.size = sizeof info - 1;
  EXPECT_EQ(sockjs_conn_get_info(h.server(), 12345, &info),
            SOCKJS_E_INVALID_ARGUMENT);
}

// forward_unmatched: a request outside every prefix becomes a REQUEST
// event; the app answers it from its event thread.
TEST(Forward, UnmatchedRequestIsAnsweredByTheApplication) {
  HarnessConfig cfg;
  cfg.server_tweak = [](sockjs_server_options* o) {
    sockjs_server_options_set_forward_unmatched(o, 1);
  };
  cfg.on_event = [](sockjs_server* s, const RecordedEvent& e) {
    if (e.type != SOCKJS_EVENT_REQUEST) return;
    std::string body =
        "you asked for " + e.info.url + " with " + e.info.header("x-private");
    sockjs_request_respond(s, e.conn, 201, "text/plain; charset=UTF-8",
                           "X-Served-By: loopback\r\n", body.data(),
                           body.size());
  };
  Harness h(cfg);
  ASSERT_TRUE(h.ok()) << h.error();
  HttpResponse r = http_request(h.port(), "GET", "/pages/index.html?q=1", "",
                                kClientHeaders);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.header("content-type"), "text/plain; charset=UTF-8");
  EXPECT_EQ(r.header("x-served-by"), "loopback");
  EXPECT_EQ(r.body, "you asked for /pages/index.html?q=1 with do-not-expose");

  auto evs = h.events();
  ASSERT_EQ(evs.size(), 1u);
  const RecordedEvent& e = evs[0];
  EXPECT_EQ(e.type, SOCKJS_EVENT_REQUEST);
  EXPECT_EQ(e.data, "GET");
  EXPECT_EQ(e.service, -1);
  ASSERT_TRUE(e.has_info);
  EXPECT_EQ(e.info.service, -1);
  EXPECT_EQ(e.info.method, "GET");
  EXPECT_EQ(e.info.remote_addr, "127.0.0.1");
  // All headers of a forwarded request, cookie included.
  EXPECT_EQ(e.info.header("cookie"), "sid=secret");
  EXPECT_EQ(e.info.header("authorization"), "Basic c2VjcmV0");
  // Answered once only.
  EXPECT_EQ(sockjs_request_respond(h.server(), e.conn, 200, nullptr, nullptr,
                                   nullptr, 0),
            SOCKJS_E_UNKNOWN_CONN);
  // It is not a session.
  EXPECT_EQ(sockjs_conn_send(h.server(), e.conn, "x", 1),
            SOCKJS_E_UNKNOWN_CONN);

  // The services still answer their own URLs.
  r = http_request(h.port(), "GET", "/echo/info");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(h.count(SOCKJS_EVENT_REQUEST), 1u);
}

TEST(Forward, KeepAliveConnectionCarriesSeveralForwardedRequests) {
  HarnessConfig cfg;
  cfg.server_tweak = [](sockjs_server_options* o) {
    sockjs_server_options_set_forward_unmatched(o, 1);
  };
  cfg.on_event = [](sockjs_server* s, const RecordedEvent& e) {
    if (e.type == SOCKJS_EVENT_REQUEST)
      sockjs_request_respond(s, e.conn, 200, "text/plain", nullptr,
                             e.info.url.data(), e.info.url.size());
  };
  Harness h(cfg);
  ASSERT_TRUE(h.ok()) << h.error();
  TcpConn c;
  ASSERT_TRUE(c.connect(h.port()));
  for (int i = 0; i < 3; ++i) {
    std::string path = "/page" + std::to_string(i);
    ASSERT_TRUE(c.send_all(build_request("GET", path)));
    HttpResponse r = read_response(c);
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.body, path);
  }
}

TEST(Forward, OffMeans404) {
  Harness h;
  ASSERT_TRUE(h.ok()) << h.error();
  HttpResponse r = http_request(h.port(), "GET", "/pages/index.html");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(h.count(SOCKJS_EVENT_REQUEST), 0u);
}

}  // namespace
}  // namespace loopback
