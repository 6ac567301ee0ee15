#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "codec/utf8.hpp"

namespace sockjs::codec {
namespace {

using namespace std::string_view_literals;

TEST(Utf8Valid, AcceptsEmptyAndAscii) {
  EXPECT_TRUE(utf8_valid(""));
  EXPECT_TRUE(utf8_valid("hello, world"));
  EXPECT_TRUE(utf8_valid(std::string(1000, 'x')));
}

TEST(Utf8Valid, AllowsNul) {
  EXPECT_TRUE(utf8_valid("a\0b"sv));
  EXPECT_TRUE(utf8_valid(std::string(17, '\0')));
}

TEST(Utf8Valid, AcceptsEachSequenceLength) {
  EXPECT_TRUE(utf8_valid("\x7F"));
  EXPECT_TRUE(utf8_valid("\xC2\x80"));          // U+0080
  EXPECT_TRUE(utf8_valid("\xC3\xBF"));          // U+00FF
  EXPECT_TRUE(utf8_valid("\xDF\xBF"));          // U+07FF
  EXPECT_TRUE(utf8_valid("\xE0\xA0\x80"));      // U+0800
  EXPECT_TRUE(utf8_valid("\xED\x9F\xBF"));      // U+D7FF
  EXPECT_TRUE(utf8_valid("\xEE\x80\x80"));      // U+E000
  EXPECT_TRUE(utf8_valid("\xEF\xBB\xBF"));      // U+FEFF
  EXPECT_TRUE(utf8_valid("\xEF\xBF\xBE"));      // U+FFFE
  EXPECT_TRUE(utf8_valid("\xEF\xBF\xBF"));      // U+FFFF
  EXPECT_TRUE(utf8_valid("\xF0\x90\x80\x80"));  // U+10000
  EXPECT_TRUE(utf8_valid("\xF0\x9F\x98\x80"));  // U+1F600
  EXPECT_TRUE(utf8_valid("\xF4\x8F\xBF\xBF"));  // U+10FFFF
}

TEST(Utf8Valid, RejectsOverlongs) {
  EXPECT_FALSE(utf8_valid("\xC0\x80"));  // overlong NUL
  EXPECT_FALSE(utf8_valid("\xC1\xBF"));
  EXPECT_FALSE(utf8_valid("\xE0\x80\x80"));
  EXPECT_FALSE(utf8_valid("\xE0\x9F\xBF"));  // overlong U+07FF
  EXPECT_FALSE(utf8_valid("\xF0\x80\x80\x80"));
  EXPECT_FALSE(utf8_valid("\xF0\x8F\xBF\xBF"));  // overlong U+FFFF
}

TEST(Utf8Valid, RejectsEncodedSurrogates) {
  EXPECT_FALSE(utf8_valid("\xED\xA0\x80"));  // U+D800
  EXPECT_FALSE(utf8_valid("\xED\xAF\xBF"));  // U+DBFF
  EXPECT_FALSE(utf8_valid("\xED\xB0\x80"));  // U+DC00
  EXPECT_FALSE(utf8_valid("\xED\xBF\xBF"));  // U+DFFF
  // A CESU-8 style pair is two surrogates, still invalid.
  EXPECT_FALSE(utf8_valid("\xED\xA0\xBD\xED\xB8\x80"));
}

TEST(Utf8Valid, RejectsAboveMax) {
  EXPECT_FALSE(utf8_valid("\xF4\x90\x80\x80"));  // U+110000
  EXPECT_FALSE(utf8_valid("\xF5\x80\x80\x80"));
  EXPECT_FALSE(utf8_valid("\xF7\xBF\xBF\xBF"));
  EXPECT_FALSE(utf8_valid("\xF8\x88\x80\x80\x80"));
  EXPECT_FALSE(utf8_valid("\xFE"));
  EXPECT_FALSE(utf8_valid("\xFF"));
}

TEST(Utf8Valid, RejectsStrayContinuation) {
  EXPECT_FALSE(utf8_valid("\x80"));
  EXPECT_FALSE(utf8_valid("abc\xBF"));
  EXPECT_FALSE(utf8_valid("\xC3\xA9\xA9"));
}

TEST(Utf8Valid, RejectsTruncatedSequences) {
  EXPECT_FALSE(utf8_valid("\xC3"));
  EXPECT_FALSE(utf8_valid("\xE2\x82"));
  EXPECT_FALSE(utf8_valid("\xE2"));
  EXPECT_FALSE(utf8_valid("\xF0\x9F\x98"));
  EXPECT_FALSE(utf8_valid("\xF0\x9F"));
  // Truncated, then followed by ASCII (the continuation slot is not one).
  EXPECT_FALSE(
      utf8_valid("\xC3"
                 "a"));
  EXPECT_FALSE(
      utf8_valid("\xE2\x82"
                 "a"));
  EXPECT_FALSE(
      utf8_valid("\xF0\x9F\x98"
                 "a"));
}

TEST(Utf8Valid, FindsErrorsPastTheAsciiFastPath) {
  // Errors at every offset around the eight-byte word boundary.
  for (std::size_t prefix = 0; prefix < 20; ++prefix) {
    std::string good(prefix, 'a');
    good += "\xE2\x82\xAC";  // U+20AC
    good += std::string(prefix, 'b');
    EXPECT_TRUE(utf8_valid(good)) << prefix;
    std::string bad(prefix, 'a');
    bad += "\xE2\x82";
    EXPECT_FALSE(utf8_valid(bad)) << prefix;
    std::string bad2(prefix, 'a');
    bad2 += "\x80";
    bad2 += std::string(prefix, 'b');
    EXPECT_FALSE(utf8_valid(bad2)) << prefix;
  }
}

TEST(Utf8Valid, MixedText) {
  EXPECT_TRUE(
      utf8_valid("za\xC5\xBC\xC3\xB3\xC5\x82\xC4\x87 g\xC4\x99\xC5\x9B"
                 "l\xC4\x85 ja\xC5\xBA\xC5\x84 \xF0\x9F\x98\x80 "
                 "\xE6\x97\xA5\xE6\x9C\xAC"));
}

}  // namespace
}  // namespace sockjs::codec
