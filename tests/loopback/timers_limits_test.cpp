// Timers and limits driven by the runner's clock and socket I/O:
// heartbeats, session expiry, the request-head timeout, message size
// limits, large uploads, and a shutdown that outlasts a stuck client.
#include <gtest/gtest.h>

#include <iostream>

#include "harness.hpp"
#include "http_client.hpp"
#include "sockjs_frames.hpp"
#include "ws_client.hpp"

namespace loopback {
namespace {

ServiceSpec echo_with(std::function<void(sockjs_options*)> tweak) {
  return ServiceSpec{"/echo", std::move(tweak)};
}

TEST(Timers, HeartbeatFramesOnWebSocketAndPoll) {
  HarnessConfig cfg;
  cfg.services = {echo_with([](sockjs_options* o) {
    sockjs_options_set_heartbeat_delay_ms(o, 150);
  })};
  Harness h(cfg);
  ASSERT_TRUE(h.ok()) << h.error();
  WsClient ws;
  ASSERT_TRUE(ws.open(h.port(), "/echo/000/hb/websocket"));
  ASSERT_EQ(ws.read().payload, "o");
  // Over RFC 6455 the heartbeat is a WebSocket ping (PROTOCOL 8.4).
  ws.surface_pings = true;
  WsMessage m = ws.read();
  EXPECT_EQ(m.opcode, 9);
  ASSERT_TRUE(ws.send_frame(10, m.payload));
  m = ws.read();
  EXPECT_EQ(m.opcode, 9);  // and again: the timer re-arms
  ASSERT_TRUE(ws.send_frame(10, m.payload));

  ASSERT_EQ(http_request(h.port(), "POST", "/echo/000/hbp/xhr").body, "o\n");
  EXPECT_EQ(http_request(h.port(), "POST", "/echo/000/hbp/xhr").body, "h\n");
}

TEST(Timers, SessionWithoutReceiverTimesOut) {
  HarnessConfig cfg;
  cfg.services = {echo_with([](sockjs_options* o) {
    sockjs_options_set_disconnect_delay_ms(o, 200);
  })};
  Harness h(cfg);
  ASSERT_TRUE(h.ok()) << h.error();
  ASSERT_EQ(http_request(h.port(), "POST", "/echo/000/to/xhr").body, "o\n");
  uint64_t conn = h.wait_open();
  ASSERT_TRUE(h.wait_close(conn, 5000));
  for (const auto& e : h.events()) {
    if (e.type == SOCKJS_EVENT_CLOSE) {
      EXPECT_EQ(e.code, 1001);
      EXPECT_EQ(e.data, "Session timed out");
    }
  }
  // The id is free again: the next poll opens a new session.
  EXPECT_EQ(http_request(h.port(), "POST", "/echo/000/to/xhr").body, "o\n");
  EXPECT_NE(h.wait_open(1), 0u);
}

TEST(Timers, IncompleteRequestHeadTimesOut) {
  HarnessConfig cfg;
  cfg.server_tweak = [](sockjs_server_options* o) {
    sockjs_server_options_set_request_timeout_ms(o, 200);
  };
  Harness h(cfg);
  ASSERT_TRUE(h.ok()) << h.error();
  TcpConn partial;
  ASSERT_TRUE(partial.connect(h.port()));
  ASSERT_TRUE(partial.send_all("GET /echo/info HTTP/1.1\r\nHost: x\r\n"));
  HttpResponse r;
  ASSERT_TRUE(read_head(partial, r, 5000));
  EXPECT_EQ(r.status, 408);
  EXPECT_TRUE(partial.wait_eof(5000));

  TcpConn silent;  // connects and never sends: closed without an answer
  ASSERT_TRUE(silent.connect(h.port()));
  std::string got;
  EXPECT_TRUE(silent.read_to_eof(got, 5000));
  EXPECT_EQ(got, "");
}

TEST(Limits, LargeUploadOverXhrSend) {
  Harness h;
  ASSERT_TRUE(h.ok()) << h.error();
  ASSERT_EQ(http_request(h.port(), "POST", "/echo/000/up/xhr").body, "o\n");
  std::string big;
  while (big.size() < 600 * 1024) big += "upload\xc3\xa9 ";
  HttpResponse r = http_request(h.port(), "POST", "/echo/000/up/xhr_send",
                                json_array({big}));
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.status, 204);
  r = http_request(h.port(), "POST", "/echo/000/up/xhr");
  Frame f = parse_frame(r.body);
  ASSERT_EQ(f.type, 'a');
  ASSERT_EQ(f.messages.size(), 1u);
  EXPECT_EQ(f.messages[0], big);
}

TEST(Limits, MessageTooBig) {
  HarnessConfig cfg;
  cfg.services = {echo_with(
      [](sockjs_options* o) { sockjs_options_set_max_message_size(o, 1000); })};
  Harness h(cfg);
  ASSERT_TRUE(h.ok()) << h.error();
  std::string big(2000, 'x');
  // Over HTTP: 413, and the session lives on.
  ASSERT_EQ(http_request(h.port(), "POST", "/echo/000/tb/xhr").body, "o\n");
  HttpResponse r = http_request(h.port(), "POST", "/echo/000/tb/xhr_send",
                                json_array({big}));
  EXPECT_EQ(r.status, 413);
  // Over a WebSocket: the session ends with 1009.
  WsClient ws;
  ASSERT_TRUE(ws.open(h.port(), "/echo/000/tbw/websocket"));
  ASSERT_EQ(ws.read().payload, "o");
  ASSERT_TRUE(ws.send_text(json_array({big})));
  WsMessage m;
  do {
    m = ws.read();
  } while (m.opcode == 1);
  EXPECT_EQ(m.opcode, 8);
  EXPECT_EQ(m.close_code(), 1009);
  uint64_t ws_conn = h.wait_open(1);  // after the xhr session's OPEN
  ASSERT_NE(ws_conn, 0u);
  EXPECT_EQ(h.open_event(ws_conn).data, "websocket");
  ASSERT_TRUE(h.wait_close(ws_conn));
  for (const auto& e : h.events()) {
    if (e.type == SOCKJS_EVENT_CLOSE && e.conn == ws_conn) {
      EXPECT_EQ(e.code, 1009);
    }
  }
  EXPECT_EQ(h.count(SOCKJS_EVENT_MESSAGE), 0u);
}

// A client that never reads holds the shutdown up only for
// shutdown_timeout: then its connection is dropped and SERVER_CLOSED comes.
TEST(Shutdown, TimeoutDropsAClientThatDoesNotRead) {
  HarnessConfig cfg;
  cfg.echo = false;
  cfg.server_tweak = [](sockjs_server_options* o) {
    sockjs_server_options_set_shutdown_timeout_ms(o, 300);
  };
  Harness h(cfg);
  ASSERT_TRUE(h.ok()) << h.error();
  WsClient ws;
  ASSERT_TRUE(ws.open(h.port(), "/echo/websocket", "", 4096));
  uint64_t conn = h.wait_open();
  // Fill the kernel buffers and the session's send buffer.
  ASSERT_GT(fill_until_stuck(h.server(), conn, std::string(16 * 1024, 'z')), 0);
  int64_t start = now_ms();
  EXPECT_TRUE(h.close_and_wait(15000));
  std::cout << "[ info ] shutdown took " << now_ms() - start << " ms\n";
  EXPECT_EQ(h.count(SOCKJS_EVENT_CLOSE, conn), 1u);
  // The connection was dropped: reading what is left ends at EOF.
  std::string rest;
  EXPECT_TRUE(ws.conn().read_to_eof(rest, 15000));
}

}  // namespace
}  // namespace loopback
