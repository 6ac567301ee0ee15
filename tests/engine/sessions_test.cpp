// Session lifecycle with the fake clock (PROTOCOL.md 5): heartbeats,
// disconnect_delay, sends that do not extend a session, the CLOSE-per-OPEN
// rule, send errors, the send buffer and DRAIN, and server shutdown.
#include "harness.hpp"

namespace sockjs_test {
namespace {

const std::string kXhrPrelude = std::string(2048, 'h') + "\n";

// ------------------------------------------------------------ heartbeats

TEST(Heartbeat, IdlePollGetsHAfter25s) {
  Harness h;
  EXPECT_EQ(h.post("/echo/000/hb/xhr").body, "o\n");
  sockjs_stream_id st = 0;
  EXPECT_EQ(h.post("/echo/000/hb/xhr", "", {}, &st).status, 0);
  EXPECT_EQ(sockjs_server_next_timeout_ms(h.server()) <= 25000, true);
  h.advance(24999);
  EXPECT_EQ(h.read(st), "");
  h.advance(1);
  auto r = h.response_on(st);
  ASSERT_TRUE(r && r->complete);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "h\n");
  // The parked poll kept the session alive all that time.
  EXPECT_TRUE(h.events_of(SOCKJS_EVENT_CLOSE).empty());
}

TEST(Heartbeat, Configurable) {
  Config cfg;
  cfg.heartbeat_ms = 3000;
  Harness h(cfg);
  EXPECT_EQ(h.post("/echo/000/hbc/xhr").body, "o\n");
  sockjs_stream_id st = 0;
  h.post("/echo/000/hbc/xhr", "", {}, &st);
  h.advance(2999);
  EXPECT_EQ(h.read(st), "");
  h.advance(1);
  auto r = h.response_on(st);
  ASSERT_TRUE(r && r->complete);
  EXPECT_EQ(r->body, "h\n");
}

TEST(Heartbeat, StreamingGetsHChunksAndSendsPostponeThem) {
  Harness h;
  sockjs_stream_id st = 0;
  h.post("/echo/000/hbs/xhr_streaming", "", {}, &st);
  h.advance(20000);
  EXPECT_EQ(h.post("/echo/000/hbs/xhr_send", "[\"m\"]").status, 204);
  h.advance(24999);  // 25 s since the last frame: not yet
  auto r = h.response_on(st);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->chunks,
            (std::vector<std::string>{kXhrPrelude, "o\n", "a[\"m\"]\n"}));
  h.advance(1);
  r = h.response_on(st);
  EXPECT_EQ(r->chunks.back(), "h\n");
  h.advance(25000);
  r = h.response_on(st);
  EXPECT_EQ(r->chunks.size(), 5u);
  EXPECT_EQ(r->chunks.back(), "h\n");
}

TEST(Heartbeat, ZeroDisables) {
  Config cfg;
  cfg.heartbeat_ms = 0;
  Harness h(cfg);
  EXPECT_EQ(h.post("/echo/000/hb0/xhr").body, "o\n");
  sockjs_stream_id st = 0;
  h.post("/echo/000/hb0/xhr", "", {}, &st);
  h.advance(100000);
  EXPECT_EQ(h.read(st), "");
  EXPECT_EQ(sockjs_server_next_timeout_ms(h.server()), -1);
}

// ------------------------------------------------------ disconnect_delay

TEST(DisconnectDelay, SessionTimesOut) {
  Harness h;
  EXPECT_EQ(h.post("/echo/000/dd/xhr").body, "o\n");
  sockjs_conn_id first = h.last_open();
  h.advance(4999);
  EXPECT_TRUE(h.events_of(SOCKJS_EVENT_CLOSE).empty());
  h.advance(1);
  auto closes = h.events_of(SOCKJS_EVENT_CLOSE);
  ASSERT_EQ(closes.size(), 1u);
  EXPECT_EQ(closes[0].conn, first);
  EXPECT_EQ(closes[0].code, 1001);
  EXPECT_EQ(closes[0].data, "Session timed out");
  EXPECT_EQ(sockjs_conn_send(h.server(), first, "x", 1), SOCKJS_E_UNKNOWN_CONN);
  // The next poll makes a fresh session.
  EXPECT_EQ(h.post("/echo/000/dd/xhr").body, "o\n");
  EXPECT_NE(h.last_open(), first);
  EXPECT_EQ(h.post("/echo/000/dd/xhr_send", "[\"q\"]").status, 204);
  EXPECT_EQ(h.post("/echo/000/dd/xhr").body, "a[\"q\"]\n");
}

