#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "ws/rfc6455.hpp"

namespace sockjs::ws {
namespace {

using Kind = DecodedFrame::Kind;

constexpr size_t kNoLimit = 1 << 24;

// A client frame: masked unless told otherwise. `first_byte_extra` carries
// RSV bits for the tests that need them.
std::string client_frame(uint8_t opcode, std::string_view payload,
                         bool fin = true, bool masked = true,
                         uint8_t first_byte_extra = 0,
                         const uint8_t mask[4] = nullptr) {
  static const uint8_t kDefaultMask[4] = {0x37, 0xFA, 0x21, 0x3D};
  if (mask == nullptr) mask = kDefaultMask;
  std::string out;
  out.push_back(
      static_cast<char>((fin ? 0x80 : 0) | first_byte_extra | opcode));
  const uint8_t mask_bit = masked ? 0x80 : 0;
  const uint64_t len = payload.size();
  if (len < 126) {
    out.push_back(static_cast<char>(mask_bit | len));
  } else if (len <= 0xFFFF) {
    out.push_back(static_cast<char>(mask_bit | 126));
    out.push_back(static_cast<char>(len >> 8));
    out.push_back(static_cast<char>(len & 0xFF));
  } else {
    out.push_back(static_cast<char>(mask_bit | 127));
    for (int i = 7; i >= 0; --i)
      out.push_back(static_cast<char>(len >> (8 * i)));
  }
  if (masked) out.append(reinterpret_cast<const char*>(mask), 4);
  for (size_t i = 0; i < payload.size(); ++i) {
    out.push_back(static_cast<char>(payload[i] ^ (masked ? mask[i % 4] : 0)));
  }
  return out;
}

std::string close_payload(uint16_t code, std::string_view reason = {}) {
  std::string p;
  p.push_back(static_cast<char>(code >> 8));
  p.push_back(static_cast<char>(code & 0xFF));
  p.append(reason);
  return p;
}

// Feeds `bytes` in slices of `step`, calling feed repeatedly on each slice
// until it is consumed (feed stops after each event), and collects events.
// Stops when feed consumes nothing (after a close or an error).
std::vector<DecodedFrame> feed_all(Rfc6455Decoder& d, std::string_view bytes,
                                   size_t step = SIZE_MAX,
                                   size_t* consumed = nullptr) {
  std::vector<DecodedFrame> events;
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
  size_t pos = 0;
  while (pos < bytes.size()) {
    const size_t slice_end = pos + std::min(step, bytes.size() - pos);
    while (pos < slice_end) {
      DecodedFrame f;
      bool got = false;
      const size_t n = d.feed(p + pos, slice_end - pos, f, got);
      pos += n;
      if (got) events.push_back(std::move(f));
      if (n == 0) {
        EXPECT_TRUE(d.failed());
        if (consumed != nullptr) *consumed = pos;
        return events;
      }
    }
  }
  if (consumed != nullptr) *consumed = pos;
  return events;
}

// Expects the stream to end in an error event with `code` (earlier valid
// frames may produce events first) and the decoder to stop there.
void expect_error(std::string_view bytes, uint16_t code,
                  size_t max_message = kNoLimit) {
  Rfc6455Decoder d(max_message);
  const auto events = feed_all(d, bytes);
  ASSERT_FALSE(events.empty());
  for (size_t i = 0; i + 1 < events.size(); ++i) {
    EXPECT_NE(events[i].kind, Kind::error);
  }
  EXPECT_EQ(events.back().kind, Kind::error);
  EXPECT_EQ(events.back().close_code, code);
  EXPECT_TRUE(d.failed());
}

std::string bytes_of(std::initializer_list<int> list) {
  std::string s;
  for (int b : list) s.push_back(static_cast<char>(b));
  return s;
}

TEST(AcceptKeyTest, RfcAndSuiteExamples) {
  EXPECT_EQ(accept_key("dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  EXPECT_EQ(accept_key("x3JJHMbDL1EzLkh9GBhXDw=="),
            "HSmrc0sMlYUkAGmm5OPpG2HaGWk=");
}

TEST(AcceptKeyTest, LongKeyTakesHeapPath) {
  // Same result as computing it by hand for an oversized key.
  const std::string key(200, 'k');
  EXPECT_EQ(accept_key(key).size(), 28u);
  EXPECT_NE(accept_key(key), accept_key(std::string(199, 'k')));
}

TEST(EncoderTest, HeaderForms) {
  struct Case {
    size_t len;
    std::string header;
  };
  const Case cases[] = {
      {0, bytes_of({0x81, 0x00})},
      {125, bytes_of({0x81, 125})},
      {126, bytes_of({0x81, 126, 0x00, 126})},
      {65535, bytes_of({0x81, 126, 0xFF, 0xFF})},
      {65536, bytes_of({0x81, 127, 0, 0, 0, 0, 0, 1, 0, 0})},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.len);
    const std::string payload(c.len, 'p');
    std::string out = "prefix";
    append_frame(out, Opcode::text, payload);
    ASSERT_EQ(out.size(), 6 + c.header.size() + c.len);
    EXPECT_EQ(out.substr(0, 6), "prefix");
    EXPECT_EQ(out.substr(6, c.header.size()), c.header);
    EXPECT_EQ(out.substr(6 + c.header.size()), payload);
  }
}

TEST(EncoderTest, OpenFrameAsCaptured) {
  std::string out;
  append_frame(out, Opcode::text, "o");
  EXPECT_EQ(out, "\x81\x01o");
}

TEST(EncoderTest, OtherOpcodes) {
  std::string out;
  append_frame(out, Opcode::ping, "");
  append_frame(out, Opcode::pong, "ab");
  append_frame(out, Opcode::binary, std::string_view("\0", 1));
  EXPECT_EQ(out, bytes_of({0x89, 0x00, 0x8A, 0x02, 'a', 'b', 0x82, 0x01, 0}));
}

TEST(EncoderTest, CloseFrame) {
  std::string out;
  append_close_frame(out, 1000, "Normal closure");
  EXPECT_EQ(out, bytes_of({0x88, 16, 0x03, 0xE8}) + "Normal closure");

  out.clear();
  append_close_frame(out, 3000, "Go away!");
  EXPECT_EQ(out, bytes_of({0x88, 10, 0x0B, 0xB8}) + "Go away!");

  out.clear();
  append_close_frame(out, 0, "ignored");
  EXPECT_EQ(out, bytes_of({0x88, 0x00}));
}

TEST(EncoderTest, CloseReasonCutToControlLimitOnCharBoundary) {
  // 122 ASCII bytes then a 2-byte character straddling the 123-byte limit.
  const std::string reason = std::string(122, 'r') + "\xCE\xBA" + "tail";
  std::string out;
  append_close_frame(out, 1000, reason);
  ASSERT_EQ(out.size(), 2u + 2 + 122);
  EXPECT_EQ(static_cast<uint8_t>(out[1]), 124);
  EXPECT_EQ(out.substr(4), std::string(122, 'r'));
}

TEST(DecoderTest, RfcMaskedHello) {
  // RFC 6455 5.7: a masked "Hello".
  const std::string frame = bytes_of(
      {0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58});
  Rfc6455Decoder d(kNoLimit);
  DecodedFrame f;
  bool got = false;
  EXPECT_EQ(d.feed(reinterpret_cast<const uint8_t*>(frame.data()), frame.size(),
                   f, got),
            frame.size());
  ASSERT_TRUE(got);
  EXPECT_EQ(f.kind, Kind::text);
  EXPECT_EQ(f.payload, "Hello");
  EXPECT_FALSE(d.failed());
}

TEST(DecoderTest, UnmaskedIsProtocolError) {
  expect_error(bytes_of({0x81, 0x05, 'H', 'e', 'l', 'l', 'o'}),
               kCloseProtocolError);
}

TEST(DecoderTest, FragmentedTextWithPingInBetween) {
  const std::string stream =
      client_frame(0x1, "Hel", false) + client_frame(0x9, "hi") +
      client_frame(0x0, "l", false) + client_frame(0x0, "o world", true);
  Rfc6455Decoder d(kNoLimit);
  const auto events = feed_all(d, stream);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, Kind::ping);
  EXPECT_EQ(events[0].payload, "hi");
  EXPECT_EQ(events[1].kind, Kind::text);
  EXPECT_EQ(events[1].payload, "Hello world");
}

std::string mixed_stream() {
  std::string binary(70000, '\0');
  for (size_t i = 0; i < binary.size(); ++i) {
    binary[i] = static_cast<char>(i * 7 + 3);
  }
  static const uint8_t kMask2[4] = {0x01, 0x80, 0xFF, 0x00};
  return client_frame(0x1, "first") + client_frame(0x9, "") +
         client_frame(0x1, std::string(300, 'm'), false, true, 0, kMask2) +
         client_frame(0xA, "pong data") +
         client_frame(0x0, std::string(13, 'n'), true) +
         client_frame(0x2, binary, true, true, 0, kMask2) +
         client_frame(0x1, "") + client_frame(0x8, close_payload(1000, "done"));
}

void check_mixed_events(const std::vector<DecodedFrame>& events) {
  ASSERT_EQ(events.size(), 7u);
  EXPECT_EQ(events[0].kind, Kind::text);
  EXPECT_EQ(events[0].payload, "first");
  EXPECT_EQ(events[1].kind, Kind::ping);
  EXPECT_EQ(events[1].payload, "");
  EXPECT_EQ(events[2].kind, Kind::pong);
  EXPECT_EQ(events[2].payload, "pong data");
  EXPECT_EQ(events[3].kind, Kind::text);
  EXPECT_EQ(events[3].payload, std::string(300, 'm') + std::string(13, 'n'));
  EXPECT_EQ(events[4].kind, Kind::binary);
  ASSERT_EQ(events[4].payload.size(), 70000u);
  for (size_t i = 0; i < 70000; ++i) {
    if (events[4].payload[i] != static_cast<char>(i * 7 + 3)) {
      ADD_FAILURE() << "binary payload differs at " << i;
      break;
    }
  }
  EXPECT_EQ(events[5].kind, Kind::text);
  EXPECT_EQ(events[5].payload, "");
  EXPECT_EQ(events[6].kind, Kind::close);
  EXPECT_EQ(events[6].close_code, 1000);
  EXPECT_EQ(events[6].payload, "done");
}

TEST(DecoderTest, WholeBuffer) {
  Rfc6455Decoder d(kNoLimit);
  const std::string stream = mixed_stream();
  size_t consumed = 0;
  check_mixed_events(feed_all(d, stream, SIZE_MAX, &consumed));
  EXPECT_EQ(consumed, stream.size());
}

TEST(DecoderTest, OneByteAtATime) {
  Rfc6455Decoder d(kNoLimit);
  check_mixed_events(feed_all(d, mixed_stream(), 1));
}

TEST(DecoderTest, OddSlices) {
  for (size_t step : {2, 3, 5, 7, 9, 13, 127, 4099}) {
    SCOPED_TRACE(step);
    Rfc6455Decoder d(kNoLimit);
    check_mixed_events(feed_all(d, mixed_stream(), step));
  }
}

TEST(DecoderTest, FeedStopsAfterEachEvent) {
  const std::string a = client_frame(0x1, "one");
  const std::string b = client_frame(0x2, "two");
  const std::string c = client_frame(0x9, "three");
  const std::string all = a + b + c;
  const auto* p = reinterpret_cast<const uint8_t*>(all.data());
  Rfc6455Decoder d(kNoLimit);
  DecodedFrame f;
  bool got = false;
  EXPECT_EQ(d.feed(p, all.size(), f, got), a.size());
  EXPECT_TRUE(got);
  EXPECT_EQ(f.kind, Kind::text);
  EXPECT_EQ(f.payload, "one");
  EXPECT_EQ(d.feed(p + a.size(), all.size() - a.size(), f, got), b.size());
  EXPECT_TRUE(got);
  EXPECT_EQ(f.kind, Kind::binary);
  EXPECT_EQ(f.payload, "two");
  EXPECT_EQ(d.feed(p + a.size() + b.size(), c.size(), f, got), c.size());
  EXPECT_TRUE(got);
  EXPECT_EQ(f.kind, Kind::ping);
  EXPECT_EQ(f.payload, "three");
}

TEST(DecoderTest, PartialFrameProducesNoEvent) {
  const std::string frame = client_frame(0x1, "partial");
  Rfc6455Decoder d(kNoLimit);
  DecodedFrame f;
  bool got = true;
  EXPECT_EQ(d.feed(reinterpret_cast<const uint8_t*>(frame.data()), 9, f, got),
            9u);
  EXPECT_FALSE(got);
  EXPECT_EQ(d.feed(reinterpret_cast<const uint8_t*>(frame.data()) + 9,
                   frame.size() - 9, f, got),
            frame.size() - 9);
  EXPECT_TRUE(got);
  EXPECT_EQ(f.payload, "partial");
}

TEST(DecoderTest, ControlFrameTooLong) {
  expect_error(client_frame(0x9, std::string(126, 'x')), kCloseProtocolError);
  expect_error(client_frame(0x8, close_payload(1000, std::string(124, 'x'))),
               kCloseProtocolError);
  // 125 is the limit and is fine.
  Rfc6455Decoder d(kNoLimit);
  const auto events = feed_all(d, client_frame(0x9, std::string(125, 'x')));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::ping);
}

