// Malformed input of every kind, in feed mode: each gets its status (or
// WebSocket close code), the connection ends, no session opens, and the
// same holds when the bytes arrive one at a time.
#include <random>

#include "feed_server.hpp"

namespace hardening {
namespace {

struct BadRequest {
  const char* name;
  std::string bytes;
  int status;
};

std::string B(const char* s, size_t n) { return std::string(s, n); }

std::string random_bytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng() & 0xFF);
  return s;
}

const std::string kSend = "POST /echo/000/abc/xhr_send HTTP/1.1\r\nHost: x\r\n";

std::vector<BadRequest> bad_requests() {
  return {
      {"garbage_request_line", "GARBAGE\r\n\r\n", 400},
      {"lowercase_method", "get /echo HTTP/1.1\r\n\r\n", 400},
      {"bad_version", "GET /echo HTTP/9.Z\r\n\r\n", 400},
      {"http09_no_version", "GET /echo\r\nHost: x\r\n\r\n", 505},
      // llhttp itself refuses versions it does not know.
      {"http2_preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 400},
      {"http_major_3", "GET /echo HTTP/3.0\r\n\r\n", 400},
      {"space_in_target", "GET /e cho HTTP/1.1\r\n\r\n", 400},
      {"header_without_colon", "GET /echo HTTP/1.1\r\nHost example\r\n\r\n",
       400},
      {"space_before_colon", "GET /echo HTTP/1.1\r\nHost : x\r\n\r\n", 400},
      {"empty_header_name", "GET /echo HTTP/1.1\r\n: x\r\n\r\n", 400},
      {"nul_in_target", B("GET /ec\0ho HTTP/1.1\r\n\r\n", 23), 400},
      {"nul_in_header_value", B("GET /echo HTTP/1.1\r\nX-A: a\0b\r\n\r\n", 32),
       400},
      {"nul_in_header_name", B("GET /echo HTTP/1.1\r\nX\0A: b\r\n\r\n", 30),
       400},
      {"bad_chunk_size",
       kSend + "Transfer-Encoding: chunked\r\n\r\nZZ\r\nab\r\n", 400},
      {"huge_chunk_size",
       kSend + "Transfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFFFF\r\n",
       400},
      {"chunk_size_with_space",
       kSend + "Transfer-Encoding: chunked\r\n\r\n2 2\r\nab\r\n0\r\n\r\n", 400},
      {"transfer_encoding_not_chunked_last",
       kSend + "Transfer-Encoding: chunked, gzip\r\n\r\n", 400},
      {"content_length_letters", kSend + "Content-Length: abc\r\n\r\n", 400},
      {"content_length_negative", kSend + "Content-Length: -1\r\n\r\n", 400},
      {"content_length_overflow",
       kSend + "Content-Length: 99999999999999999999999\r\n\r\n", 400},
      {"content_length_twice",
       kSend + "Content-Length: 2\r\nContent-Length: 3\r\n\r\n[]x", 400},
      {"content_length_and_chunked",
       kSend +
           "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
       400},
      {"tls_client_hello",
       B("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\x00\x00", 13), 400},
      {"ssh_banner", "SSH-2.0-OpenSSH_9.2\r\n", 400},
      {"random_binary", random_bytes(4096, 7), 400},
      {"control_chars_in_header",
       "GET /echo HTTP/1.1\r\nX-A: a\x01\x02\x7f\r\n\r\n", 400},
      {"body_too_large_declared", kSend + "Content-Length: 2000000\r\n\r\n",
       413},
      {"head_too_large",
       "GET /echo HTTP/1.1\r\nX-A: " + std::string(20000, 'a') + "\r\n\r\n",
       431},
      {"url_too_large",
       "GET /echo/" + std::string(20000, 'a') + " HTTP/1.1\r\n\r\n", 431},
      {"too_many_headers",
       [] {
         std::string r = "GET /echo HTTP/1.1\r\n";
         for (int i = 0; i < 101; ++i)
           r += "X-" + std::to_string(i) + ": v\r\n";
         return r + "\r\n";
       }(),
       431},
  };
}

class Malformed : public ::testing::TestWithParam<BadRequest> {};

void check_answer(FeedServer& srv, sockjs_stream_id st, int status) {
  auto r = sockjs_test::parse_response(srv.read(st), true);
  ASSERT_TRUE(r) << "no response; got: " << srv.read(st).substr(0, 200);
  EXPECT_EQ(r->status, status);
  EXPECT_TRUE(srv.wants_close(st));
  EXPECT_EQ(srv.count(SOCKJS_EVENT_OPEN), 0u);
  // More input after the error is ignored, not parsed.
  size_t before = srv.read(st).size();
  srv.feed(st, "GET /echo HTTP/1.1\r\n\r\n");
  EXPECT_EQ(srv.read(st).size(), before);
}

TEST_P(Malformed, AnsweredAndClosedAllAtOnce) {
  FeedServer srv;
  sockjs_stream_id st = srv.open();
  srv.feed(st, GetParam().bytes);
  check_answer(srv, st, GetParam().status);
  srv.close(st);
}

TEST_P(Malformed, AnsweredAndClosedByteByByte) {
  FeedServer srv;
  sockjs_stream_id st = srv.open();
  srv.feed(st, GetParam().bytes, 1);
  check_answer(srv, st, GetParam().status);
  srv.close(st);
}

TEST_P(Malformed, AfterAGoodRequestOnTheSameConnection) {
  FeedServer srv;
  sockjs_stream_id st = srv.open();
  std::string good = req("GET", "/echo");
  srv.feed(st, good + GetParam().bytes);
  const std::string& all = srv.read(st);
  auto first = sockjs_test::parse_response(all, true);
  ASSERT_TRUE(first && first->complete);
  EXPECT_EQ(first->status, 200);
  auto second = sockjs_test::parse_response(
      std::string_view(all).substr(first->consumed), true);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, GetParam().status);
  EXPECT_TRUE(srv.wants_close(st));
}

