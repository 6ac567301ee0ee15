// HTTP transports through the libevent runner: xhr polling with xhr_send,
// xhr_streaming (one frame per chunk), client aborts, HTTP/1.0 streaming.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "harness.hpp"
#include "http_client.hpp"
#include "sockjs_frames.hpp"

namespace loopback {
namespace {

// Long enough for the runner to read a request it was just sent; used only
// where no observable tells that the request is parked.
void settle() { std::this_thread::sleep_for(std::chrono::milliseconds(300)); }

TEST(XhrPolling, SendAndPollRoundTrip) {
  Harness h;
  ASSERT_TRUE(h.ok()) << h.error();
  HttpResponse r = http_request(h.port(), "POST", "/echo/000/p1/xhr");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "o\n");
  EXPECT_EQ(r.header("content-type"), "application/javascript; charset=UTF-8");
  uint64_t conn = h.wait_open();
  ASSERT_NE(conn, 0u);
  EXPECT_EQ(h.open_event(conn).data, "xhr-polling");

  const std::vector<std::string> sent = {"a", "b \xe2\x82\xac", "c\"q"};
  r = http_request(h.port(), "POST", "/echo/000/p1/xhr_send", json_array(sent),
                   "Content-Type: text/plain\r\n");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.body, "");

  // The echoes may come in one a-frame or several polls.
  std::vector<std::string> got;
  for (int poll = 0; poll < 5 && got.size() < sent.size(); ++poll) {
    r = http_request(h.port(), "POST", "/echo/000/p1/xhr");
    ASSERT_TRUE(r.ok);
    ASSERT_EQ(r.status, 200);
    Frame f = parse_frame(r.body);
    ASSERT_EQ(f.type, 'a') << r.body;
    ASSERT_EQ(r.body.back(), '\n');
    got.insert(got.end(), f.messages.begin(), f.messages.end());
  }
  EXPECT_EQ(got, sent);
  EXPECT_EQ(h.count(SOCKJS_EVENT_MESSAGE, conn), sent.size());
  EXPECT_TRUE(h.close_and_wait());
  EXPECT_EQ(h.count(SOCKJS_EVENT_CLOSE, conn), 1u);
}

TEST(XhrPolling, SendToUnknownSessionIs404) {
  Harness h;
  ASSERT_TRUE(h.ok()) << h.error();
  HttpResponse r =
      http_request(h.port(), "POST", "/echo/000/nosuch/xhr_send", "[\"x\"]");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(h.count(SOCKJS_EVENT_OPEN), 0u);
}

TEST(XhrPolling, ParkedPollIsAnsweredBySend) {
  Harness h;
  ASSERT_TRUE(h.ok()) << h.error();
  ASSERT_EQ(http_request(h.port(), "POST", "/echo/000/p2/xhr").body, "o\n");
  uint64_t conn = h.wait_open();
  TcpConn c;
  ASSERT_TRUE(c.connect(h.port()));
  ASSERT_TRUE(c.send_all(build_request("POST", "/echo/000/p2/xhr")));
  settle();
  ASSERT_EQ(sockjs_conn_send(h.server(), conn, "late", 4), SOCKJS_OK);
  HttpResponse r = read_response(c);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.body, "a[\"late\"]\n");
}

TEST(XhrStreaming, OneFramePerChunk) {
  Harness h;
  ASSERT_TRUE(h.ok()) << h.error();
  TcpConn c;
  ASSERT_TRUE(c.connect(h.port()));
  ASSERT_TRUE(c.send_all(build_request("POST", "/echo/000/s1/xhr_streaming")));
  HttpResponse head;
  ASSERT_TRUE(read_head(c, head));
  EXPECT_EQ(head.status, 200);
  ASSERT_TRUE(head.chunked);
  std::string chunk;
  bool done = false;
  ASSERT_TRUE(read_chunk(c, chunk, done));
  EXPECT_EQ(chunk, std::string(2048, 'h') + "\n");  // the prelude
  ASSERT_TRUE(read_chunk(c, chunk, done));
  EXPECT_EQ(chunk, "o\n");
  uint64_t conn = h.wait_open();
  EXPECT_EQ(h.open_event(conn).data, "xhr-streaming");

  for (int i = 0; i < 5; ++i) {
    std::string msg = "m" + std::to_string(i);
    HttpResponse s = http_request(h.port(), "POST", "/echo/000/s1/xhr_send",
                                  json_array({msg}));
    ASSERT_EQ(s.status, 204);
    ASSERT_TRUE(read_chunk(c, chunk, done));
    // Exactly one frame, ending the chunk.
    EXPECT_EQ(chunk, "a[\"" + msg + "\"]\n");
  }
  // The application closes the session: the close frame is the last chunk,
  // then the chunked body ends.
  ASSERT_EQ(sockjs_conn_close(h.server(), conn, 3000, "Go away!"), SOCKJS_OK);
  ASSERT_TRUE(read_chunk(c, chunk, done));
  EXPECT_EQ(chunk, "c[3000,\"Go away!\"]\n");
  EXPECT_FALSE(read_chunk(c, chunk, done));
  EXPECT_TRUE(done);
}

