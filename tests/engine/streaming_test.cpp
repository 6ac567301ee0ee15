// PROTOCOL.md 12.1: XhrStreaming, EventSource, HtmlFile, HandlingClose.
// Streaming answers are read chunk by chunk: every frame its own chunk.
#include "harness.hpp"

namespace sockjs_test {
namespace {

const std::string kXhrPrelude = std::string(2048, 'h') + "\n";
const std::string kGoAway = "c[3000,\"Go away!\"]";
const std::string kAnother = "c[2010,\"Another connection still open\"]";

// The response on a stream so far (head must be there).
Response so_far(Harness& h, sockjs_stream_id st) {
  auto r = h.response_on(st);
  EXPECT_TRUE(r.has_value()) << "no response head";
  return r ? *r : Response{};
}

// ---------------------------------------------------------- XhrStreaming

TEST(XhrStreaming, Options) {
  Harness h;
  for (const char* origin : {"test", "null"}) {
    Response r =
        h.request(http_request("OPTIONS", "/echo/abc/abc/xhr_streaming",
                               {"Access-Control-Request-Method: OPTIONS, POST",
                                std::string("Origin: ") + origin}));
    EXPECT_EQ(r.status, 204);
    expect_long_cache(r);
    EXPECT_EQ(r.header("Access-Control-Allow-Methods").value_or(""),
              "OPTIONS, POST");
    EXPECT_EQ(r.header("Access-Control-Max-Age").value_or(""), "31536000");
    EXPECT_EQ(r.body, "");
    expect_cors(r, std::string(origin));
  }
}

TEST(XhrStreaming, Transport) {
  Harness h;
  sockjs_stream_id st = 0;
  Response r = h.post("/echo/000/xs/xhr_streaming", "", {"Origin: test"}, &st);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("Content-Type").value_or(""),
            "application/javascript; charset=UTF-8");
  expect_cors(r, "test");
  expect_no_cache(r);
  EXPECT_TRUE(r.chunked);
  EXPECT_FALSE(r.has("Content-Length"));
  EXPECT_EQ(r.chunks, (std::vector<std::string>{kXhrPrelude, "o\n"}));
  EXPECT_FALSE(r.last_chunk);

  Response s = h.post("/echo/000/xs/xhr_send", "[\"x\"]");
  EXPECT_EQ(s.status, 204);
  EXPECT_EQ(s.body, "");
  r = so_far(h, st);
  EXPECT_EQ(r.chunks,
            (std::vector<std::string>{kXhrPrelude, "o\n", "a[\"x\"]\n"}));
  EXPECT_FALSE(r.last_chunk);
}

TEST(XhrStreaming, HeadBytesExact) {
  Harness h;
  sockjs_stream_id st = h.open_stream();
  h.feed(st,
         http_request("POST", "/echo/000/xb/xhr_streaming", {}, std::string()));
  EXPECT_EQ(h.take_received(st),
            "HTTP/1.1 200 OK\r\n"
            "Content-Type: application/javascript; charset=UTF-8\r\n"
            "Cache-Control: no-store, no-cache, no-transform, "
            "must-revalidate, max-age=0\r\n"
            "Access-Control-Allow-Origin: *\r\n"
            "Vary: Origin\r\n"
            "Transfer-Encoding: chunked\r\n"
            "\r\n"
            "801\r\n" +
                kXhrPrelude +
                "\r\n"
                "2\r\no\n\r\n");
}

TEST(XhrStreaming, ResponseLimit) {
  Harness h;
  sockjs_stream_id st = 0;
  Response r = h.post("/echo/000/rl/xhr_streaming", "", {}, &st);
  ASSERT_EQ(r.chunks.size(), 2u);
  const std::string msg = "\"" + std::string(128, 'x') + "\"";
  for (int i = 0; i < 31; ++i) {
    EXPECT_EQ(h.post("/echo/000/rl/xhr_send", "[" + msg + "]").status, 204);
    r = so_far(h, st);
    ASSERT_EQ(r.chunks.size(), static_cast<size_t>(3 + i));
    EXPECT_EQ(r.chunks.back(), "a[" + msg + "]\n");
    // 2 + 30 * 134 = 4022 < 4096: open; the 31st crosses the limit.
    EXPECT_EQ(r.last_chunk, i == 30) << "after message " << i + 1;
  }
  EXPECT_FALSE(h.wants_close(st));  // HTTP/1.1: the connection stays
  // The session lives on: a new stream gets no second "o".
  sockjs_stream_id st2 = 0;
  r = h.post("/echo/000/rl/xhr_streaming", "", {}, &st2);
  EXPECT_EQ(r.chunks, (std::vector<std::string>{kXhrPrelude}));
  EXPECT_EQ(h.post("/echo/000/rl/xhr_send", "[\"y\"]").status, 204);
  EXPECT_EQ(so_far(h, st2).chunks,
            (std::vector<std::string>{kXhrPrelude, "a[\"y\"]\n"}));
  EXPECT_EQ(h.events_of(SOCKJS_EVENT_OPEN).size(), 1u);
  EXPECT_TRUE(h.events_of(SOCKJS_EVENT_CLOSE).empty());
}

// ----------------------------------------------------------- EventSource

TEST(EventSource, Transport) {
  Harness h;
  sockjs_stream_id st = 0;
  Response r = h.get("/echo/000/es/eventsource", {}, &st);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("Content-Type").value_or(""), "text/event-stream");
  expect_no_cache(r);
  expect_cors(r, std::nullopt);
  EXPECT_EQ(r.chunks, (std::vector<std::string>{"\r\n", "data: o\r\n\r\n"}));

