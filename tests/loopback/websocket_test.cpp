// WebSocket transports through the libevent runner: the SockJS-framed
// endpoint and the raw one, echoed by the application thread.
#include <gtest/gtest.h>

#include "harness.hpp"
#include "sockjs_frames.hpp"
#include "ws_client.hpp"

namespace loopback {
namespace {

// Reads SockJS frames until `want` messages arrived (a frames may batch).
std::vector<std::string> read_messages(WsClient& ws, size_t want) {
  std::vector<std::string> got;
  while (got.size() < want) {
    WsMessage m = ws.read();
    if (m.opcode != 1) break;
    Frame f = parse_frame(m.payload);
    if (f.type == 'h') continue;
    if (f.type != 'a') break;
    got.insert(got.end(), f.messages.begin(), f.messages.end());
  }
  return got;
}

TEST(WebSocket, SockJsEchoOpensAndEchoes) {
  Harness h;
  ASSERT_TRUE(h.ok()) << h.error();
  WsClient ws;
  ASSERT_TRUE(ws.open(h.port(), "/echo/000/abc/websocket"));
  WsMessage m = ws.read();
  ASSERT_EQ(m.opcode, 1);
  EXPECT_EQ(m.payload, "o");
  uint64_t conn = h.wait_open();
  ASSERT_NE(conn, 0u);
  EXPECT_EQ(h.open_event(conn).data, "websocket");

  ASSERT_TRUE(ws.send_text(json_array({"hello"})));
  m = ws.read();
  EXPECT_EQ(m.payload, "a[\"hello\"]");
  EXPECT_EQ(h.count(SOCKJS_EVENT_MESSAGE, conn), 1u);
  EXPECT_TRUE(h.close_and_wait());
  EXPECT_EQ(h.count(SOCKJS_EVENT_CLOSE, conn), 1u);
  EXPECT_EQ(h.echo_failures(), 0);
}

TEST(WebSocket, UnicodeSurvivesBothWays) {
  Harness h;
  ASSERT_TRUE(h.ok()) << h.error();
  WsClient ws;
  ASSERT_TRUE(ws.open(h.port(), "/echo/000/uni/websocket"));
  ASSERT_EQ(ws.read().payload, "o");
  const std::vector<std::string> texts = {
      "\xc3\xbc"
      "n"
      "\xc3\xaf"
      "c"
      "\xc3\xb6"
      "d"
      "\xc3\xa9",                                   // "ünïcödé"
      "\xe2\x9c\x93 \xe6\x97\xa5\xe6\x9c\xac",      // ✓ 日本
      "\xf0\x9f\x98\x80 emoji \xf0\x9f\x8e\x89",    // 😀 🎉 (astral)
      "line\xe2\x80\xa8separator\xe2\x80\xa9para",  // U+2028, U+2029
      std::string("nul\0inside", 10),               // NUL is allowed
      "quote\" back\\slash \n\t ctl\x01",
  };
  for (const std::string& t : texts) {
    ASSERT_TRUE(ws.send_text(json_array({t})));
    std::vector<std::string> got = read_messages(ws, 1);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0], t);
  }
  // On the wire, astral characters and U+2028 go out escaped (PROTOCOL 4.1).
  ASSERT_TRUE(ws.send_text(json_array({"\xf0\x9f\x98\x80\xe2\x80\xa8"})));
  EXPECT_EQ(ws.read().payload, "a[\"\\ud83d\\ude00\\u2028\"]");
  // The application saw the exact bytes too.
  auto evs = h.events();
  size_t i = 0;
  for (const auto& e : evs)
    if (e.type == SOCKJS_EVENT_MESSAGE) {
      if (i < texts.size()) {
        EXPECT_EQ(e.data, texts[i]);
      }
      ++i;
    }
  EXPECT_EQ(i, texts.size() + 1);
}