TEST(DisconnectDelay, SendsDoNotExtendTheSession) {
  // PROTOCOL.md 5.3, measured on sockjs-node 0.3.24.
  Harness h;
  EXPECT_EQ(h.post("/echo/000/sx/xhr").body, "o\n");
  h.advance(3500);
  EXPECT_EQ(h.post("/echo/000/sx/xhr_send", "[\"lost\"]").status, 204);
  h.advance(1500);  // 5 s after the poll ended
  auto closes = h.events_of(SOCKJS_EVENT_CLOSE);
  ASSERT_EQ(closes.size(), 1u);
  EXPECT_EQ(closes[0].data, "Session timed out");
  EXPECT_EQ(h.post("/echo/000/sx/xhr").body, "o\n");  // the echo was lost
}

TEST(DisconnectDelay, EachPollRestartsIt) {
  Config cfg;
  cfg.disconnect_ms = 1000;
  Harness h(cfg);
  EXPECT_EQ(h.post("/echo/000/rs/xhr").body, "o\n");
  for (int i = 0; i < 5; ++i) {
    h.advance(900);
    EXPECT_EQ(h.post("/echo/000/rs/xhr_send", "[\"m\"]").status, 204);
    EXPECT_EQ(h.post("/echo/000/rs/xhr").body, "a[\"m\"]\n");
  }
  EXPECT_TRUE(h.events_of(SOCKJS_EVENT_CLOSE).empty());
  h.advance(1000);
  EXPECT_EQ(h.events_of(SOCKJS_EVENT_CLOSE).size(), 1u);
}

TEST(DisconnectDelay, ClosedSessionServesCloseFrameUntilExpiry) {
  Harness h;
  EXPECT_EQ(h.post("/echo/000/cl/xhr").body, "o\n");
  sockjs_conn_id c = h.last_open();
  EXPECT_EQ(sockjs_conn_close(h.server(), c, 3001, "bye"), SOCKJS_OK);
  EXPECT_EQ(sockjs_conn_close(h.server(), c, 3001, "bye"), SOCKJS_E_CLOSED);
  EXPECT_EQ(sockjs_conn_send(h.server(), c, "x", 1), SOCKJS_E_CLOSED);
  EXPECT_TRUE(h.events_of(SOCKJS_EVENT_CLOSE).empty());
  h.advance(3000);
  EXPECT_EQ(h.post("/echo/000/cl/xhr").body, "c[3001,\"bye\"]\n");
  h.advance(3000);  // each poll restarted the timer
  EXPECT_EQ(h.post("/echo/000/cl/xhr").body, "c[3001,\"bye\"]\n");
  EXPECT_TRUE(h.events_of(SOCKJS_EVENT_CLOSE).empty());
  h.advance(5000);
  auto closes = h.events_of(SOCKJS_EVENT_CLOSE);
  ASSERT_EQ(closes.size(), 1u);
  EXPECT_EQ(closes[0].code, 3001);
  EXPECT_EQ(closes[0].data, "bye");
  EXPECT_EQ(h.post("/echo/000/cl/xhr").body, "o\n");
}

TEST(DisconnectDelay, CloseFlushesQueuedMessagesFirst) {
  Harness h;
  h.set_echo(false);
  EXPECT_EQ(h.post("/echo/000/cq/xhr").body, "o\n");
  sockjs_conn_id c = h.last_open();
  EXPECT_EQ(sockjs_conn_send(h.server(), c, "last", 4), SOCKJS_OK);
  EXPECT_EQ(sockjs_conn_close(h.server(), c, 1000, nullptr), SOCKJS_OK);
  EXPECT_EQ(h.post("/echo/000/cq/xhr").body, "a[\"last\"]\n");
  EXPECT_EQ(h.post("/echo/000/cq/xhr").body, "c[1000,\"Normal closure\"]\n");
}