  EXPECT_EQ(h.post("/echo/000/es/xhr_send", "[\"x\"]").status, 204);
  EXPECT_EQ(so_far(h, st).chunks.back(), "data: a[\"x\"]\r\n\r\n");

  Response s = h.post("/echo/000/es/xhr_send", "[\"  \\u0000\\n\\r \"]");
  EXPECT_EQ(s.status, 204);
  EXPECT_EQ(s.body, "");
  r = so_far(h, st);
  EXPECT_EQ(r.chunks.back(), "data: a[\"  \\u0000\\n\\r \"]\r\n\r\n");
  EXPECT_EQ(r.chunks.size(), 4u);
  EXPECT_FALSE(r.last_chunk);
}

TEST(EventSource, PercentIsEscaped) {
  // PROTOCOL.md 7.3: sockjs-client runs decodeURI on each data line.
  Harness h;
  sockjs_stream_id st = 0;
  h.get("/echo/000/pct/eventsource", {}, &st);
  EXPECT_EQ(h.post("/echo/000/pct/xhr_send", "[\"\\u0000\\r\\n%\", \"50%25\"]")
                .status,
            204);
  Response r = so_far(h, st);
  // The application echoes each message with its own send: two frames.
  ASSERT_EQ(r.chunks.size(), 4u);
  EXPECT_EQ(r.chunks[2], "data: a[\"\\u0000\\r\\n%25\"]\r\n\r\n");
  EXPECT_EQ(r.chunks[3], "data: a[\"50%2525\"]\r\n\r\n");
}

TEST(EventSource, NullOriginGivesStar) {
  Harness h;
  Response r = h.get("/echo/000/eso1/eventsource", {"Origin: null"});
  EXPECT_EQ(r.header("Access-Control-Allow-Origin").value_or(""), "*");
  EXPECT_FALSE(r.has("Access-Control-Allow-Credentials"));
  r = h.get("/echo/000/eso2/eventsource", {"Origin: test"});
  expect_cors(r, "test");
}

TEST(EventSource, ResponseLimit) {
  Harness h;
  sockjs_stream_id st = 0;
  Response r = h.get("/echo/000/esl/eventsource", {}, &st);
  EXPECT_EQ(r.chunks, (std::vector<std::string>{"\r\n", "data: o\r\n\r\n"}));
  const std::string msg = "\"" + std::string(4096, 'x') + "\"";
  EXPECT_EQ(h.post("/echo/000/esl/xhr_send", "[" + msg + "]").status, 204);
  r = so_far(h, st);
  ASSERT_EQ(r.chunks.size(), 3u);
  EXPECT_EQ(r.chunks[2], "data: a[" + msg + "]\r\n\r\n");
  EXPECT_TRUE(r.last_chunk);
  EXPECT_TRUE(r.complete);
}

