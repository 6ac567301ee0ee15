// PROTOCOL.md 12.1: JsonPolling, JsessionidCookie.
#include "harness.hpp"

namespace sockjs_test {
namespace {

const char* kForm = "Content-Type: application/x-www-form-urlencoded";

// ----------------------------------------------------------- JsonPolling

TEST(JsonPolling, Transport) {
  Harness h;
  Response r = h.get("/echo/000/jt/jsonp?c=%63allback");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("Content-Type").value_or(""),
            "application/javascript; charset=UTF-8");
  EXPECT_EQ(r.header("X-Content-Type-Options").value_or(""), "nosniff");
  expect_no_cache(r);
  expect_no_cors(r);
  EXPECT_EQ(r.body, "/**/callback(\"o\");\r\n");

  r = h.post("/echo/000/jt/jsonp_send", "d=%5B%22x%22%5D", {kForm});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ok");
  EXPECT_EQ(r.header("Content-Length").value_or(""), "2");
  EXPECT_EQ(r.header("Content-Type").value_or(""), "text/plain; charset=UTF-8");
  expect_no_cache(r);
  expect_no_cors(r);

  r = h.get("/echo/000/jt/jsonp?c=%63allback");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "/**/callback(\"a[\\\"x\\\"]\");\r\n");
}

TEST(JsonPolling, NoCallback) {
  Harness h;
  Response r = h.get("/echo/a/a/jsonp");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, "\"callback\" parameter required");
  EXPECT_TRUE(h.events_of(SOCKJS_EVENT_OPEN).empty());
}

TEST(JsonPolling, InvalidCallback) {
  Harness h;
  for (const char* cb : {"%20", "*", "abc(", "abc%28"}) {
    Response r = h.get(std::string("/echo/a/a/jsonp?c=") + cb);
    EXPECT_EQ(r.status, 500) << cb;
    EXPECT_EQ(r.body, "invalid \"callback\" parameter") << cb;
  }
  // jsonp only: at most 32 characters; an empty one is refused too.
  EXPECT_EQ(h.get("/echo/a/b/jsonp?c=" + std::string(33, 'c')).status, 500);
  EXPECT_EQ(h.get("/echo/a/b/jsonp?c=").status, 500);
  EXPECT_EQ(h.get("/echo/a/b/jsonp?callback=_jp.a1b2c3d").body,
            "/**/_jp.a1b2c3d(\"o\");\r\n");
}

TEST(JsonPolling, InvalidJson) {
  Harness h;
  EXPECT_EQ(h.get("/echo/000/jj/jsonp?c=x").body, "/**/x(\"o\");\r\n");
  Response r = h.post("/echo/000/jj/jsonp_send", "d=%5B%22x", {kForm});
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, "Broken JSON encoding.");
  for (const char* data : {"", "d=", "p=p"}) {
    r = h.post("/echo/000/jj/jsonp_send", data, {kForm});
    EXPECT_EQ(r.status, 500) << data;
    EXPECT_EQ(r.body, "Payload expected.") << data;
  }
  r = h.post("/echo/000/jj/jsonp_send", "d=%5B%22b%22%5D", {kForm});
  EXPECT_EQ(r.body, "ok");
  r = h.get("/echo/000/jj/jsonp?c=x");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "/**/x(\"a[\\\"b\\\"]\");\r\n");
}

TEST(JsonPolling, ContentTypes) {
  Harness h;
  EXPECT_EQ(h.get("/echo/000/jc/jsonp?c=x").body, "/**/x(\"o\");\r\n");
  EXPECT_EQ(
      h.post("/echo/000/jc/jsonp_send", "d=%5B%22abc%22%5D", {kForm}).body,
      "ok");
  EXPECT_EQ(h.post("/echo/000/jc/jsonp_send", "[\"%61bc\"]",
                   {"Content-Type: text/plain"})
                .body,
            "ok");
  // No Content-Type at all: raw JSON too.
  EXPECT_EQ(h.post("/echo/000/jc/jsonp_send", "[\"n\"]").body, "ok");
  Response r = h.get("/echo/000/jc/jsonp?c=x");
  EXPECT_EQ(r.body, "/**/x(\"a[\\\"abc\\\",\\\"%61bc\\\",\\\"n\\\"]\");\r\n");
}

TEST(JsonPolling, Close) {
  Harness h;
  EXPECT_EQ(h.get("/close/000/jcl/jsonp?c=x").body, "/**/x(\"o\");\r\n");
  EXPECT_EQ(h.get("/close/000/jcl/jsonp?c=x").body,
            "/**/x(\"c[3000,\\\"Go away!\\\"]\");\r\n");
  EXPECT_EQ(h.get("/close/000/jcl/jsonp?c=x").body,
            "/**/x(\"c[3000,\\\"Go away!\\\"]\");\r\n");
}