TEST(DisconnectDelay, ParkedPollClosedByApplication) {
  Harness h;
  EXPECT_EQ(h.post("/echo/000/pc/xhr").body, "o\n");
  sockjs_stream_id st = 0;
  h.post("/echo/000/pc/xhr", "", {}, &st);
  EXPECT_EQ(sockjs_conn_close(h.server(), h.last_open(), 4000, "x"), SOCKJS_OK);
  auto r = h.response_on(st);
  ASSERT_TRUE(r && r->complete);
  EXPECT_EQ(r->body, "c[4000,\"x\"]\n");
}

// ------------------------------------------------ events and send errors

TEST(SessionEvents, OneClosePerOpenInEveryPath) {
  Config cfg;
  cfg.disconnect_ms = 1000;
  Harness h(cfg);
  // 1: times out.  2: application close, then expiry.  3: client abort of
  // a parked poll.  4: aborted streaming on a closing session.  5: /close
  // service.  6: WebSocket dropped.  7: WebSocket closed by the app.
  h.post("/echo/000/p1/xhr");
  h.post("/echo/000/p2/xhr");
  EXPECT_EQ(sockjs_conn_close(h.server(), h.last_open(), 3000, "a"), SOCKJS_OK);
  h.post("/echo/000/p3/xhr");
  sockjs_stream_id parked = 0;
  h.post("/echo/000/p3/xhr", "", {}, &parked);
  h.close_stream(parked);
  sockjs_stream_id streaming = 0;
  h.post("/echo/000/p4/xhr_streaming", "", {}, &streaming);
  sockjs_conn_id p4 = h.last_open();
  h.post("/close/000/p5/xhr");
  h.post("/close/000/p5/xhr");
  EXPECT_EQ(sockjs_conn_close(h.server(), p4, 3000, "b"), SOCKJS_OK);
  h.close_stream(streaming);
  sockjs_stream_id ws = 0;
  h.request(http_request("GET", "/echo/0/0/websocket",
                         {"Upgrade: websocket", "Connection: Upgrade",
                          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
                          "Sec-WebSocket-Version: 13"}),
            &ws);
  h.close_stream(ws);
  sockjs_stream_id ws2 = 0;
  h.request(http_request("GET", "/echo/0/0/websocket",
                         {"Upgrade: websocket", "Connection: Upgrade",
                          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
                          "Sec-WebSocket-Version: 13"}),
            &ws2);
  EXPECT_EQ(sockjs_conn_close(h.server(), h.last_open(), 1000, nullptr),
            SOCKJS_OK);
  h.close_stream(ws2);
  h.advance(1000);
  h.advance(1000);
  EXPECT_EQ(h.events_of(SOCKJS_EVENT_OPEN).size(), 7u);
  EXPECT_EQ(h.events_of(SOCKJS_EVENT_CLOSE).size(), 7u);
  h.expect_one_close_per_open();
}

TEST(SessionEvents, SendToGoneSessionIsUnknownConn) {
  Harness h;
  EXPECT_EQ(sockjs_conn_send(h.server(), 12345, "x", 1), SOCKJS_E_UNKNOWN_CONN);
  EXPECT_EQ(sockjs_conn_close(h.server(), 12345, 1000, nullptr),
            SOCKJS_E_UNKNOWN_CONN);
  h.post("/echo/000/g/xhr");
  sockjs_conn_id c = h.last_open();
  EXPECT_EQ(sockjs_conn_send(h.server(), c, "x", 1), SOCKJS_OK);
  h.advance(5000);
  EXPECT_EQ(sockjs_conn_send(h.server(), c, "x", 1), SOCKJS_E_UNKNOWN_CONN);
  EXPECT_EQ(sockjs_conn_close(h.server(), c, 1000, nullptr),
            SOCKJS_E_UNKNOWN_CONN);
  // Not UTF-8.
  h.post("/echo/000/g2/xhr");
  EXPECT_EQ(sockjs_conn_send(h.server(), h.last_open(), "\xff", 1),
            SOCKJS_E_INVALID_ARGUMENT);
}