// -------------------------------------------------------------- HtmlFile

std::string htmlfile_head(const std::string& cb) {
  return "<!doctype html>\n"
         "<html><head>\n"
         "  <meta http-equiv=\"X-UA-Compatible\" content=\"IE=edge\" />\n"
         "  <meta http-equiv=\"Content-Type\" content=\"text/html; "
         "charset=UTF-8\" />\n"
         "</head><body><h2>Don't panic!</h2>\n"
         "  <script>\n"
         "    document.domain = document.domain;\n"
         "    var c = parent." +
         cb +
         ";\n"
         "    c.start();\n"
         "    function p(d) {c.message(d);};\n"
         "    window.onload = function() {c.stop();};\n"
         "  </script>";
}

std::string strip(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  size_t e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

TEST(HtmlFile, Transport) {
  Harness h;
  sockjs_stream_id st = 0;
  Response r = h.get("/echo/000/hf/htmlfile?c=%63allback", {}, &st);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("Content-Type").value_or(""), "text/html; charset=UTF-8");
  expect_no_cache(r);
  expect_no_cors(r);
  ASSERT_EQ(r.chunks.size(), 2u);
  const std::string& prelude = r.chunks[0];
  EXPECT_EQ(strip(prelude), htmlfile_head("callback"));
  EXPECT_GT(prelude.size(), 1024u);
  // sockjs-node's padding: 1027 + len(callback) bytes, ending in \r\n\r\n.
  EXPECT_EQ(prelude.size(), 1027u + 8u);
  EXPECT_EQ(prelude.substr(prelude.size() - 4), "\r\n\r\n");
  EXPECT_EQ(prelude.substr(0, htmlfile_head("callback").size()),
            htmlfile_head("callback"));
  EXPECT_EQ(r.chunks[1], "<script>\np(\"o\");\n</script>\r\n");

  EXPECT_EQ(h.post("/echo/000/hf/xhr_send", "[\"x\"]").status, 204);
  EXPECT_EQ(so_far(h, st).chunks.back(),
            "<script>\np(\"a[\\\"x\\\"]\");\n</script>\r\n");
}

TEST(HtmlFile, ScriptTagInMessageCannotBreakThePage) {
  Harness h;
  sockjs_stream_id st = 0;
  h.get("/echo/000/hfs/htmlfile?c=cb", {}, &st);
  EXPECT_EQ(h.post("/echo/000/hfs/xhr_send", "[\"</script>\"]").status, 204);
  std::string chunk = so_far(h, st).chunks.back();
  // Only the frame's own closing tag.
  EXPECT_EQ(chunk.find("</script>"), chunk.size() - 11) << chunk;
  EXPECT_EQ(chunk,
            "<script>\np(\"a[\\\"\\u003c/script>\\\"]\");\n</script>\r\n");
}

TEST(HtmlFile, NoCallback) {
  Harness h;
  Response r = h.get("/echo/a/a/htmlfile");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, "\"callback\" parameter required");
  EXPECT_TRUE(h.events_of(SOCKJS_EVENT_OPEN).empty());
}

TEST(HtmlFile, InvalidCallback) {
  Harness h;
  for (const char* cb : {"%20", "*", "abc(", "abc%28"}) {
    Response r = h.get(std::string("/echo/a/a/htmlfile?c=") + cb);
    EXPECT_EQ(r.status, 500) << cb;
    EXPECT_EQ(r.body, "invalid \"callback\" parameter") << cb;
  }
  // No length limit on htmlfile callbacks (unlike jsonp).
  Response r = h.get("/echo/a/long/htmlfile?c=" + std::string(40, 'c'));
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(h.events_of(SOCKJS_EVENT_CLOSE).empty());
}

TEST(HtmlFile, ResponseLimit) {
  Harness h;
  sockjs_stream_id st = 0;
  Response r = h.get("/echo/000/hfl/htmlfile?c=callback", {}, &st);
  ASSERT_EQ(r.chunks.size(), 2u);
  EXPECT_EQ(r.chunks[1], "<script>\np(\"o\");\n</script>\r\n");
  const std::string msg(4096, 'x');
  EXPECT_EQ(h.post("/echo/000/hfl/xhr_send", "[\"" + msg + "\"]").status, 204);
  r = so_far(h, st);
  ASSERT_EQ(r.chunks.size(), 3u);
  EXPECT_EQ(r.chunks[2],
            "<script>\np(\"a[\\\"" + msg + "\\\"]\");\n</script>\r\n");
  EXPECT_TRUE(r.last_chunk);
}

