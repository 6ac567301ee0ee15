// PROTOCOL.md 12.1: WebsocketHttpErrors, Websocket (RFC 6455 and the
// hixie-76 test_haproxy), RawWebsocket; plus pings, pongs and close paths.
#include "harness.hpp"

namespace sockjs_test {
namespace {

using Texts = std::vector<std::string>;

// --------------------------------------------------- WebsocketHttpErrors

TEST(WebsocketHttpErrors, HttpMethod) {
  Harness h;
  sockjs_stream_id st = 0;
  Response r = h.get("/echo/0/0/websocket", {}, &st);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, "Not a valid websocket request");
  EXPECT_TRUE(r.complete);
  EXPECT_TRUE(h.events_of(SOCKJS_EVENT_OPEN).empty());
}

TEST(WebsocketHttpErrors, InvalidConnectionHeader) {
  Harness h;
  Response r =
      h.get("/echo/0/0/websocket", {"Upgrade: WebSocket", "Connection: close"});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, "Not a valid websocket request");
}

TEST(WebsocketHttpErrors, InvalidMethod) {
  Harness h;
  for (bool upgrade : {true, false}) {
    std::vector<std::string> hs;
    if (upgrade) hs = {"Upgrade: WebSocket", "Connection: Upgrade"};
    Response r = h.post("/echo/0/0/websocket", "", hs);
    EXPECT_EQ(r.status, 405);
    EXPECT_FALSE(r.has("Content-Type"));
    EXPECT_EQ(r.header("Allow").value_or(""), "GET");
    EXPECT_EQ(r.body, "");
    EXPECT_TRUE(r.complete);
  }
}