TEST(DecoderTest, ControlFrameTooLongFailsOnHeaderAlone) {
  // Only the first two bytes: no need to wait for the rest.
  const std::string head =
      client_frame(0x9, std::string(126, 'x')).substr(0, 2);
  expect_error(head, kCloseProtocolError);
}

TEST(DecoderTest, FragmentedControlFrame) {
  expect_error(client_frame(0x9, "x", false), kCloseProtocolError);
}

TEST(DecoderTest, RsvBits) {
  for (uint8_t rsv : {0x40, 0x20, 0x10, 0x70}) {
    SCOPED_TRACE(static_cast<int>(rsv));
    expect_error(client_frame(0x1, "x", true, true, rsv), kCloseProtocolError);
  }
}

TEST(DecoderTest, BadOpcodes) {
  for (uint8_t op : {3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF}) {
    SCOPED_TRACE(static_cast<int>(op));
    expect_error(client_frame(op, "x"), kCloseProtocolError);
  }
}

TEST(DecoderTest, ContinuationWithoutStart) {
  expect_error(client_frame(0x0, "x"), kCloseProtocolError);
  expect_error(client_frame(0x1, "done") + client_frame(0x0, "x"),
               kCloseProtocolError);
}

TEST(DecoderTest, NewMessageWhileFragmented) {
  expect_error(client_frame(0x1, "a", false) + client_frame(0x1, "b"),
               kCloseProtocolError);
  expect_error(client_frame(0x2, "a", false) + client_frame(0x1, "b"),
               kCloseProtocolError);
  expect_error(client_frame(0x1, "a", false) + client_frame(0x2, "b"),
               kCloseProtocolError);
}

