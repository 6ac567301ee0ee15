// PROTOCOL.md 12.1: BaseUrlGreeting, IframePage, InfoTest, SessionURLs.
#include <cjson/cJSON.h>

#include "codec/digest.hpp"
#include "harness.hpp"

namespace sockjs_test {
namespace {

constexpr std::string_view kIframePage =
    "<!DOCTYPE html>\n"
    "<html>\n"
    "<head>\n"
    "  <meta http-equiv=\"X-UA-Compatible\" content=\"IE=edge\" />\n"
    "  <meta http-equiv=\"Content-Type\" content=\"text/html; "
    "charset=UTF-8\" />\n"
    "  <script src=\"/static/sockjs.min.js\"></script>\n"
    "  <script>\n"
    "    document.domain = document.domain;\n"
    "    SockJS.bootstrap_iframe();\n"
    "  </script>\n"
    "</head>\n"
    "<body>\n"
    "  <h2>Don't panic!</h2>\n"
    "  <p>This is a SockJS hidden iframe. It's used for cross domain "
    "magic.</p>\n"
    "</body>\n"
    "</html>";

// ------------------------------------------------------------ greeting

TEST(BaseUrlGreeting, Greeting) {
  Harness h;
  for (const char* url : {"/echo", "/echo/"}) {
    sockjs_stream_id st = h.open_stream();
    h.feed(st, http_request("GET", url));
    // The whole answer, byte for byte.
    EXPECT_EQ(h.take_received(st),
              "HTTP/1.1 200 OK\r\n"
              "Content-Type: text/plain; charset=UTF-8\r\n"
              "Content-Length: 19\r\n"
              "\r\n"
              "Welcome to SockJS!\n")
        << url;
    EXPECT_FALSE(h.wants_close(st));  // keep-alive
  }
}

TEST(BaseUrlGreeting, NotFound) {
  Harness h;
  for (const char* suffix :
       {"/a", "/a.html", "//", "///", "/a/a", "/a/a/", "/a/"}) {
    Response r = h.get(std::string("/echo") + suffix);
    EXPECT_EQ(r.status, 404) << suffix;
    EXPECT_EQ(r.body, "404 Error: Page not found\n") << suffix;
    EXPECT_EQ(r.header("Content-Type").value_or(""),
              "text/plain; charset=UTF-8");
    EXPECT_TRUE(r.complete);
  }
  // Outside every prefix too.
  EXPECT_EQ(h.get("/nothing/here").status, 404);
  EXPECT_EQ(h.get("/echoes").status, 404);  // prefix must end at a '/'
}

// ---------------------------------------------------------------- iframe

void verify_iframe(Harness& h, const std::string& url) {
  SCOPED_TRACE(url);
  Response r = h.get(url);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("Content-Type").value_or(""), "text/html; charset=UTF-8");
  expect_long_cache(r);
  EXPECT_TRUE(r.has("ETag"));
  EXPECT_FALSE(r.has("Last-Modified"));
  expect_no_cookie(r);
  EXPECT_EQ(r.body, kIframePage);  // exact, no trailing newline
  EXPECT_EQ(r.body.size(), 430u);
  EXPECT_EQ(r.header("Content-Length").value_or(""), "430");
}

TEST(IframePage, SimpleUrl) {
  Harness h;
  verify_iframe(h, "/echo/iframe.html");
}

TEST(IframePage, VersionedUrl) {
  Harness h;
  for (const char* s : {"/iframe-a.html", "/iframe-.html", "/iframe-0.1.2.html",
                        "/iframe-0.1.2abc-dirty.2144.html"})
    verify_iframe(h, std::string("/echo") + s);
}

TEST(IframePage, QueriedUrl) {
  Harness h;
  for (const char* s : {"/iframe-a.html?t=1234", "/iframe-0.1.2.html?t=123414",
                        "/iframe-0.1.2abc-dirty.2144.html?t=qweqweq123"})
    verify_iframe(h, std::string("/echo") + s);
}

TEST(IframePage, InvalidUrl) {
  Harness h;
  for (const char* s : {"/iframe.htm", "/iframe", "/IFRAME.HTML", "/IFRAME",
                        "/iframe.HTML", "/iframe.xml", "/iframe-/.html"})
    EXPECT_EQ(h.get(std::string("/echo") + s).status, 404) << s;
}

TEST(IframePage, Cacheability) {
  Harness h;
  Response r1 = h.get("/echo/iframe.html");
  Response r2 = h.get("/echo/iframe.html");
  auto etag = r1.header("ETag");
  ASSERT_TRUE(etag.has_value());
  EXPECT_EQ(etag, r2.header("ETag"));
  // sockjs-node's ETag: the MD5 hex of the body, in double quotes.
  auto digest = sockjs::codec::md5(kIframePage);
  EXPECT_EQ(
      *etag,
      "\"" + sockjs::codec::hex_lower(digest.data(), digest.size()) + "\"");

  Response r = h.get("/echo/iframe.html", {"If-None-Match: " + *etag});
  EXPECT_EQ(r.status, 304);
  EXPECT_FALSE(r.has("Content-Type"));
  EXPECT_FALSE(r.has("Content-Length"));
  EXPECT_EQ(r.body, "");
  EXPECT_TRUE(r.complete);
  // A stale ETag gets the page.
  EXPECT_EQ(h.get("/echo/iframe.html", {"If-None-Match: \"x\""}).status, 200);
}

// ------------------------------------------------------------------ info

struct InfoJson {
  bool ok = false;
  std::string text;
  cJSON* json = nullptr;
  explicit InfoJson(const std::string& body) : text(body) {
    json = cJSON_Parse(body.c_str());
    ok = json != nullptr;
  }
  ~InfoJson() { cJSON_Delete(json); }
  cJSON* get(const char* k) const {
    return cJSON_GetObjectItemCaseSensitive(json, k);
  }
};

TEST(InfoTest, Basic) {
  Harness h;
  Response r = h.get("/echo/info", {"Origin: test"});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("Content-Type").value_or(""),
            "application/json; charset=UTF-8");
  expect_no_cookie(r);
  expect_no_cache(r);
  expect_cors(r, "test");
  InfoJson info(r.body);
  ASSERT_TRUE(info.ok) << r.body;
  EXPECT_TRUE(cJSON_IsTrue(info.get("websocket")));
  EXPECT_TRUE(cJSON_IsFalse(info.get("cookie_needed")));
  cJSON* origins = info.get("origins");
  ASSERT_TRUE(cJSON_IsArray(origins));
  ASSERT_EQ(cJSON_GetArraySize(origins), 1);
  EXPECT_STREQ(cJSON_GetArrayItem(origins, 0)->valuestring, "*:*");
  cJSON* entropy = info.get("entropy");
  ASSERT_TRUE(cJSON_IsNumber(entropy));
  EXPECT_GE(entropy->valuedouble, 0.0);
  EXPECT_LE(entropy->valuedouble, 4294967295.0);
  // An integer written without a fraction or exponent.
  std::string digits = r.body.substr(r.body.find("\"entropy\":") + 10);
  digits = digits.substr(0, digits.find_first_of(",}"));
  EXPECT_EQ(digits.find_first_not_of("0123456789"), std::string::npos)
      << digits;
  EXPECT_EQ(info.get("base_url"), nullptr);
}