TEST(SessionEvents, OpenEventCarriesTransportAndInfo) {
  Harness h;
  h.post("/echo/000/inf/xhr_streaming", "",
         {"User-Agent: test-agent", "Cookie: secret=1", "X-Other: no"});
  auto opens = h.events_of(SOCKJS_EVENT_OPEN);
  ASSERT_EQ(opens.size(), 1u);
  EXPECT_EQ(opens[0].data, "xhr-streaming");
  EXPECT_EQ(opens[0].service, kEcho);
  sockjs_conn_info info;
  info.size = sizeof info;
  ASSERT_EQ(sockjs_conn_get_info(h.server(), opens[0].conn, &info), SOCKJS_OK);
  EXPECT_STREQ(info.transport, "xhr-streaming");
  EXPECT_STREQ(info.prefix, "/echo");
  EXPECT_STREQ(info.url, "/echo/000/inf/xhr_streaming");
  EXPECT_STREQ(info.remote_addr, "127.0.0.1");
  bool ua = false, cookie = false, other = false;
  for (size_t i = 0; i < info.n_headers; ++i) {
    std::string n = info.header_names[i];
    ua = ua || (n == "user-agent" &&
                std::string(info.header_values[i]) == "test-agent");
    cookie = cookie || n == "cookie";
    other = other || n == "x-other";
  }
  EXPECT_TRUE(ua);
  EXPECT_FALSE(cookie);
  EXPECT_FALSE(other);
}

// -------------------------------------------------- send buffer, DRAIN

TEST(SendBuffer, FullQueueThenDrainWhenPolled) {
  Config cfg;
  cfg.send_buffer_limit = 100;
  cfg.echo = false;
  Harness h(cfg);
  EXPECT_EQ(h.post("/echo/000/sb/xhr").body, "o\n");
  sockjs_conn_id c = h.last_open();
  const std::string m(60, 'm');
  EXPECT_EQ(sockjs_conn_send(h.server(), c, m.data(), m.size()), SOCKJS_OK);
  EXPECT_EQ(sockjs_conn_send(h.server(), c, m.data(), m.size()), SOCKJS_OK);
  EXPECT_EQ(sockjs_conn_send(h.server(), c, m.data(), m.size()),
            SOCKJS_E_AGAIN);
  EXPECT_TRUE(h.events_of(SOCKJS_EVENT_DRAIN).empty());
  Response r = h.post("/echo/000/sb/xhr");
  EXPECT_EQ(r.body, "a[\"" + m + "\",\"" + m + "\"]\n");  // nothing of the 3rd
  auto drains = h.events_of(SOCKJS_EVENT_DRAIN);
  ASSERT_EQ(drains.size(), 1u);
  EXPECT_EQ(drains[0].conn, c);
  EXPECT_EQ(sockjs_conn_send(h.server(), c, m.data(), m.size()), SOCKJS_OK);
}