TEST(JsonPolling, SendingEmptyFrame) {
  Harness h;
  EXPECT_EQ(h.get("/echo/000/je/jsonp?c=x").body, "/**/x(\"o\");\r\n");
  EXPECT_EQ(h.post("/echo/000/je/jsonp_send", "d=%5B%5D", {kForm}).body, "ok");
  EXPECT_EQ(h.post("/echo/000/je/jsonp_send", "d=%5B%22x%22%5D", {kForm}).body,
            "ok");
  EXPECT_EQ(h.get("/echo/000/je/jsonp?c=x").body,
            "/**/x(\"a[\\\"x\\\"]\");\r\n");
}

TEST(JsonPolling, SendToUnknownSessionIs404) {
  Harness h;
  Response r = h.post("/echo/000/nojp/jsonp_send", "d=%5B%22x%22%5D", {kForm});
  EXPECT_EQ(r.status, 404);
  expect_no_cache(r);
}

TEST(JsonPolling, JsonStringPayloadIsDecodedTwice) {
  // PROTOCOL.md 6.2: a JSON string is decoded once more.
  Harness h;
  EXPECT_EQ(h.get("/echo/000/j2/jsonp?c=x").body, "/**/x(\"o\");\r\n");
  EXPECT_EQ(h.post("/echo/000/j2/jsonp_send", "\"[\\\"q\\\"]\"").body, "ok");
  auto msgs = h.events_of(SOCKJS_EVENT_MESSAGE);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].data, "q");
}

// ------------------------------------------------------ JsessionidCookie

void verify_cookie(const Response& r, const char* value = "dummy") {
  EXPECT_EQ(r.header("Set-Cookie").value_or(""),
            std::string("JSESSIONID=") + value + "; path=/");
  EXPECT_EQ(r.count("Set-Cookie"), 1);
}

TEST(JsessionidCookie, Basic) {
  Harness h;
  Response r = h.get("/cookie_needed_echo/info");
  EXPECT_EQ(r.status, 200);
  expect_no_cookie(r);
  EXPECT_NE(r.body.find("\"cookie_needed\":true"), std::string::npos) << r.body;
  // No cookie on the greeting or the iframe either, nor anywhere on /echo.
  expect_no_cookie(h.get("/cookie_needed_echo"));
  expect_no_cookie(h.get("/cookie_needed_echo/iframe.html"));
  expect_no_cookie(h.post("/echo/000/nc/xhr"));
  // OPTIONS /info does carry it (both sockjs-node versions do).
  verify_cookie(h.request(http_request("OPTIONS", "/cookie_needed_echo/info")));
}

TEST(JsessionidCookie, Xhr) {
  Harness h;
  Response r = h.post("/cookie_needed_echo/000/ck1/xhr");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "o\n");
  verify_cookie(r);
  r = h.post("/cookie_needed_echo/000/ck2/xhr", "",
             {"Cookie: JSESSIONID=abcdef"});
  EXPECT_EQ(r.body, "o\n");
  verify_cookie(r, "abcdef");
  r = h.post("/cookie_needed_echo/000/ck2/xhr_send", "[\"a\"]",
             {"Cookie: a=b; JSESSIONID=xyz; c=d"});
  EXPECT_EQ(r.status, 204);
  verify_cookie(r, "xyz");
  verify_cookie(
      h.request(http_request("OPTIONS", "/cookie_needed_echo/0/c/xhr")));
}

TEST(JsessionidCookie, XhrStreaming) {
  Harness h;
  Response r = h.post("/cookie_needed_echo/000/ck3/xhr_streaming");
  EXPECT_EQ(r.status, 200);
  verify_cookie(r);
}

TEST(JsessionidCookie, EventSource) {
  Harness h;
  Response r = h.get("/cookie_needed_echo/000/ck4/eventsource");
  EXPECT_EQ(r.status, 200);
  verify_cookie(r);
}

TEST(JsessionidCookie, HtmlFile) {
  Harness h;
  Response r = h.get("/cookie_needed_echo/000/ck5/htmlfile?c=%63allback");
  EXPECT_EQ(r.status, 200);
  verify_cookie(r);
}

TEST(JsessionidCookie, Jsonp) {
  Harness h;
  Response r = h.get("/cookie_needed_echo/000/ck6/jsonp?c=%63allback");
  EXPECT_EQ(r.status, 200);
  verify_cookie(r);
  EXPECT_EQ(r.body, "/**/callback(\"o\");\r\n");
  r = h.post("/cookie_needed_echo/000/ck6/jsonp_send", "d=%5B%22x%22%5D",
             {kForm});
  EXPECT_EQ(r.body, "ok");
  EXPECT_EQ(r.status, 200);
  verify_cookie(r);
}

}  // namespace
}  // namespace sockjs_test