INSTANTIATE_TEST_SUITE_P(Hardening, Malformed,
                         ::testing::ValuesIn(bad_requests()),
                         [](const ::testing::TestParamInfo<BadRequest>& i) {
                           return i.param.name;
                         });

TEST(MalformedBody, ChunkedBodyOverTheLimitGets413WhileStreaming) {
  FeedServer srv(FeedConfig{
      nullptr,
      [](sockjs_options* o) { sockjs_options_set_max_message_size(o, 1024); },
      true});
  sockjs_stream_id st = srv.open();
  srv.feed(st, kSend + "Transfer-Encoding: chunked\r\n\r\nFFFFFF\r\n");
  EXPECT_FALSE(srv.wants_close(st));  // nothing too large arrived yet
  srv.feed(st, std::string(4096, 'a'));
  auto r = sockjs_test::parse_response(srv.read(st), true);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_TRUE(srv.wants_close(st));
}

// ------------------------------------------------------------ WebSocket

struct BadFrame {
  const char* name;
  const char* path;  // SockJS or raw endpoint
  std::string bytes;
  int code;  // close code of the frame and of the CLOSE event
};

// A masked frame with a custom first byte (FIN, RSV, opcode).
std::string frame_with_byte0(uint8_t b0, std::string_view payload) {
  std::string f = sockjs_test::ws_client_frame(1, payload);
  f[0] = static_cast<char>(b0);
  return f;
}

std::string unmasked(int opcode, std::string_view payload) {
  std::string f;
  f.push_back(static_cast<char>(0x80 | opcode));
  f.push_back(static_cast<char>(payload.size()));
  f.append(payload);
  return f;
}

std::vector<BadFrame> bad_frames() {
  using sockjs_test::ws_client_frame;
  const char* sj = "/echo/000/abc/websocket";
  const char* raw = "/echo/websocket";
  std::string len64_top_bit =
      B("\x81\xFF\x80\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00", 14);
  return {
      {"unmasked_text", sj, unmasked(1, "[\"a\"]"), 1002},
      {"rsv1_set", sj, frame_with_byte0(0xC1, "[\"a\"]"), 1002},
      {"rsv3_set", raw, frame_with_byte0(0x91, "a"), 1002},
      {"reserved_opcode_3", sj, frame_with_byte0(0x83, "x"), 1002},
      {"reserved_opcode_b", raw, frame_with_byte0(0x8B, "x"), 1002},
      {"ping_too_long", sj, ws_client_frame(9, std::string(126, 'p')), 1002},
      {"fragmented_ping", sj, ws_client_frame(9, "p", false), 1002},
      {"continuation_without_start", raw, ws_client_frame(0, "x"), 1002},
      {"text_inside_fragmented_text", raw,
       ws_client_frame(1, "a", false) + ws_client_frame(1, "b"), 1002},
      {"invalid_utf8_text", sj, ws_client_frame(1, "\xff\xfe"), 1007},
      {"invalid_utf8_raw", raw, ws_client_frame(1, "ok\xc0\xaf"), 1007},
      {"invalid_utf8_across_fragments", raw,
       ws_client_frame(1, "\xe2\x82", false) + ws_client_frame(0, "\x41"),
       1007},
      {"surrogate_in_text", raw, ws_client_frame(1, "\xed\xa0\x80"), 1007},
      {"binary_frame", sj, ws_client_frame(2, "bin"), 1003},
      {"close_one_byte_payload", raw, ws_client_frame(8, "\x03"), 1002},
      {"close_code_999", raw, ws_client_frame(8, B("\x03\xe7", 2)), 1002},
      {"close_code_1005", raw, ws_client_frame(8, B("\x03\xed", 2)), 1002},
      {"close_invalid_utf8_reason", raw,
       ws_client_frame(8, B("\x03\xe8\xff", 3)), 1007},
      {"length_top_bit", raw, len64_top_bit, 1002},
      {"announced_too_big", sj,
       B("\x81\xFF\x00\x00\x00\x00\x7F\xFF\xFF\xFF\x01\x02\x03\x04", 14), 1009},
      {"fragments_too_big", raw,
       ws_client_frame(1, std::string(700, 'a'), false) +
           ws_client_frame(0, std::string(700, 'a')),
       1009},
      {"broken_sockjs_json", sj, ws_client_frame(1, "[\"a\""), 3000},
      {"sockjs_not_json", sj, ws_client_frame(1, "hello"), 3000},
  };
}