TEST(SendBuffer, UnconsumedOutputCountsUntilConsumed) {
  // Feed mode: output the host holds and has not consumed is buffered.
  Config cfg;
  cfg.send_buffer_limit = 8192;
  cfg.echo = false;
  Harness h(cfg);
  sockjs_stream_id st = h.open_stream();
  // /cookie_needed_echo keeps the default 128 KiB response limit.
  h.feed(st, http_request("POST", "/cookie_needed_echo/000/uo/xhr_streaming",
                          {}, std::string()));
  sockjs_conn_id c = h.last_open();
  const std::string m(1500, 'u');
  int ok = 0, rc = SOCKJS_OK;
  while ((rc = sockjs_conn_send(h.server(), c, m.data(), m.size())) ==
         SOCKJS_OK)
    ++ok;
  EXPECT_EQ(rc, SOCKJS_E_AGAIN);
  // head + prelude (~2.3 KB) + frames reach 8192 after 4 sends.
  EXPECT_EQ(ok, 4);
  EXPECT_GE(h.pending_output(st).size(), 8192u);
  EXPECT_TRUE(h.events_of(SOCKJS_EVENT_DRAIN).empty());
  // The host writes part of it: still above half the limit, no DRAIN.
  std::string written = h.pending_output(st).substr(0, 1000);
  ASSERT_EQ(sockjs_server_output_consume(h.server(), st, 1000), SOCKJS_OK);
  h.pump();
  EXPECT_TRUE(h.events_of(SOCKJS_EVENT_DRAIN).empty());
  // All of it: DRAIN, and sends work again.
  h.read(st);
  ASSERT_EQ(h.events_of(SOCKJS_EVENT_DRAIN).size(), 1u);
  EXPECT_EQ(sockjs_conn_send(h.server(), c, m.data(), m.size()), SOCKJS_OK);
  written += h.take_received(st);
  auto r = parse_response(written, false);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->chunks.size(), 2u + 4u + 1u);
  EXPECT_EQ(r->chunks.back(), "a[\"" + m + "\"]\n");
}

// ------------------------------------------------------- server close

TEST(ServerClose, EverySessionGetsGoingAway) {
  Harness h;
  // A parked poll, a streaming receiver, a WebSocket, and a session with
  // no receiver attached.
  EXPECT_EQ(h.post("/echo/000/sc1/xhr").body, "o\n");
  sockjs_stream_id poll = 0, stream = 0, ws = 0;
  h.post("/echo/000/sc1/xhr", "", {}, &poll);
  h.post("/echo/000/sc2/xhr_streaming", "", {}, &stream);
  h.request(http_request("GET", "/echo/0/0/websocket",
                         {"Upgrade: websocket", "Connection: Upgrade",
                          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
                          "Sec-WebSocket-Version: 13"}),
            &ws);
  h.take_received(ws);
  EXPECT_EQ(h.post("/echo/000/sc4/xhr").body, "o\n");
  ASSERT_EQ(h.events_of(SOCKJS_EVENT_OPEN).size(), 4u);

  ASSERT_EQ(sockjs_server_close(h.server()), SOCKJS_OK);
  h.pump();
  auto closes = h.events_of(SOCKJS_EVENT_CLOSE);
  ASSERT_EQ(closes.size(), 4u);
  for (const Ev& e : closes) {
    EXPECT_EQ(e.code, 1001);
    EXPECT_EQ(e.data, "Going away");
  }
  h.expect_one_close_per_open();
  // Output is still held: not closed yet.
  EXPECT_TRUE(h.events_of(SOCKJS_EVENT_SERVER_CLOSED).empty());

  auto pr = h.response_on(poll);
  ASSERT_TRUE(pr && pr->complete);
  EXPECT_EQ(pr->body, "c[1001,\"Going away\"]\n");
  auto sr = h.response_on(stream);
  ASSERT_TRUE(sr.has_value());
  EXPECT_EQ(sr->chunks.back(), "c[1001,\"Going away\"]\n");
  EXPECT_TRUE(sr->last_chunk);
  std::vector<WsFrame> fs;
  parse_ws_frames(h.take_received(ws), fs);
  ASSERT_EQ(fs.size(), 2u);
  EXPECT_EQ(fs[0].payload, "c[1001,\"Going away\"]");
  EXPECT_EQ(fs[1].opcode, 8);
  EXPECT_TRUE(h.wants_close(poll));
  EXPECT_TRUE(h.wants_close(stream));
  EXPECT_TRUE(h.wants_close(ws));

  // Once everything is written, SERVER_CLOSED, last of all.
  auto all = h.events();
  ASSERT_FALSE(all.empty());
  EXPECT_EQ(all.back().type, SOCKJS_EVENT_SERVER_CLOSED);
  EXPECT_EQ(h.events_of(SOCKJS_EVENT_SERVER_CLOSED).size(), 1u);
  EXPECT_EQ(sockjs_conn_send(h.server(), closes[0].conn, "x", 1),
            SOCKJS_E_UNKNOWN_CONN);
  sockjs_stream_id st = 0;
  EXPECT_EQ(sockjs_server_stream_open(h.server(), "x", 1, &st), SOCKJS_E_STATE);
  EXPECT_EQ(sockjs_server_close(h.server()), SOCKJS_OK);  // harmless again
  h.pump();
  EXPECT_EQ(h.events_of(SOCKJS_EVENT_SERVER_CLOSED).size(), 1u);
}