// --------------------------------------------------------- HandlingClose

TEST(HandlingClose, CloseFrame) {
  Harness h;
  sockjs_stream_id s1 = 0, s2 = 0;
  Response r = h.post("/close/000/cf/xhr_streaming", "", {}, &s1);
  EXPECT_EQ(r.chunks,
            (std::vector<std::string>{kXhrPrelude, "o\n", kGoAway + "\n"}));
  EXPECT_TRUE(r.last_chunk);
  r = h.post("/close/000/cf/xhr_streaming", "", {}, &s2);
  EXPECT_EQ(r.chunks, (std::vector<std::string>{kXhrPrelude, kGoAway + "\n"}));
  EXPECT_TRUE(r.last_chunk);
  EXPECT_EQ(h.events_of(SOCKJS_EVENT_OPEN).size(), 1u);
  h.advance(5000);
  h.expect_one_close_per_open();
}

TEST(HandlingClose, CloseRequest) {
  Harness h;
  sockjs_stream_id s1 = 0;
  Response r = h.post("/echo/000/cr/xhr_streaming", "", {}, &s1);
  EXPECT_EQ(r.chunks, (std::vector<std::string>{kXhrPrelude, "o\n"}));
  r = h.post("/echo/000/cr/xhr_streaming");
  EXPECT_EQ(r.chunks, (std::vector<std::string>{kXhrPrelude, kAnother + "\n"}));
  EXPECT_TRUE(r.last_chunk);
  // The first is untouched.
  r = so_far(h, s1);
  EXPECT_FALSE(r.last_chunk);
  EXPECT_EQ(h.post("/echo/000/cr/xhr_send", "[\"z\"]").status, 204);
  EXPECT_EQ(so_far(h, s1).chunks.back(), "a[\"z\"]\n");
  EXPECT_TRUE(h.events_of(SOCKJS_EVENT_CLOSE).empty());
}

TEST(HandlingClose, AbortXhrStreaming) {
  Harness h;
  sockjs_stream_id s1 = 0;
  Response r = h.post("/echo/000/ab/xhr_streaming", "", {}, &s1);
  EXPECT_EQ(r.chunks.back(), "o\n");
  r = h.post("/echo/000/ab/xhr_streaming");
  EXPECT_EQ(r.chunks, (std::vector<std::string>{kXhrPrelude, kAnother + "\n"}));
  EXPECT_TRUE(r.last_chunk);
  h.close_stream(s1);  // the client aborts
  auto closes = h.events_of(SOCKJS_EVENT_CLOSE);
  ASSERT_EQ(closes.size(), 1u);
  EXPECT_EQ(closes[0].code, 1002);
  EXPECT_EQ(closes[0].data, "Connection interrupted");
  r = h.post("/echo/000/ab/xhr_streaming");
  EXPECT_EQ(r.chunks, (std::vector<std::string>{kXhrPrelude, "o\n"}));
  EXPECT_EQ(h.events_of(SOCKJS_EVENT_OPEN).size(), 2u);
}

TEST(HandlingClose, AbortXhrPolling) {
  Harness h;
  EXPECT_EQ(h.post("/echo/000/abp/xhr").body, "o\n");
  sockjs_stream_id parked = 0;
  EXPECT_EQ(h.post("/echo/000/abp/xhr", "", {}, &parked).status, 0);
  EXPECT_EQ(h.post("/echo/000/abp/xhr").body, kAnother + "\n");
  h.close_stream(parked);
  ASSERT_EQ(h.events_of(SOCKJS_EVENT_CLOSE).size(), 1u);
  EXPECT_EQ(h.post("/echo/000/abp/xhr").body, "o\n");
  EXPECT_EQ(h.events_of(SOCKJS_EVENT_OPEN).size(), 2u);
  h.expect_one_close_per_open(false);  // the second session is still open
}

}  // namespace
}  // namespace sockjs_test