TEST(WebsocketHttpErrors, UnsupportedVersionAndDisabled) {
  Harness h;
  Response r = h.request(ws_upgrade("/echo/0/0/websocket", "8"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, "Unsupported WebSocket version: 8");
  r = h.request(ws_upgrade("/echo/websocket", "7"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, "Only supported WebSocket protocol is RFC 6455.");
  // "keep-alive, Upgrade" is a valid upgrade (token list).
  r = h.request(
      http_request("GET", "/echo/0/0/websocket",
                   {"Upgrade: websocket", "Connection: keep-alive, Upgrade",
                    std::string("Sec-WebSocket-Key: ") + kKey,
                    "Sec-WebSocket-Version: 13"}));
  EXPECT_EQ(r.status, 101);
  // websocket off: both paths 404, with the long-cache headers.
  for (const char* path : {"/disabled_websocket_echo/0/0/websocket",
                           "/disabled_websocket_echo/websocket"}) {
    r = h.request(ws_upgrade(path));
    EXPECT_EQ(r.status, 404) << path;
    expect_long_cache(r);
  }
}

// -------------------------------------------------------------- Websocket

TEST(Websocket, Transport) {
  Harness h;
  sockjs_stream_id st = h.open_stream();
  h.feed(st, ws_upgrade("/echo/000/wt/websocket"));
  // The whole handshake answer and the open frame, byte for byte.
  EXPECT_EQ(h.take_received(st),
            std::string("HTTP/1.1 101 Switching Protocols\r\n"
                        "Upgrade: websocket\r\n"
                        "Connection: Upgrade\r\n"
                        "Sec-WebSocket-Accept: ") +
                kAccept + "\r\n\r\n\x81\x01o");
  auto opens = h.events_of(SOCKJS_EVENT_OPEN);
  ASSERT_EQ(opens.size(), 1u);
  EXPECT_EQ(opens[0].data, "websocket");
  h.feed(st, ws_client_frame(1, "[\"a\"]"));
  EXPECT_EQ(h.take_received(st),
            "\x81\x06"
            "a[\"a\"]");
}

TEST(Websocket, Close) {
  Harness h;
  WsClient ws(h, "/close/000/wc/websocket");
  auto fs = ws.frames();
  ASSERT_EQ(fs.size(), 3u);
  EXPECT_EQ(fs[0].payload, "o");
  EXPECT_EQ(fs[1].opcode, 1);
  EXPECT_EQ(fs[1].payload, "c[3000,\"Go away!\"]");
  // Then the WebSocket close, 1000 whatever the SockJS code (sockjs-node).
  EXPECT_EQ(fs[2].opcode, 8);
  EXPECT_EQ(fs[2].close_code(), 1000);
  EXPECT_EQ(fs[2].close_reason(), "Normal closure");
  EXPECT_TRUE(h.wants_close(ws.st));
  auto closes = h.events_of(SOCKJS_EVENT_CLOSE);
  ASSERT_EQ(closes.size(), 1u);
  EXPECT_EQ(closes[0].code, 3000);
  EXPECT_EQ(closes[0].data, "Go away!");
  h.close_stream(ws.st);
  h.expect_one_close_per_open();
}

TEST(Websocket, HeadersSanity) {
  Harness h;
  WsClient ws(h, "/echo/000/hs/websocket");
  const Response& r = ws.handshake;
  EXPECT_EQ(r.status, 101);
  EXPECT_EQ(r.header("Sec-WebSocket-Accept").value_or(""), kAccept);
  EXPECT_EQ(r.header("Connection").value_or(""), "Upgrade");
  EXPECT_EQ(r.header("Upgrade").value_or(""), "websocket");
  EXPECT_FALSE(r.has("Content-Length"));
  EXPECT_FALSE(r.has("Transfer-Encoding"));
  expect_no_cookie(r);
}

TEST(Websocket, EmptyFrame) {
  Harness h;
  WsClient ws(h, "/echo/000/wef/websocket");
  EXPECT_EQ(ws.texts(), Texts{"o"});
  ws.send_text("");
  ws.send_text("[]");
  ws.send_text("[\"a\"]");
  EXPECT_EQ(ws.texts(), Texts{"a[\"a\"]"});
  EXPECT_EQ(h.events_of(SOCKJS_EVENT_MESSAGE).size(), 1u);
}

TEST(Websocket, NonArrayIsOneMessage) {
  Harness h;
  WsClient ws(h, "/echo/000/wna/websocket");
  ws.texts();
  ws.send_text("\"abc\"");
  EXPECT_EQ(ws.texts(), Texts{"a[\"abc\"]"});
}

TEST(Websocket, ReuseSessionId) {
  Harness h;
  WsClient a(h, "/echo/000/same/websocket");
  WsClient b(h, "/echo/000/same/websocket");
  EXPECT_EQ(a.texts(), Texts{"o"});
  EXPECT_EQ(b.texts(), Texts{"o"});
  a.send_text("[\"a\"]");
  EXPECT_EQ(a.texts(), Texts{"a[\"a\"]"});
  b.send_text("[\"b\"]");
  EXPECT_EQ(b.texts(), Texts{"a[\"b\"]"});
  EXPECT_TRUE(a.texts().empty());
  h.close_stream(a.st);
  h.close_stream(b.st);
  WsClient c(h, "/echo/000/same/websocket");
  EXPECT_EQ(c.texts(), Texts{"o"});
  c.send_text("[\"a\"]");
  EXPECT_EQ(c.texts(), Texts{"a[\"a\"]"});
  // xhr_send cannot reach a WebSocket session.
  EXPECT_EQ(h.post("/echo/000/same/xhr_send", "[\"x\"]").status, 404);
  EXPECT_EQ(h.events_of(SOCKJS_EVENT_OPEN).size(), 3u);
  auto closes = h.events_of(SOCKJS_EVENT_CLOSE);
  ASSERT_EQ(closes.size(), 2u);
  EXPECT_EQ(closes[0].code, 1002);
  EXPECT_EQ(closes[0].data, "Connection interrupted");
  h.expect_one_close_per_open(false);
}

TEST(Websocket, Haproxy) {
  Harness h;
  sockjs_stream_id st = h.open_stream();
  const std::string path =
      "/echo/000/6ba7b810-9dad-11d1-80b4-00c04fd430c8/websocket";
  h.feed(st, http_request("GET", path,
                          {"Connection: Upgrade", "Upgrade: WebSocket",
                           "Origin: http://127.0.0.1:8081",
                           "Sec-WebSocket-Key1: 4 @1  46546xW%0l 1 5",
                           "Sec-WebSocket-Key2: 12998 5 Y3 1  .P00"}));
  // The 101 comes before key3 is sent.
  auto r = h.response_on(st);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 101);
  EXPECT_EQ(r->reason, "WebSocket Protocol Handshake");
  EXPECT_EQ(r->header("Connection").value_or(""), "Upgrade");
  EXPECT_EQ(r->header("Upgrade").value_or(""), "WebSocket");
  EXPECT_EQ(r->header("Sec-WebSocket-Location").value_or(""),
            "ws://127.0.0.1:8081" + path);
  EXPECT_EQ(r->header("Sec-WebSocket-Origin").value_or(""),
            "http://127.0.0.1:8081");
  EXPECT_FALSE(r->has("Content-Length"));
  EXPECT_EQ(h.take_received(st), "");  // nothing after the head yet
  EXPECT_TRUE(h.events_of(SOCKJS_EVENT_OPEN).empty());

  h.feed(st, "aaaaaaaa");
  const unsigned char kAnswer[16] = {0xca, 0x34, 0x00, 0xd8, 0xa5, 0x08,
                                     0x47, 0x97, 0x2c, 0xd5, 0x71, 0x5a,
                                     0xba, 0xbf, 0x43, 0x7b};
  std::string got = h.take_received(st);
  ASSERT_GE(got.size(), 16u);
  EXPECT_EQ(got.substr(0, 16),
            std::string(reinterpret_cast<const char*>(kAnswer), 16));
  // Then the open frame in hixie framing.
  EXPECT_EQ(got.substr(16), std::string("\x00o\xff", 3));
  // Messages in hixie framing, echoed.
  h.feed(st, std::string("\x00[\"hi\"]\xff", 8));
  EXPECT_EQ(h.take_received(st), std::string("\x00"
                                             "a[\"hi\"]\xff",
                                             9));
  // The heartbeat over hixie is an "h" frame (no pings).
  h.advance(25000);
  EXPECT_EQ(h.take_received(st), std::string("\x00h\xff", 3));
  // The client's closing handshake ends the session.
  h.feed(st, std::string("\xff\x00", 2));
  EXPECT_TRUE(h.wants_close(st));
  ASSERT_EQ(h.events_of(SOCKJS_EVENT_CLOSE).size(), 1u);
}

TEST(Websocket, HaproxyKey3InPieces) {
  Harness h;
  sockjs_stream_id st = h.open_stream();
  h.feed(st, http_request("GET", "/echo/000/hp/websocket",
                          {"Connection: Upgrade", "Upgrade: WebSocket",
                           "Origin: http://x",
                           "Sec-WebSocket-Key1: 4 @1  46546xW%0l 1 5",
                           "Sec-WebSocket-Key2: 12998 5 Y3 1  .P00"}));
  ASSERT_TRUE(h.response_on(st).has_value());
  h.feed(st, "aaa");
  EXPECT_EQ(h.take_received(st), "");
  h.feed(st, "aaaaa");
  EXPECT_EQ(h.take_received(st).substr(0, 4),
            std::string("\xca\x34\x00\xd8", 4));
}

TEST(Websocket, BrokenJson) {
  Harness h;
  WsClient ws(h, "/echo/000/bj/websocket");
  EXPECT_EQ(ws.texts(), Texts{"o"});
  ws.send_text("[\"a");
  auto fs = ws.frames();
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].opcode, 8);
  EXPECT_EQ(fs[0].close_code(), 3000);
  EXPECT_EQ(fs[0].close_reason(), "Broken framing.");
  EXPECT_TRUE(h.wants_close(ws.st));
  auto closes = h.events_of(SOCKJS_EVENT_CLOSE);
  ASSERT_EQ(closes.size(), 1u);
  EXPECT_EQ(closes[0].code, 3000);
  EXPECT_EQ(closes[0].data, "Broken framing.");
  // Input after that is ignored.
  ws.send_text("[\"b\"]");
  EXPECT_TRUE(ws.frames().empty());
  EXPECT_TRUE(h.events_of(SOCKJS_EVENT_MESSAGE).empty());
}