TEST(DecoderTest, SixtyFourBitLengthTopBit) {
  std::string frame =
      bytes_of({0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 1, 0x11, 0x22, 0x33, 0x44});
  expect_error(frame, kCloseProtocolError);
}

TEST(DecoderTest, SizeLimitAnnouncedByHeader) {
  // Only the header of a 101-byte frame: the limit of 100 trips at once.
  const std::string head =
      client_frame(0x1, std::string(101, 'x')).substr(0, 8);
  expect_error(head, kCloseTooBig, 100);
  // Huge 64-bit length.
  expect_error(bytes_of({0x82, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                         0xFF, 1, 2, 3, 4}),
               kCloseTooBig, 100);
}

TEST(DecoderTest, SizeLimitExactlyFits) {
  Rfc6455Decoder d(100);
  const auto events = feed_all(d, client_frame(0x2, std::string(100, 'x')));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::binary);
  EXPECT_EQ(events[0].payload.size(), 100u);
}

TEST(DecoderTest, SizeLimitAcrossFragments) {
  expect_error(client_frame(0x1, std::string(60, 'x'), false) +
                   client_frame(0x0, std::string(41, 'x')).substr(0, 6),
               kCloseTooBig, 100);
  // Control frames in between do not count towards the message.
  Rfc6455Decoder d(100);
  const auto events =
      feed_all(d, client_frame(0x1, std::string(60, 'x'), false) +
                      client_frame(0x9, std::string(100, 'p')) +
                      client_frame(0x0, std::string(40, 'x')));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].kind, Kind::text);
  EXPECT_EQ(events[1].payload.size(), 100u);
}