TEST(WebSocket, SixtyFourKibMessage) {
  Harness h;
  ASSERT_TRUE(h.ok()) << h.error();
  WsClient ws;
  ASSERT_TRUE(ws.open(h.port(), "/echo/000/big/websocket"));
  ASSERT_EQ(ws.read().payload, "o");
  std::string big;
  while (big.size() < 64 * 1024)
    big += "0123456789abcdef\xe2\x82\xac";  // with €
  ASSERT_TRUE(ws.send_text(json_array({big})));
  std::vector<std::string> got = read_messages(ws, 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], big);
}

TEST(WebSocket, TwoHundredMessagesStayInOrder) {
  Harness h;
  ASSERT_TRUE(h.ok()) << h.error();
  WsClient ws;
  ASSERT_TRUE(ws.open(h.port(), "/echo/000/many/websocket"));
  ASSERT_EQ(ws.read().payload, "o");
  std::vector<std::string> sent;
  for (int i = 0; i < 200; ++i) {
    sent.push_back("message " + std::to_string(i));
    ASSERT_TRUE(ws.send_text(json_array({sent.back()})));
  }
  EXPECT_EQ(read_messages(ws, sent.size()), sent);
}

TEST(WebSocket, OneFrameCarryingSeveralMessages) {
  Harness h;
  ASSERT_TRUE(h.ok()) << h.error();
  WsClient ws;
  ASSERT_TRUE(ws.open(h.port(), "/echo/000/multi/websocket"));
  ASSERT_EQ(ws.read().payload, "o");
  ASSERT_TRUE(ws.send_text(json_array({"x", "y", "z"})));
  std::vector<std::string> want = {"x", "y", "z"};
  EXPECT_EQ(read_messages(ws, 3), want);
}

TEST(WebSocket, ClientCloseGivesOneCloseEventWithItsCode) {
  Harness h;
  ASSERT_TRUE(h.ok()) << h.error();
  WsClient ws;
  ASSERT_TRUE(ws.open(h.port(), "/echo/000/bye/websocket"));
  ASSERT_EQ(ws.read().payload, "o");
  uint64_t conn = h.wait_open();
  ASSERT_TRUE(ws.send_close(4001, "done"));
  WsMessage m = ws.read();
  EXPECT_EQ(m.opcode, 8);
  ASSERT_TRUE(h.wait_close(conn));
  auto evs = h.events();
  for (const auto& e : evs)
    if (e.type == SOCKJS_EVENT_CLOSE && e.conn == conn) {
      EXPECT_EQ(e.code, 4001);
      EXPECT_EQ(e.data, "done");
    }
  EXPECT_TRUE(ws.conn().wait_eof());
  EXPECT_TRUE(h.close_and_wait());
  EXPECT_EQ(h.count(SOCKJS_EVENT_CLOSE, conn), 1u);
}

TEST(WebSocket, RawEndpointEchoesPlainText) {
  Harness h;
  ASSERT_TRUE(h.ok()) << h.error();
  WsClient ws;
  ASSERT_TRUE(ws.open(h.port(), "/echo/websocket"));
  uint64_t conn = h.wait_open();
  ASSERT_NE(conn, 0u);
  EXPECT_EQ(h.open_event(conn).data, "websocket-raw");
  for (const std::string& t :
       {std::string("plain"), std::string("[\"not parsed\"]"),
        std::string("\xf0\x9f\x98\x80\xe2\x80\xa8")}) {
    ASSERT_TRUE(ws.send_text(t));
    WsMessage m = ws.read();
    EXPECT_EQ(m.opcode, 1);
    EXPECT_EQ(m.payload, t);
  }
  // A fragmented message is reassembled before it reaches the app.
  ASSERT_TRUE(ws.send_frame(1, "frag", false));
  ASSERT_TRUE(ws.send_frame(0, "mented", true));
  EXPECT_EQ(ws.read().payload, "fragmented");
  EXPECT_TRUE(h.close_and_wait());
  // The raw client sees a close frame (1001 going away) and then EOF.
  WsMessage m = ws.read();
  EXPECT_EQ(m.opcode, 8);
  EXPECT_EQ(h.count(SOCKJS_EVENT_CLOSE, conn), 1u);
}

}  // namespace
}  // namespace loopback
