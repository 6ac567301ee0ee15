// The Origin allow-list: pattern syntax and matching (white-box), then what
// each endpoint answers to allowed, foreign, absent and same origins.
#include "http/origin.hpp"

#include "feed_server.hpp"

namespace hardening {
namespace {

using sockjs::http::origin_allowed;
using sockjs::http::valid_origin_pattern;

TEST(OriginPattern, ValidForms) {
  for (const char* p :
       {"*", "null", "https://example.com", "http://localhost:8080",
        "http://localhost:*", "example.com", "*.example.com",
        "https://*.example.com", "*://example.com:*", "*:*", "[::1]:3000",
        "http://[::1]", "HTTPS://Example.COM"})
    EXPECT_TRUE(valid_origin_pattern(p)) << p;
}

TEST(OriginPattern, InvalidForms) {
  for (const char* p :
       {"", "https://", "https://example.com/", "https://example.com/path",
        "https://exa mple.com", "ex*ample.com", "*example.com", "a.*.com",
        "https://example.com:", "https://example.com:80a", "htt*p://x.com",
        "://example.com", "http://[::1", "example.com?x", "a,b", "*.", "*.*"})
    EXPECT_FALSE(valid_origin_pattern(p)) << p;
}

TEST(OriginMatch, Table) {
  struct Case {
    std::vector<std::string> list;
    const char* origin;
    bool allowed;
  };
  const std::vector<Case> cases = {
      {{}, "https://evil.example", true},
      {{"*"}, "https://evil.example", true},
      {{"*"}, "null", true},
      {{"*:*"}, "http://x.y:81", true},
      {{"https://good.example"}, "https://good.example", true},
      {{"https://good.example"}, "HTTPS://GOOD.EXAMPLE", true},
      {{"https://good.example"}, "http://good.example", false},
      {{"https://good.example"}, "https://good.example:8443", false},
      {{"https://good.example"}, "https://good.example.evil", false},
      {{"https://good.example"}, "https://evilgood.example", false},
      {{"https://good.example"}, "null", false},
      {{"https://good.example"}, "garbage", false},
      {{"https://good.example:8443"}, "https://good.example:8443", true},
      {{"https://good.example:8443"}, "https://good.example:8444", false},
      {{"http://localhost:*"}, "http://localhost:5173", true},
      {{"http://localhost:*"}, "http://localhost", true},
      {{"good.example"}, "http://good.example", true},
      {{"good.example"}, "https://good.example", true},
      {{"good.example"}, "https://good.example:444", false},
      {{"*.good.example"}, "https://a.good.example", true},
      {{"*.good.example"}, "https://a.b.good.example", true},
      {{"*.good.example"}, "https://good.example", false},
      {{"*.good.example"}, "https://agood.example", false},
      {{"https://*.good.example"}, "http://a.good.example", false},
      {{"*://good.example:*"}, "ws://good.example:1", true},
      {{"null"}, "null", true},
      {{"null"}, "https://good.example", false},
      {{"[::1]:3000"}, "http://[::1]:3000", true},
      {{"[::1]:3000"}, "http://[::2]:3000", false},
      {{"https://a.example", "https://b.example"}, "https://b.example", true},
  };
  for (const Case& c : cases)
    EXPECT_EQ(origin_allowed(c.list, c.origin, nullptr), c.allowed)
        << c.origin << " against " << (c.list.empty() ? "" : c.list[0]);
}

TEST(OriginMatch, SameOriginAsTheHostHeaderIsAlwaysAllowed) {
  std::vector<std::string> list = {"https://good.example"};
  std::string host = "sockjs.example:8080";
  EXPECT_TRUE(origin_allowed(list, "http://sockjs.example:8080", &host));
  EXPECT_TRUE(origin_allowed(list, "https://SockJS.example:8080", &host));
  EXPECT_FALSE(origin_allowed(list, "http://sockjs.example", &host));
  EXPECT_FALSE(origin_allowed(list, "http://sockjs.example:8081", &host));
  EXPECT_FALSE(origin_allowed(list, "null", &host));
}

TEST(OriginOption, AddRejectsBadPatternsAndClearEmpties) {
  sockjs_options* o = nullptr;
  ASSERT_EQ(sockjs_options_new(&o), SOCKJS_OK);
  EXPECT_EQ(sockjs_options_add_allowed_origin(o, "https://a.example"),
            SOCKJS_OK);
  EXPECT_EQ(sockjs_options_add_allowed_origin(o, "https://a.example"),
            SOCKJS_OK);
  EXPECT_EQ(sockjs_options_add_allowed_origin(o, "https://a.example/x"),
            SOCKJS_E_INVALID_ARGUMENT);
  EXPECT_EQ(sockjs_options_add_allowed_origin(o, ""),
            SOCKJS_E_INVALID_ARGUMENT);
  EXPECT_EQ(sockjs_options_add_allowed_origin(o, nullptr),
            SOCKJS_E_INVALID_ARGUMENT);
  EXPECT_EQ(sockjs_options_add_allowed_origin(nullptr, "*"),
            SOCKJS_E_INVALID_ARGUMENT);
  EXPECT_EQ(sockjs_options_clear_allowed_origins(o), SOCKJS_OK);
  EXPECT_EQ(sockjs_options_clear_allowed_origins(nullptr),
            SOCKJS_E_INVALID_ARGUMENT);
  sockjs_options_free(o);
}

// ------------------------------------------------------------ endpoints

constexpr const char* kGood = "https://good.example";
constexpr const char* kEvil = "https://evil.example";

FeedConfig allow_good() {
  FeedConfig c;
  c.service = [](sockjs_options* o) {
    EXPECT_EQ(sockjs_options_add_allowed_origin(o, kGood), SOCKJS_OK);
  };
  return c;
}

std::vector<std::string> ws_headers(const std::string& origin_line = "") {
  std::vector<std::string> h = {"Upgrade: websocket", "Connection: Upgrade",
                                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
                                "Sec-WebSocket-Version: 13"};
  if (!origin_line.empty()) h.push_back(origin_line);
  return h;
}

std::string origin(const char* o) { return std::string("Origin: ") + o; }

TEST(OriginAllowList, ForeignWebSocketUpgradesGet403OnBothEndpoints) {
  FeedServer srv(allow_good());
  for (const char* path : {"/echo/000/a/websocket", "/echo/websocket"}) {
    sockjs_stream_id st = 0;
    auto r = srv.request(req("GET", path, ws_headers(origin(kEvil))), &st);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 403) << path;
    EXPECT_TRUE(srv.wants_close(st));
    // hybi-07..12 drafts named the header Sec-WebSocket-Origin.
    r = srv.request(
        req("GET", path,
            ws_headers(std::string("Sec-WebSocket-Origin: ") + kEvil)));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 403) << path;
  }
  EXPECT_EQ(srv.count(SOCKJS_EVENT_OPEN), 0u);
}

