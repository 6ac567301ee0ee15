// PROTOCOL.md 12.1: Http10, Http11; plus pipelining, the request-head
// timeout and the size limits of the HTTP layer.
#include "harness.hpp"

namespace sockjs_test {
namespace {

const std::string kXhrPrelude = std::string(2048, 'h') + "\n";

// ------------------------------------------------------------------ 1.0

TEST(Http10, SynchronousKeepAlive) {
  Harness h;
  sockjs_stream_id st = h.open_stream();
  for (int i = 0; i < 2; ++i) {
    h.feed(st, http_request("GET", "/echo", {"Connection: Keep-Alive"},
                            std::nullopt, "HTTP/1.0"));
    EXPECT_EQ(h.take_received(st),
              "HTTP/1.1 200 OK\r\n"
              "Content-Type: text/plain; charset=UTF-8\r\n"
              "Content-Length: 19\r\n"
              "Connection: keep-alive\r\n"
              "\r\n"
              "Welcome to SockJS!\n")
        << "request " << i;
    EXPECT_FALSE(h.wants_close(st));
  }
}

TEST(Http10, SynchronousWithoutKeepAliveCloses) {
  Harness h;
  sockjs_stream_id st = 0;
  Response r = h.request(
      http_request("GET", "/echo", {}, std::nullopt, "HTTP/1.0"), &st);
  EXPECT_EQ(r.status, 200);
  EXPECT_FALSE(r.has("Transfer-Encoding"));
  EXPECT_EQ(r.header("Content-Length").value_or(""), "19");
  EXPECT_EQ(r.header("Connection").value_or(""), "close");
  EXPECT_EQ(r.body, "Welcome to SockJS!\n");
  EXPECT_TRUE(h.wants_close(st));
}

TEST(Http10, Streaming) {
  Harness h;
  sockjs_stream_id st = h.open_stream();
  h.feed(st,
         http_request("POST", "/close/000/h10/xhr_streaming",
                      {"Connection: Keep-Alive"}, std::string(), "HTTP/1.0"));
  std::string got = h.take_received(st);
  auto r = parse_response(got, true);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_FALSE(r->has("Transfer-Encoding"));
  EXPECT_FALSE(r->has("Content-Length"));
  EXPECT_EQ(r->header("Connection").value_or(""), "close");
  EXPECT_TRUE(r->close_delimited);
  // A raw byte stream: prelude, "o\n", the close frame; then the end.
  EXPECT_EQ(r->body, kXhrPrelude + "o\n" + "c[3000,\"Go away!\"]\n");
  EXPECT_TRUE(h.wants_close(st));
}

TEST(Http10, StreamingEndsAtResponseLimitWithClose) {
  Harness h;
  sockjs_stream_id st = h.open_stream();
  h.feed(st, http_request("GET", "/echo/000/h10l/eventsource", {}, std::nullopt,
                          "HTTP/1.0"));
  EXPECT_FALSE(h.wants_close(st));
  EXPECT_EQ(
      h.post("/echo/000/h10l/xhr_send", "[\"" + std::string(5000, 'x') + "\"]")
          .status,
      204);
  EXPECT_TRUE(h.wants_close(st));
  auto r = parse_response(h.take_received(st), true);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->body, "\r\ndata: o\r\n\r\ndata: a[\"" + std::string(5000, 'x') +
                         "\"]\r\n\r\n");
}

// ------------------------------------------------------------------ 1.1

TEST(Http11, SynchronousKeepAlive) {
  Harness h;
  sockjs_stream_id st = h.open_stream();
  for (int i = 0; i < 2; ++i) {
    h.feed(st, http_request("GET", "/echo", {"Connection: Keep-Alive"}));
    auto r = h.response_on(st);
    ASSERT_TRUE(r && r->complete) << i;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->header("Content-Length").value_or(""), "19");
    EXPECT_FALSE(r->has("Connection"));  // keep-alive is the 1.1 default
    EXPECT_EQ(r->body, "Welcome to SockJS!\n");
    EXPECT_FALSE(h.wants_close(st));
  }
}

TEST(Http11, ConnectionCloseIsHonoured) {
  Harness h;
  sockjs_stream_id st = 0;
  Response r =
      h.request(http_request("GET", "/echo", {"Connection: close"}), &st);
  EXPECT_EQ(r.header("Connection").value_or(""), "close");
  EXPECT_TRUE(h.wants_close(st));
}