TEST(DecoderTest, InvalidUtf8) {
  expect_error(client_frame(0x1, "ab\xFF"), kCloseInvalidPayload);
  expect_error(client_frame(0x1, "\xC0\xAF"),
               kCloseInvalidPayload);  // overlong
  expect_error(client_frame(0x1, "\xED\xA0\x80"),
               kCloseInvalidPayload);  // surrogate
  expect_error(client_frame(0x1, "a\xCE", false) + client_frame(0x0, "x"),
               kCloseInvalidPayload);
}

TEST(DecoderTest, BinaryIsNotValidated) {
  Rfc6455Decoder d(kNoLimit);
  const auto events = feed_all(d, client_frame(0x2, "\xFF\xFE"));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::binary);
  EXPECT_EQ(events[0].payload, "\xFF\xFE");
}

TEST(DecoderTest, Utf8SplitAcrossFragments) {
  // Each fragment alone is invalid (half of U+03BA, half of U+1F600); the
  // whole message is valid.
  Rfc6455Decoder d(kNoLimit);
  const auto events = feed_all(d, client_frame(0x1, "a\xCE", false) +
                                      client_frame(0x0, "\xBA\xF0\x9F", false) +
                                      client_frame(0x0, "\x98\x80z"));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::text);
  EXPECT_EQ(events[0].payload, "a\xCE\xBA\xF0\x9F\x98\x80z");
}