TEST(Websocket, ClientCloseIsEchoed) {
  Harness h;
  WsClient ws(h, "/echo/000/cc/websocket");
  ws.texts();
  h.feed(ws.st, ws_client_frame(8, ws_close_payload(4001, "bye")));
  auto fs = ws.frames();
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].opcode, 8);
  EXPECT_EQ(fs[0].close_code(), 4001);
  EXPECT_TRUE(h.wants_close(ws.st));
  auto closes = h.events_of(SOCKJS_EVENT_CLOSE);
  ASSERT_EQ(closes.size(), 1u);
  EXPECT_EQ(closes[0].code, 4001);
  EXPECT_EQ(closes[0].data, "bye");
  // A close without a code is reported as 1005.
  WsClient ws2(h, "/echo/000/cc2/websocket");
  h.feed(ws2.st, ws_client_frame(8, ""));
  EXPECT_EQ(h.events_of(SOCKJS_EVENT_CLOSE).back().code, 1005);
  h.expect_one_close_per_open();
}

TEST(Websocket, ClientPingGetsPong) {
  Harness h;
  WsClient ws(h, "/echo/000/pp/websocket");
  ws.texts();
  h.feed(ws.st, ws_client_frame(9, "png"));
  auto fs = ws.frames();
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].opcode, 10);
  EXPECT_EQ(fs[0].payload, "png");
}