TEST(OriginAllowList, ForeignHixie76UpgradeGets403BeforeThe101) {
  FeedServer srv(allow_good());
  auto r = srv.request(
      req("GET", "/echo/000/a/websocket",
          {"Upgrade: WebSocket", "Connection: Upgrade",
           "Sec-WebSocket-Key1: 4 @1  46546xW%0l 1 5",
           "Sec-WebSocket-Key2: 12998 5 Y3 1  .P00", origin(kEvil)}));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
}

TEST(OriginAllowList, AllowedAbsentAndSameOriginUpgradesOpen) {
  FeedServer srv(allow_good());
  EXPECT_NE(srv.websocket("/echo/000/a/websocket", {origin(kGood)}), 0u);
  EXPECT_NE(srv.websocket("/echo/websocket", {}), 0u);  // no Origin
  // req() sends Host: 127.0.0.1:8081.
  EXPECT_NE(srv.websocket("/echo/websocket", {origin("http://127.0.0.1:8081")}),
            0u);
  EXPECT_EQ(srv.count(SOCKJS_EVENT_OPEN), 3u);
}

TEST(OriginAllowList, XhrFromForeignOriginGets403WithoutCors) {
  FeedServer srv(allow_good());
  for (const char* t : {"xhr", "xhr_streaming", "xhr_send"}) {
    auto r = srv.request(req("POST", std::string("/echo/000/x/") + t,
                             {origin(kEvil)}, std::string("[\"a\"]")));
    ASSERT_TRUE(r) << t;
    EXPECT_EQ(r->status, 403) << t;
    EXPECT_FALSE(r->has("Access-Control-Allow-Origin")) << t;
  }
  auto pre =
      srv.request(req("OPTIONS", "/echo/000/x/xhr",
                      {origin(kEvil), "Access-Control-Request-Method: POST"}));
  ASSERT_TRUE(pre);
  EXPECT_EQ(pre->status, 403);
  EXPECT_FALSE(pre->has("Access-Control-Allow-Origin"));
  auto info = srv.request(req("GET", "/echo/info", {origin(kEvil)}));
  EXPECT_EQ(info->status, 403);
  for (const char* t : {"eventsource", "htmlfile?c=cb", "jsonp?c=cb"})
    EXPECT_EQ(srv.request(req("GET", std::string("/echo/000/y/") + t,
                              {origin(kEvil)}))
                  ->status,
              403)
        << t;
  EXPECT_EQ(srv.count(SOCKJS_EVENT_OPEN), 0u);
}