TEST(Http11, Streaming) {
  Harness h;
  sockjs_stream_id st = h.open_stream();
  h.feed(st, http_request("POST", "/close/000/h11/xhr_streaming",
                          {"Connection: Keep-Alive"}, std::string()));
  std::string got = h.take_received(st);
  auto r = parse_response(got, false);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("Transfer-Encoding").value_or(""), "chunked");
  EXPECT_FALSE(r->has("Content-Length"));
  EXPECT_EQ(r->chunks, (std::vector<std::string>{kXhrPrelude, "o\n",
                                                 "c[3000,\"Go away!\"]\n"}));
  EXPECT_TRUE(r->last_chunk);
  // The zero-length last chunk ends the bytes exactly.
  EXPECT_EQ(got.substr(got.size() - 5), "0\r\n\r\n");
  EXPECT_EQ(r->consumed, got.size());
  EXPECT_FALSE(h.wants_close(st));
  // The connection serves the next request.
  h.feed(st, http_request("GET", "/echo"));
  auto g = h.response_on(st);
  ASSERT_TRUE(g && g->complete);
  EXPECT_EQ(g->body, "Welcome to SockJS!\n");
}

TEST(Http11, PipelinedRequests) {
  Harness h;
  sockjs_stream_id st = h.open_stream();
  h.feed(st, http_request("GET", "/echo") + http_request("GET", "/echo/info") +
                 http_request("POST", "/echo/000/pl/xhr", {}, std::string()) +
                 http_request("GET", "/echo/nope"));
  auto a = h.response_on(st);
  auto b = h.response_on(st);
  auto c = h.response_on(st);
  auto d = h.response_on(st);
  ASSERT_TRUE(a && b && c && d);
  EXPECT_EQ(a->body, "Welcome to SockJS!\n");
  EXPECT_EQ(b->header("Content-Type").value_or(""),
            "application/json; charset=UTF-8");
  EXPECT_EQ(c->body, "o\n");
  EXPECT_EQ(d->status, 404);
  EXPECT_EQ(h.take_received(st), "");
}

TEST(Http11, PipelinedRequestWaitsBehindParkedPoll) {
  Harness h;
  EXPECT_EQ(h.post("/echo/000/pw/xhr").body, "o\n");
  sockjs_stream_id st = h.open_stream();
  h.feed(st, http_request("POST", "/echo/000/pw/xhr", {}, std::string()) +
                 http_request("GET", "/echo"));
  EXPECT_EQ(h.read(st), "");  // the poll is parked; the greeting waits
  EXPECT_EQ(h.post("/echo/000/pw/xhr_send", "[\"m\"]").status, 204);
  auto poll = h.response_on(st);
  auto greet = h.response_on(st);
  ASSERT_TRUE(poll && greet);
  EXPECT_EQ(poll->body, "a[\"m\"]\n");
  EXPECT_EQ(greet->body, "Welcome to SockJS!\n");
}

TEST(Http11, RequestSplitIntoBytes) {
  Harness h;
  sockjs_stream_id st = h.open_stream();
  std::string req =
      http_request("POST", "/echo/000/sb/xhr", {}, std::string("x"));
  for (char c : req) h.feed(st, std::string(1, c));
  auto r = h.response_on(st);
  ASSERT_TRUE(r && r->complete);
  EXPECT_EQ(r->body, "o\n");
}

TEST(Http11, ChunkedRequestBody) {
  Harness h;
  EXPECT_EQ(h.post("/echo/000/cb/xhr").body, "o\n");
  Response r = h.request(
      "POST /echo/000/cb/xhr_send HTTP/1.1\r\nHost: x\r\n"
      "Transfer-Encoding: chunked\r\n\r\n"
      "3\r\n[\"a\r\n2\r\n\"]\r\n0\r\n\r\n");
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(h.post("/echo/000/cb/xhr").body, "a[\"a\"]\n");
}

TEST(Http11, ExpectContinue) {
  Harness h;
  EXPECT_EQ(h.post("/echo/000/ec/xhr").body, "o\n");
  sockjs_stream_id st = h.open_stream();
  h.feed(st,
         "POST /echo/000/ec/xhr_send HTTP/1.1\r\nHost: x\r\n"
         "Expect: 100-continue\r\nContent-Length: 5\r\n\r\n");
  EXPECT_EQ(h.take_received(st), "HTTP/1.1 100 Continue\r\n\r\n");
  h.feed(st, "[\"e\"]");
  auto r = h.response_on(st);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 204);
}