TEST(XhrStreaming, ResponseLimitEndsTheBody) {
  HarnessConfig cfg;
  cfg.services = {{"/echo", [](sockjs_options* o) {
                     sockjs_options_set_response_limit(o, 4096);
                   }}};
  Harness h(cfg);
  ASSERT_TRUE(h.ok()) << h.error();
  TcpConn c;
  ASSERT_TRUE(c.connect(h.port()));
  ASSERT_TRUE(c.send_all(build_request("POST", "/echo/000/lim/xhr_streaming")));
  HttpResponse head;
  ASSERT_TRUE(read_head(c, head));
  std::string chunk;
  bool done = false;
  ASSERT_TRUE(read_chunk(c, chunk, done));  // prelude
  ASSERT_TRUE(read_chunk(c, chunk, done));  // o
  ASSERT_EQ(chunk, "o\n");
  uint64_t conn = h.wait_open();
  std::string big(5000, 'x');
  ASSERT_EQ(sockjs_conn_send(h.server(), conn, big.data(), big.size()),
            SOCKJS_OK);
  ASSERT_TRUE(read_chunk(c, chunk, done));
  EXPECT_EQ(chunk, "a[\"" + big + "\"]\n");
  EXPECT_FALSE(read_chunk(c, chunk, done));
  EXPECT_TRUE(done);
  // The session lives on: the next request picks up a queued message.
  ASSERT_EQ(sockjs_conn_send(h.server(), conn, "next", 4), SOCKJS_OK);
  HttpResponse r = http_request(h.port(), "POST", "/echo/000/lim/xhr");
  EXPECT_EQ(r.body, "a[\"next\"]\n");
  EXPECT_EQ(h.count(SOCKJS_EVENT_CLOSE, conn), 0u);
}

TEST(XhrStreaming, Http10BodyEndsBySocketClose) {
  HarnessConfig cfg;
  // A closed session lingers for disconnect_delay (PROTOCOL 5.4); keep the
  // wait for its CLOSE event short.
  cfg.services = {{"/echo", [](sockjs_options* o) {
                     sockjs_options_set_disconnect_delay_ms(o, 200);
                   }}};
  Harness h(cfg);
  ASSERT_TRUE(h.ok()) << h.error();
  TcpConn c;
  ASSERT_TRUE(c.connect(h.port()));
  ASSERT_TRUE(c.send_all(build_request("POST", "/echo/000/h10/xhr_streaming",
                                       "", "", "HTTP/1.0")));
  HttpResponse head;
  ASSERT_TRUE(read_head(c, head));
  EXPECT_EQ(head.status, 200);
  EXPECT_FALSE(head.chunked);
  EXPECT_FALSE(head.has("content-length"));
  std::string prelude;
  ASSERT_TRUE(c.read_exact(2049 + 2, prelude));
  EXPECT_EQ(prelude, std::string(2048, 'h') + "\no\n");
  uint64_t conn = h.wait_open();
  ASSERT_EQ(sockjs_conn_send(h.server(), conn, "one", 3), SOCKJS_OK);
  ASSERT_EQ(sockjs_conn_close(h.server(), conn, 3001, "end"), SOCKJS_OK);
  std::string rest;
  ASSERT_TRUE(c.read_to_eof(rest));  // the end of the body is the EOF
  EXPECT_EQ(rest, "a[\"one\"]\nc[3001,\"end\"]\n");
  ASSERT_TRUE(h.wait_close(conn));
}

// PROTOCOL 5.3 / trap 13.7: a client closes its parked poll and at once
// polls again on a new connection. The server must see the abort first:
// the old session ends (exactly one CLOSE), the new poll opens a new one.
void abort_then_reconnect(bool reset) {
  Harness h;
  ASSERT_TRUE(h.ok()) << h.error();
  ASSERT_EQ(http_request(h.port(), "POST", "/echo/000/ab/xhr").body, "o\n");
  uint64_t old_conn = h.wait_open(0);
  ASSERT_NE(old_conn, 0u);
  TcpConn parked;
  ASSERT_TRUE(parked.connect(h.port()));
  ASSERT_TRUE(parked.send_all(build_request("POST", "/echo/000/ab/xhr")));
  settle();
  parked.close(reset);
  HttpResponse r = http_request(h.port(), "POST", "/echo/000/ab/xhr");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.body, "o\n");
  uint64_t new_conn = h.wait_open(1);
  ASSERT_NE(new_conn, 0u);
  EXPECT_NE(new_conn, old_conn);
  ASSERT_TRUE(h.wait_close(old_conn));
  EXPECT_TRUE(h.close_and_wait());
  EXPECT_EQ(h.count(SOCKJS_EVENT_CLOSE, old_conn), 1u);
  EXPECT_EQ(h.count(SOCKJS_EVENT_CLOSE, new_conn), 1u);
  for (const auto& e : h.events()) {
    if (e.type == SOCKJS_EVENT_CLOSE && e.conn == old_conn) {
      EXPECT_EQ(e.code, 1002);
    }
  }
}

TEST(XhrPolling, AbortThenReconnectMakesANewSession) {
  abort_then_reconnect(false);
}

TEST(XhrPolling, ResetThenReconnectMakesANewSession) {
  abort_then_reconnect(true);
}

TEST(XhrPolling, SecondReceiverGets2010) {
  Harness h;
  ASSERT_TRUE(h.ok()) << h.error();
  ASSERT_EQ(http_request(h.port(), "POST", "/echo/000/two/xhr").body, "o\n");
  uint64_t conn = h.wait_open();
  TcpConn parked;
  ASSERT_TRUE(parked.connect(h.port()));
  ASSERT_TRUE(parked.send_all(build_request("POST", "/echo/000/two/xhr")));
  settle();
  HttpResponse r = http_request(h.port(), "POST", "/echo/000/two/xhr");
  EXPECT_EQ(r.body, "c[2010,\"Another connection still open\"]\n");
  // The first receiver is untouched and still gets the next message.
  ASSERT_EQ(sockjs_conn_send(h.server(), conn, "still", 5), SOCKJS_OK);
  HttpResponse first = read_response(parked);
  EXPECT_EQ(first.body, "a[\"still\"]\n");
  EXPECT_EQ(h.count(SOCKJS_EVENT_CLOSE, conn), 0u);
}

}  // namespace
}  // namespace loopback