TEST(InfoTest, Entropy) {
  Harness h;
  InfoJson a(h.get("/echo/info").body), b(h.get("/echo/info").body);
  ASSERT_TRUE(a.ok && b.ok);
  EXPECT_NE(a.get("entropy")->valuedouble, b.get("entropy")->valuedouble);
}

void verify_options(Harness& h, const std::string& url, const char* methods) {
  for (const char* origin : {"test", "null"}) {
    SCOPED_TRACE(url + " origin " + origin);
    Response r = h.request(
        http_request("OPTIONS", url,
                     {std::string("Access-Control-Request-Method: ") + methods,
                      std::string("Origin: ") + origin}));
    EXPECT_EQ(r.status, 204);
    expect_long_cache(r);
    EXPECT_EQ(r.header("Access-Control-Max-Age").value_or(""), "31536000");
    EXPECT_EQ(r.header("Access-Control-Allow-Methods").value_or(""), methods);
    EXPECT_EQ(r.body, "");
    EXPECT_FALSE(r.has("Content-Length"));
    EXPECT_TRUE(r.complete);
    expect_cors(r, std::string(origin));
  }
}

TEST(InfoTest, Options) {
  Harness h;
  verify_options(h, "/echo/info", "OPTIONS, GET");
}

TEST(InfoTest, OptionsNullOrigin) {
  Harness h;
  Response r = h.request(
      http_request("OPTIONS", "/echo/info",
                   {"Origin: null", "Access-Control-Request-Method: POST"}));
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(r.header("Access-Control-Allow-Origin").value_or(""), "null");
}

