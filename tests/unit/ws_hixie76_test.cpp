#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ws/hixie76.hpp"

namespace sockjs::ws {
namespace {

using Kind = HixieFrame::Kind;

constexpr size_t kNoLimit = 1 << 20;

// The keys of the hixie-76 draft example, also used by the conformance
// suite's test_haproxy.
constexpr std::string_view kKey1 = "4 @1  46546xW%0l 1 5";
constexpr std::string_view kKey2 = "12998 5 Y3 1  .P00";

std::string as_string(const std::array<uint8_t, 16>& a) {
  return std::string(reinterpret_cast<const char*>(a.data()), a.size());
}

std::vector<HixieFrame> feed_all(Hixie76Decoder& d, std::string_view bytes,
                                 size_t step = SIZE_MAX,
                                 size_t* consumed = nullptr) {
  std::vector<HixieFrame> events;
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
  size_t pos = 0;
  while (pos < bytes.size()) {
    const size_t slice_end = pos + std::min(step, bytes.size() - pos);
    while (pos < slice_end) {
      HixieFrame f;
      bool got = false;
      const size_t n = d.feed(p + pos, slice_end - pos, f, got);
      pos += n;
      if (got) events.push_back(std::move(f));
      if (n == 0) {
        if (consumed != nullptr) *consumed = pos;
        return events;
      }
    }
  }
  if (consumed != nullptr) *consumed = pos;
  return events;
}

TEST(Hixie76AnswerTest, DraftExample) {
  const auto answer = hixie76_answer(kKey1, kKey2, "^n:ds[4U");
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(as_string(*answer), "8jKS'y:G*Co,Wxa-");
}

TEST(Hixie76AnswerTest, SuiteExample) {
  const auto answer = hixie76_answer(kKey1, kKey2, "aaaaaaaa");
  ASSERT_TRUE(answer.has_value());
  const uint8_t expected[16] = {0xca, 0x34, 0x00, 0xd8, 0xa5, 0x08, 0x47, 0x97,
                                0x2c, 0xd5, 0x71, 0x5a, 0xba, 0xbf, 0x43, 0x7b};
  EXPECT_EQ(as_string(*answer),
            std::string(reinterpret_cast<const char*>(expected), 16));
}

TEST(Hixie76AnswerTest, BadKeys) {
  EXPECT_FALSE(hixie76_answer("12345", kKey2, "aaaaaaaa"));  // no spaces
  EXPECT_FALSE(hixie76_answer("1  1", kKey2, "aaaaaaaa"));   // 11 % 2 != 0
  EXPECT_FALSE(hixie76_answer(kKey1, "4294967296 ", "aaaaaaaa"));  // > 32 bits
  EXPECT_FALSE(hixie76_answer(kKey1, "99999999999999999999999 ", "aaaaaaaa"));
  EXPECT_TRUE(hixie76_answer(kKey1, "4294967295 ", "aaaaaaaa"));
}

TEST(Hixie76EncodeTest, Frames) {
  std::string out = "x";
  hixie76_append_frame(out, "o");
  hixie76_append_frame(out, "");
  hixie76_append_close(out);
  EXPECT_EQ(out, std::string("x\x00o\xFF\x00\xFF\xFF\x00", 8));
}

TEST(Hixie76DecoderTest, TextAndClose) {
  const std::string stream("\x00hello\xFF\x00\xFF\x00[\"a\"]\xFF\xFF\x00junk",
                           22);
  for (size_t step : {SIZE_MAX, size_t{1}, size_t{3}}) {
    SCOPED_TRACE(step);
    Hixie76Decoder d(kNoLimit);
    size_t consumed = 0;
    const auto events = feed_all(d, stream, step, &consumed);
    ASSERT_EQ(events.size(), 4u);
    EXPECT_EQ(events[0].kind, Kind::text);
    EXPECT_EQ(events[0].payload, "hello");
    EXPECT_EQ(events[1].kind, Kind::text);
    EXPECT_EQ(events[1].payload, "");
    EXPECT_EQ(events[2].kind, Kind::text);
    EXPECT_EQ(events[2].payload, "[\"a\"]");
    EXPECT_EQ(events[3].kind, Kind::close);
    // "junk" after the close is never consumed.
    EXPECT_EQ(consumed, stream.size() - 4);
  }
}

TEST(Hixie76DecoderTest, FeedStopsAfterEachEvent) {
  const std::string stream("\x00one\xFF\x00two\xFF", 10);
  const auto* p = reinterpret_cast<const uint8_t*>(stream.data());
  Hixie76Decoder d(kNoLimit);
  HixieFrame f;
  bool got = false;
  EXPECT_EQ(d.feed(p, stream.size(), f, got), 5u);
  EXPECT_TRUE(got);
  EXPECT_EQ(f.payload, "one");
  EXPECT_EQ(d.feed(p + 5, stream.size() - 5, f, got), 5u);
  EXPECT_TRUE(got);
  EXPECT_EQ(f.payload, "two");
}

TEST(Hixie76DecoderTest, Utf8) {
  Hixie76Decoder d(kNoLimit);
  const auto events =
      feed_all(d, std::string("\x00Hello world!\xEF\xBF\xBF\xFF", 17), 1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::text);
  EXPECT_EQ(events[0].payload, "Hello world!\xEF\xBF\xBF");

  Hixie76Decoder bad(kNoLimit);
  const auto errors = feed_all(bad, std::string("\x00\xC0\xAF\xFF", 4));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].kind, Kind::error);
}

TEST(Hixie76DecoderTest, Errors) {
  for (const std::string& s :
       {std::string("x"), std::string("\x80\x01", 2),
        std::string("\xFF\x01", 2), std::string("\x00ok\xFF\x7F", 5)}) {
    Hixie76Decoder d(kNoLimit);
    const auto events = feed_all(d, s);
    ASSERT_FALSE(events.empty());
    EXPECT_EQ(events.back().kind, Kind::error);
    // Nothing more is consumed.
    HixieFrame f;
    bool got = true;
    const uint8_t more[] = {0x00, 'a', 0xFF};
    EXPECT_EQ(d.feed(more, sizeof(more), f, got), 0u);
    EXPECT_FALSE(got);
  }
}

TEST(Hixie76DecoderTest, Oversize) {
  {
    Hixie76Decoder d(4);
    const auto events = feed_all(d, std::string("\x00"
                                                "abcd\xFF",
                                                6));
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].kind, Kind::text);
  }
  for (size_t step : {SIZE_MAX, size_t{1}}) {
    Hixie76Decoder d(4);
    // No terminator yet: the error comes as soon as the limit is passed.
    const auto events = feed_all(d,
                                 std::string("\x00"
                                             "abcde",
                                             6),
                                 step);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].kind, Kind::error);
  }
}

TEST(Hixie76DecoderTest, NothingConsumedAfterClose) {
  Hixie76Decoder d(kNoLimit);
  HixieFrame f;
  bool got = false;
  const uint8_t close[] = {0xFF, 0x00, 0x00, 'a', 0xFF};
  EXPECT_EQ(d.feed(close, sizeof(close), f, got), 2u);
  EXPECT_TRUE(got);
  EXPECT_EQ(f.kind, Kind::close);
  EXPECT_EQ(d.feed(close + 2, 3, f, got), 0u);
  EXPECT_FALSE(got);
}

}  // namespace
}  // namespace sockjs::ws