TEST(ServerClose, ShutdownTimeoutEndsUnwrittenOutput) {
  Harness h;
  sockjs_stream_id st = 0;
  h.post("/echo/000/to/xhr_streaming", "", {}, &st);
  // The host never writes the output: the shutdown timeout (2 s) ends it.
  ASSERT_EQ(sockjs_server_close(h.server()), SOCKJS_OK);
  h.pump();
  EXPECT_TRUE(h.events_of(SOCKJS_EVENT_SERVER_CLOSED).empty());
  h.advance(2000);
  EXPECT_EQ(h.events_of(SOCKJS_EVENT_SERVER_CLOSED).size(), 1u);
  EXPECT_TRUE(h.wants_close(st));
}

}  // namespace
}  // namespace sockjs_test

namespace sockjs_test {
namespace {

TEST(DisconnectDelay, StartsWhenStreamingEndsAtTheLimit) {
  Harness h;
  sockjs_stream_id st = 0;
  h.post("/echo/000/sl/xhr_streaming", "", {}, &st);
  h.advance(60000);  // a streaming receiver keeps the session (and gets h)
  EXPECT_TRUE(h.events_of(SOCKJS_EVENT_CLOSE).empty());
  EXPECT_EQ(
      h.post("/echo/000/sl/xhr_send", "[\"" + std::string(5000, 'x') + "\"]")
          .status,
      204);
  auto r = h.response_on(st);
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->last_chunk);
  h.advance(4999);
  EXPECT_TRUE(h.events_of(SOCKJS_EVENT_CLOSE).empty());
  h.advance(1);
  ASSERT_EQ(h.events_of(SOCKJS_EVENT_CLOSE).size(), 1u);
  EXPECT_EQ(h.events_of(SOCKJS_EVENT_CLOSE)[0].data, "Session timed out");
}

TEST(FeedApi, StreamCallsCheckTheirArguments) {
  Harness h;
  sockjs_stream_id st = h.open_stream();
  h.feed(st, http_request("GET", "/echo"));
  const uint8_t* out = nullptr;
  int64_t n = sockjs_server_output(h.server(), st, &out);
  ASSERT_GT(n, 0);
  EXPECT_EQ(
      sockjs_server_output_consume(h.server(), st, static_cast<size_t>(n) + 1),
      SOCKJS_E_INVALID_ARGUMENT);
  // dirty_streams lists the stream once.
  sockjs_stream_id ids[4];
  size_t k = 0;
  EXPECT_EQ(sockjs_server_dirty_streams(h.server(), ids, 4, &k), SOCKJS_OK);
  ASSERT_EQ(k, 1u);
  EXPECT_EQ(ids[0], st);
  EXPECT_EQ(sockjs_server_dirty_streams(h.server(), ids, 4, &k), SOCKJS_OK);
  EXPECT_EQ(k, 0u);
  h.close_stream(st);
  EXPECT_EQ(sockjs_server_feed(h.server(), st,
                               reinterpret_cast<const uint8_t*>("x"), 1),
            SOCKJS_E_UNKNOWN_CONN);
  EXPECT_EQ(sockjs_server_output(h.server(), st, &out), SOCKJS_E_UNKNOWN_CONN);
  EXPECT_EQ(sockjs_server_stream_close(h.server(), st), SOCKJS_E_UNKNOWN_CONN);
  EXPECT_EQ(sockjs_server_stream_wants_close(h.server(), st),
            SOCKJS_E_UNKNOWN_CONN);
  // The clock never goes back.
  EXPECT_EQ(sockjs_server_tick(h.server(), h.now() - 1),
            SOCKJS_E_INVALID_ARGUMENT);
}

}  // namespace
}  // namespace sockjs_test