TEST(InfoTest, DisabledWebsocket) {
  Harness h;
  Response r = h.get("/disabled_websocket_echo/info");
  EXPECT_EQ(r.status, 200);
  InfoJson info(r.body);
  ASSERT_TRUE(info.ok);
  EXPECT_TRUE(cJSON_IsFalse(info.get("websocket")));
}

TEST(InfoTest, NoOriginGivesStar) {
  Harness h;
  Response r = h.get("/echo/info");
  expect_cors(r, std::nullopt);
  EXPECT_FALSE(r.has("Access-Control-Allow-Headers"));
}

TEST(InfoTest, PostIs405) {
  Harness h;
  Response r = h.post("/echo/info", "x");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.header("Allow").value_or(""), "OPTIONS, GET");
  EXPECT_FALSE(r.has("Content-Type"));
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(r.header("Content-Length").value_or(""), "0");
}

// ---------------------------------------------------------- session URLs

TEST(SessionURLs, AnyValue) {
  Harness h;
  for (const char* part :
       {"/a/a1", "/_/_1", "/1/1", "/abcdefgh_i-j%20/abcdefg_i-j%201"}) {
    Response r = h.post(std::string("/echo") + part + "/xhr");
    EXPECT_EQ(r.status, 200) << part;
    EXPECT_EQ(r.body, "o\n") << part;
  }
  EXPECT_EQ(h.events_of(SOCKJS_EVENT_OPEN).size(), 4u);
}

TEST(SessionURLs, InvalidPaths) {
  Harness h;
  for (const char* s : {"//", "/a./a", "/a/a.", "/./.", "/", "///"}) {
    std::string url = std::string("/echo") + s + "/xhr";
    EXPECT_EQ(h.get(url).status, 404) << url;
    EXPECT_EQ(h.post(url).status, 404) << url;
  }
  EXPECT_TRUE(h.events_of(SOCKJS_EVENT_OPEN).empty());
}

TEST(SessionURLs, IgnoringServerId) {
  Harness h;
  Response r = h.post("/echo/000/sid/xhr");
  EXPECT_EQ(r.body, "o\n");
  r = h.post("/echo/000/sid/xhr_send", "[\"a\"]");
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.body, "");
  r = h.post("/echo/999/sid/xhr");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "a[\"a\"]\n");
  EXPECT_EQ(h.events_of(SOCKJS_EVENT_OPEN).size(), 1u);
}

TEST(SessionURLs, SessionIdIsRawAndTrailingSlashAllowed) {
  Harness h;
  // %20 is not decoded: "a%20" and "a " would differ; the id is the raw text.
  EXPECT_EQ(h.post("/echo/1/a%20b/xhr/").body, "o\n");
  EXPECT_EQ(h.post("/echo/1/a%20b/xhr_send", "[\"q\"]").status, 204);
  EXPECT_EQ(h.post("/echo/1/a%20b/xhr").body, "a[\"q\"]\n");
  // Too many segments.
  EXPECT_EQ(h.post("/echo/1/2/3/xhr").status, 404);
}

}  // namespace
}  // namespace sockjs_test