TEST(Websocket, AppCloseQueuedMessagesFirst) {
  Harness h;
  h.set_echo(false);
  WsClient ws(h, "/echo/000/ac/websocket");
  ws.texts();
  sockjs_conn_id c = h.last_open();
  EXPECT_EQ(sockjs_conn_send(h.server(), c, "m", 1), SOCKJS_OK);
  EXPECT_EQ(sockjs_conn_close(h.server(), c, 4000, "done"), SOCKJS_OK);
  auto fs = ws.frames();
  ASSERT_EQ(fs.size(), 3u);
  EXPECT_EQ(fs[0].payload, "a[\"m\"]");
  EXPECT_EQ(fs[1].payload, "c[4000,\"done\"]");
  EXPECT_EQ(fs[2].opcode, 8);
  EXPECT_EQ(sockjs_conn_close(h.server(), c, 4000, "again"),
            SOCKJS_E_UNKNOWN_CONN);
}

// --------------------------------------------------- heartbeats and pings

TEST(WebsocketHeartbeat, PingThenCloseWithoutPong) {
  Harness h;
  WsClient ws(h, "/echo/000/hb/websocket");
  ws.texts();
  h.advance(24999);
  EXPECT_TRUE(ws.frames().empty());
  h.advance(1);
  auto fs = ws.frames();
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].opcode, 9);  // a ping, not an "h" frame
  h.advance(9999);
  EXPECT_TRUE(ws.frames().empty());
  EXPECT_TRUE(h.events_of(SOCKJS_EVENT_CLOSE).empty());
  h.advance(1);
  fs = ws.frames();
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].opcode, 8);
  EXPECT_EQ(fs[0].close_code(), 3000);
  EXPECT_EQ(fs[0].close_reason(), "No response from heartbeat");
  EXPECT_TRUE(h.wants_close(ws.st));
  auto closes = h.events_of(SOCKJS_EVENT_CLOSE);
  ASSERT_EQ(closes.size(), 1u);
  EXPECT_EQ(closes[0].code, 3000);
  EXPECT_EQ(closes[0].data, "No response from heartbeat");
}

TEST(WebsocketHeartbeat, PongKeepsTheSession) {
  Harness h;
  WsClient ws(h, "/echo/000/hbp/websocket");
  ws.texts();
  for (int round = 0; round < 3; ++round) {
    h.advance(25000);
    auto fs = ws.frames();
    ASSERT_EQ(fs.size(), 1u) << round;
    EXPECT_EQ(fs[0].opcode, 9);
    h.advance(5000);
    h.feed(ws.st, ws_client_frame(10, fs[0].payload));
    h.advance(5000);  // past the 10 s since the ping
    EXPECT_TRUE(ws.frames().empty()) << round;
  }
  EXPECT_TRUE(h.events_of(SOCKJS_EVENT_CLOSE).empty());
  EXPECT_FALSE(h.wants_close(ws.st));
}

TEST(WebsocketHeartbeat, ConfigurableDelay) {
  Config cfg;
  cfg.heartbeat_ms = 1000;
  Harness h(cfg);
  WsClient ws(h, "/echo/000/hbc/websocket");
  ws.texts();
  h.advance(1000);
  auto fs = ws.frames();
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].opcode, 9);
}

// ----------------------------------------------------------- RawWebsocket

TEST(RawWebsocket, Transport) {
  Harness h;
  WsClient ws(h, "/echo/websocket");
  EXPECT_TRUE(ws.frames().empty());  // no "o", no framing
  auto opens = h.events_of(SOCKJS_EVENT_OPEN);
  ASSERT_EQ(opens.size(), 1u);
  EXPECT_EQ(opens[0].data, "websocket-raw");
  const std::string text = "Hello world!\xef\xbf\xbf";  // U+FFFF
  ws.send_text(text);
  EXPECT_EQ(ws.texts(), Texts{text});
  auto msgs = h.events_of(SOCKJS_EVENT_MESSAGE);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].data, text);
  // Not JSON: "[" is just text.
  ws.send_text("[\"a");
  EXPECT_EQ(ws.texts(), Texts{"[\"a"});
}

TEST(RawWebsocket, Close) {
  Harness h;
  WsClient ws(h, "/close/websocket");
  auto fs = ws.frames();
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].opcode, 8);
  EXPECT_EQ(fs[0].close_code(), 3000);
  EXPECT_EQ(fs[0].close_reason(), "Go away!");
  EXPECT_TRUE(h.wants_close(ws.st));
}

}  // namespace
}  // namespace sockjs_test