TEST(OriginAllowList, ForeignSendToALiveSessionIsNotDelivered) {
  FeedServer srv(allow_good());
  EXPECT_EQ(srv.request(req("POST", "/echo/000/s/xhr", {origin(kGood)}))->body,
            "o\n");
  auto r = srv.request(req("POST", "/echo/000/s/xhr_send", {origin(kEvil)},
                           std::string("[\"steal\"]")));
  EXPECT_EQ(r->status, 403);
  EXPECT_EQ(srv.count(SOCKJS_EVENT_MESSAGE), 0u);
}

TEST(OriginAllowList, AllowedOriginIsEchoedWithCredentials) {
  FeedServer srv(allow_good());
  auto r = srv.request(req("POST", "/echo/000/s/xhr", {origin(kGood)}));
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("Access-Control-Allow-Origin").value_or(""), kGood);
  EXPECT_EQ(r->header("Access-Control-Allow-Credentials").value_or(""), "true");
  auto pre = srv.request(req("OPTIONS", "/echo/info", {origin(kGood)}));
  EXPECT_EQ(pre->status, 204);
  EXPECT_EQ(pre->header("Access-Control-Allow-Origin").value_or(""), kGood);
  auto none = srv.request(req("GET", "/echo/info"));
  EXPECT_EQ(none->status, 200);
  EXPECT_EQ(none->header("Access-Control-Allow-Origin").value_or(""), "*");
}

TEST(OriginAllowList, GreetingAndIframeStayPublic) {
  FeedServer srv(allow_good());
  EXPECT_EQ(srv.request(req("GET", "/echo", {origin(kEvil)}))->status, 200);
  EXPECT_EQ(
      srv.request(req("GET", "/echo/iframe.html", {origin(kEvil)}))->status,
      200);
}

TEST(OriginAllowList, NullOriginOnlyWhenListed) {
  FeedServer srv(allow_good());
  EXPECT_EQ(srv.request(req("GET", "/echo/000/e/eventsource", {"Origin: null"}))
                ->status,
            403);
  FeedConfig c;
  c.service = [](sockjs_options* o) {
    sockjs_options_add_allowed_origin(o, kGood);
    sockjs_options_add_allowed_origin(o, "null");
  };
  FeedServer srv2(c);
  sockjs_stream_id st = 0;
  auto r = srv2.request(req("GET", "/echo/000/e/eventsource", {"Origin: null"}),
                        &st);
  EXPECT_EQ(r->status, 200);
}

TEST(OriginAllowList, DefaultAllowsEveryOriginLikeSockjsNode) {
  FeedServer srv;
  auto r = srv.request(req("POST", "/echo/000/s/xhr", {origin(kEvil)}));
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("Access-Control-Allow-Origin").value_or(""), kEvil);
  EXPECT_NE(srv.websocket("/echo/websocket", {origin(kEvil)}), 0u);
}

TEST(OriginAllowList, WildcardSubdomains) {
  FeedConfig c;
  c.service = [](sockjs_options* o) {
    EXPECT_EQ(sockjs_options_add_allowed_origin(o, "https://*.good.example"),
              SOCKJS_OK);
  };
  FeedServer srv(c);
  EXPECT_NE(
      srv.websocket("/echo/websocket", {origin("https://app.good.example")}),
      0u);
  EXPECT_EQ(srv.websocket("/echo/websocket", {origin("https://good.example")}),
            0u);
  EXPECT_EQ(srv.websocket("/echo/websocket",
                          {origin("https://app.good.example.evil")}),
            0u);
}

}  // namespace
}  // namespace hardening