TEST(DecoderTest, UffffAccepted) {
  Rfc6455Decoder d(kNoLimit);
  const auto events =
      feed_all(d, client_frame(0x1, "Hello world!\xEF\xBF\xBF"));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::text);
  EXPECT_EQ(events[0].payload, "Hello world!\xEF\xBF\xBF");
}

TEST(DecoderTest, CloseWithoutPayload) {
  Rfc6455Decoder d(kNoLimit);
  const auto events = feed_all(d, client_frame(0x8, ""));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::close);
  EXPECT_EQ(events[0].close_code, 1005);
  EXPECT_EQ(events[0].payload, "");
}

TEST(DecoderTest, CloseWithCodeAndReason) {
  Rfc6455Decoder d(kNoLimit);
  const auto events =
      feed_all(d, client_frame(0x8, close_payload(3000, "Go away!")));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::close);
  EXPECT_EQ(events[0].close_code, 3000);
  EXPECT_EQ(events[0].payload, "Go away!");
}

TEST(DecoderTest, CloseBetweenFragments) {
  Rfc6455Decoder d(kNoLimit);
  const auto events = feed_all(d, client_frame(0x1, "part", false) +
                                      client_frame(0x8, close_payload(1001)));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::close);
  EXPECT_EQ(events[0].close_code, 1001);
}

TEST(DecoderTest, CloseOneBytePayload) {
  expect_error(client_frame(0x8, "\x03"), kCloseProtocolError);
}

TEST(DecoderTest, CloseReasonInvalidUtf8) {
  expect_error(client_frame(0x8, close_payload(1000, "\xFF")),
               kCloseInvalidPayload);
}

TEST(DecoderTest, CloseCodes) {
  for (int code :
       {0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535}) {
    SCOPED_TRACE(code);
    expect_error(client_frame(0x8, close_payload(static_cast<uint16_t>(code))),
                 kCloseProtocolError);
  }
  for (int code : {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012,
                   1013, 1014, 3000, 3999, 4000, 4999}) {
    SCOPED_TRACE(code);
    Rfc6455Decoder d(kNoLimit);
    const auto events = feed_all(
        d, client_frame(0x8, close_payload(static_cast<uint16_t>(code))));
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].kind, Kind::close);
    EXPECT_EQ(events[0].close_code, code);
  }
}

TEST(DecoderTest, NothingConsumedAfterClose) {
  const std::string close = client_frame(0x8, close_payload(1000));
  const std::string all = close + client_frame(0x1, "late");
  const auto* p = reinterpret_cast<const uint8_t*>(all.data());
  Rfc6455Decoder d(kNoLimit);
  DecodedFrame f;
  bool got = false;
  EXPECT_EQ(d.feed(p, all.size(), f, got), close.size());
  EXPECT_TRUE(got);
  EXPECT_EQ(f.kind, Kind::close);
  EXPECT_TRUE(d.failed());
  EXPECT_EQ(d.feed(p + close.size(), all.size() - close.size(), f, got), 0u);
  EXPECT_FALSE(got);
}

TEST(DecoderTest, NothingConsumedAfterError) {
  const std::string bad = bytes_of({0x81, 0x05, 'H', 'e', 'l', 'l', 'o'});
  const std::string good = client_frame(0x1, "ok");
  const auto* bp = reinterpret_cast<const uint8_t*>(bad.data());
  Rfc6455Decoder d(kNoLimit);
  DecodedFrame f;
  bool got = false;
  const size_t n = d.feed(bp, bad.size(), f, got);
  EXPECT_LE(n, bad.size());
  EXPECT_TRUE(got);
  EXPECT_EQ(f.kind, Kind::error);
  EXPECT_EQ(d.feed(reinterpret_cast<const uint8_t*>(good.data()), good.size(),
                   f, got),
            0u);
  EXPECT_FALSE(got);
}

TEST(DecoderTest, EncoderOutputRoundTripsWhenMasked) {
  // The encoder's header, with the mask bit and a key added, decodes to the
  // same payload: a cross-check of both length encodings.
  for (size_t len : {0, 125, 126, 65535, 65536}) {
    SCOPED_TRACE(len);
    const std::string payload(len, 'q');
    Rfc6455Decoder d(kNoLimit);
    const auto events = feed_all(d, client_frame(0x1, payload));
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].payload, payload);
  }
}

}  // namespace
}  // namespace sockjs::ws