class MalformedWebSocket : public ::testing::TestWithParam<BadFrame> {};

void check_ws_close(FeedServer& srv, sockjs_stream_id st, int code) {
  std::vector<WsFrame> fr = srv.frames(st);
  ASSERT_FALSE(fr.empty());
  EXPECT_EQ(fr.back().opcode, 8);
  EXPECT_EQ(fr.back().close_code(), code);
  EXPECT_TRUE(srv.wants_close(st));
  ASSERT_EQ(srv.count(SOCKJS_EVENT_CLOSE), 1u);
  for (const Ev& e : srv.events()) {
    if (e.type == SOCKJS_EVENT_CLOSE) {
      EXPECT_EQ(e.code, code);
    }
  }
  EXPECT_EQ(srv.count(SOCKJS_EVENT_MESSAGE), 0u);
  srv.close(st);
  srv.expect_one_close_per_open();
}

FeedConfig small_messages() {
  return FeedConfig{
      nullptr,
      [](sockjs_options* o) { sockjs_options_set_max_message_size(o, 1024); },
      true};
}

TEST_P(MalformedWebSocket, ClosedWithItsCode) {
  FeedServer srv(small_messages());
  sockjs_stream_id st = srv.websocket(GetParam().path);
  ASSERT_NE(st, 0u);
  srv.feed(st, GetParam().bytes);
  check_ws_close(srv, st, GetParam().code);
}

TEST_P(MalformedWebSocket, ClosedWithItsCodeByteByByte) {
  FeedServer srv(small_messages());
  sockjs_stream_id st = srv.websocket(GetParam().path);
  ASSERT_NE(st, 0u);
  srv.feed(st, GetParam().bytes, 1);
  check_ws_close(srv, st, GetParam().code);
}

INSTANTIATE_TEST_SUITE_P(Hardening, MalformedWebSocket,
                         ::testing::ValuesIn(bad_frames()),
                         [](const ::testing::TestParamInfo<BadFrame>& i) {
                           return i.param.name;
                         });

TEST(MalformedWebSocketRandom, RandomBytesEndTheSessionOnce) {
  // Many seeds of garbage after a good handshake: always one CLOSE with a
  // protocol-level code, never a crash or a message.
  for (uint32_t seed = 1; seed <= 200; ++seed) {
    FeedServer srv(small_messages());
    sockjs_stream_id st =
        srv.websocket(seed % 2 ? "/echo/000/abc/websocket" : "/echo/websocket");
    ASSERT_NE(st, 0u);
    srv.feed(st, random_bytes(8192, seed));
    if (!srv.wants_close(st)) {
      // A partial frame may still wait for bytes; the peer then drops.
      srv.close(st);
    }
    ASSERT_EQ(srv.count(SOCKJS_EVENT_CLOSE), 1u) << "seed " << seed;
    for (const Ev& e : srv.events()) {
      if (e.type != SOCKJS_EVENT_CLOSE) continue;
      // A protocol error code, or the code of a well-formed close frame
      // the garbage happened to contain (1002 if the peer just dropped).
      EXPECT_TRUE(e.code >= 1000 && e.code <= 4999)
          << "seed " << seed << " code " << e.code;
    }
    srv.expect_one_close_per_open();
  }
}

}  // namespace
}  // namespace hardening