namespace sockjs_test {
namespace {

// ------------------------------------------------- framing edge cases

TEST(WebsocketFraming, FirstFrameInTheHandshakePacket) {
  Harness h;
  sockjs_stream_id st = h.open_stream();
  h.feed(st,
         ws_upgrade("/echo/0/pk/websocket") + ws_client_frame(1, "[\"p\"]"));
  auto r = h.response_on(st);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 101);
  std::vector<WsFrame> fs;
  parse_ws_frames(h.take_received(st), fs);
  ASSERT_EQ(fs.size(), 2u);
  EXPECT_EQ(fs[0].payload, "o");
  EXPECT_EQ(fs[1].payload, "a[\"p\"]");
}

TEST(WebsocketFraming, HixieKey3InTheHandshakePacket) {
  Harness h;
  sockjs_stream_id st = h.open_stream();
  h.feed(st, http_request("GET", "/echo/000/hk/websocket",
                          {"Connection: Upgrade", "Upgrade: WebSocket",
                           "Origin: http://x",
                           "Sec-WebSocket-Key1: 4 @1  46546xW%0l 1 5",
                           "Sec-WebSocket-Key2: 12998 5 Y3 1  .P00"}) +
                 "aaaaaaaa");
  auto r = h.response_on(st);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 101);
  std::string rest = h.take_received(st);
  ASSERT_EQ(rest.size(), 19u);
  EXPECT_EQ(rest.substr(0, 4), std::string("\xca\x34\x00\xd8", 4));
  EXPECT_EQ(rest.substr(16), std::string("\x00o\xff", 3));
}

TEST(WebsocketFraming, FragmentedMessageIsOne) {
  Harness h;
  WsClient ws(h, "/echo/0/fr/websocket");
  ws.texts();
  h.feed(ws.st, ws_client_frame(1, "[\"ab", false));
  h.feed(ws.st, ws_client_frame(9, "mid"));  // control frames may interleave
  h.feed(ws.st, ws_client_frame(0, "cd\"]", true));
  auto fs = ws.frames();
  ASSERT_EQ(fs.size(), 2u);
  EXPECT_EQ(fs[0].opcode, 10);
  EXPECT_EQ(fs[1].payload, "a[\"abcd\"]");
}

TEST(WebsocketFraming, ProtocolErrorsCloseWithTheirCodes) {
  struct Case {
    std::string bytes;
    int code;
  };
  std::string unmasked = ws_client_frame(1, "[\"a\"]");
  unmasked[1] = static_cast<char>(unmasked[1] & 0x7F);  // clear the mask bit
  unmasked.erase(2, 4);                                 // and the key
  const Case cases[] = {
      {ws_client_frame(2, "bin"), 1003},       // binary
      {ws_client_frame(1, "\xff\xfe"), 1007},  // not UTF-8
      {unmasked, 1002},                        // unmasked client frame
      {ws_client_frame(1, "[\"" + std::string(100, 'x') + "\"]"), 1009},
  };
  for (const Case& c : cases) {
    Config cfg;
    cfg.max_message_size = 64;
    Harness h(cfg);
    WsClient ws(h, "/echo/0/pe/websocket");
    ws.texts();
    h.feed(ws.st, c.bytes);
    auto fs = ws.frames();
    ASSERT_EQ(fs.size(), 1u) << c.code;
    EXPECT_EQ(fs[0].opcode, 8);
    EXPECT_EQ(fs[0].close_code(), c.code);
    EXPECT_TRUE(h.wants_close(ws.st));
    auto closes = h.events_of(SOCKJS_EVENT_CLOSE);
    ASSERT_EQ(closes.size(), 1u);
    EXPECT_EQ(closes[0].code, c.code);
    EXPECT_TRUE(h.events_of(SOCKJS_EVENT_MESSAGE).empty());
  }
}

TEST(WebsocketFraming, TooBigIsReportedAsMessageTooBig) {
  Config cfg;
  cfg.max_message_size = 16;
  Harness h(cfg);
  WsClient ws(h, "/echo/0/tb/websocket");
  ws.texts();
  h.feed(ws.st, ws_client_frame(1, std::string(40, 'x')));
  auto closes = h.events_of(SOCKJS_EVENT_CLOSE);
  ASSERT_EQ(closes.size(), 1u);
  EXPECT_EQ(closes[0].code, 1009);
  EXPECT_EQ(closes[0].data, "Message too big");
}

}  // namespace
}  // namespace sockjs_test