TEST(Http11, UnknownPathWithBodyIs404) {
  // PROTOCOL.md 1: no route matches the path, so 404, whatever the body.
  Harness h;
  sockjs_stream_id st = 0;
  Response r = h.post("/nothing/here", "abc", {}, &st);
  EXPECT_EQ(r.status, 404);
  EXPECT_FALSE(h.wants_close(st));
  h.feed(st, http_request("GET", "/echo"));
  auto g = h.response_on(st);
  ASSERT_TRUE(g && g->complete);
  EXPECT_EQ(g->body, "Welcome to SockJS!\n");
}

TEST(Http11, GarbageIs400AndCloses) {
  Harness h;
  sockjs_stream_id st = 0;
  Response r = h.request("BLAH\r\n\r\n", &st);
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(h.wants_close(st));
}

// ----------------------------------------------------- timeouts, limits

TEST(HttpLimits, RequestHeadTimeoutIs408) {
  Harness h;  // default 30 s
  sockjs_stream_id st = h.open_stream();
  h.feed(st, "GET /echo HTTP/1.1\r\nHost: x\r\n");
  h.advance(29999);
  EXPECT_EQ(h.read(st), "");
  EXPECT_FALSE(h.wants_close(st));
  h.advance(1);
  auto r = h.response_on(st);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 408);
  EXPECT_EQ(r->header("Connection").value_or(""), "close");
  EXPECT_TRUE(h.wants_close(st));
}

TEST(HttpLimits, IdleConnectionIsClosedQuietly) {
  Config cfg;
  cfg.request_timeout_ms = 2000;
  Harness h(cfg);
  sockjs_stream_id idle = h.open_stream();
  sockjs_stream_id used = h.open_stream();
  h.advance(1000);
  EXPECT_FALSE(h.wants_close(idle));
  h.feed(used, http_request("GET", "/echo"));
  h.advance(1000);
  EXPECT_TRUE(h.wants_close(idle));
  EXPECT_EQ(h.pending_output(idle), "");
  // The keep-alive connection's idle time counts from its last response.
  EXPECT_FALSE(h.wants_close(used));
  h.advance(1000);
  EXPECT_TRUE(h.wants_close(used));
}

TEST(HttpLimits, ParkedPollHasNoHeadTimeout) {
  Config cfg;
  cfg.request_timeout_ms = 1000;
  cfg.heartbeat_ms = 0;
  Harness h(cfg);
  EXPECT_EQ(h.post("/echo/000/nt/xhr").body, "o\n");
  sockjs_stream_id st = 0;
  h.post("/echo/000/nt/xhr", "", {}, &st);
  h.advance(10000);
  EXPECT_FALSE(h.wants_close(st));
  EXPECT_EQ(h.read(st), "");
}

TEST(HttpLimits, HugeHeadIs431) {
  Config cfg;
  cfg.max_head = 1024;
  Harness h(cfg);
  sockjs_stream_id st = 0;
  Response r = h.request(
      http_request("GET", "/echo", {"X-Big: " + std::string(2000, 'b')}), &st);
  EXPECT_EQ(r.status, 431);
  EXPECT_EQ(r.header("Connection").value_or(""), "close");
  EXPECT_TRUE(h.wants_close(st));
  // Just under the limit is fine.
  r = h.request(
      http_request("GET", "/echo", {"X-Big: " + std::string(900, 'b')}));
  EXPECT_EQ(r.status, 200);
}

TEST(HttpLimits, OversizedBodyIs413) {
  Config cfg;
  cfg.max_message_size = 64;
  Harness h(cfg);
  EXPECT_EQ(h.post("/echo/000/big/xhr").body, "o\n");
  sockjs_stream_id st = 0;
  Response r = h.post("/echo/000/big/xhr_send",
                      "[\"" + std::string(100, 'x') + "\"]", {}, &st);
  EXPECT_EQ(r.status, 413);
  EXPECT_TRUE(h.wants_close(st));
  // Chunked, so the size is only known as it arrives.
  r = h.request(
      "POST /echo/000/big/xhr_send HTTP/1.1\r\nHost: x\r\n"
      "Transfer-Encoding: chunked\r\n\r\n50\r\n" +
          std::string(80, 'y') + "\r\n0\r\n\r\n",
      &st);
  EXPECT_EQ(r.status, 413);
  EXPECT_TRUE(h.wants_close(st));
  EXPECT_TRUE(h.events_of(SOCKJS_EVENT_MESSAGE).empty());
  // Within the limit works.
  EXPECT_EQ(h.post("/echo/000/big/xhr_send", "[\"ok\"]").status, 204);
}

}  // namespace
}  // namespace sockjs_test
