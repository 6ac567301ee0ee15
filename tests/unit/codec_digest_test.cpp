#include <gtest/gtest.h>

#include <string>

#include "codec/digest.hpp"

namespace sockjs::codec {
namespace {

template <size_t N>
std::string hex(const std::array<uint8_t, N>& a) {
  return hex_lower(a.data(), a.size());
}

std::string b64(std::string_view s) {
  return base64_encode(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

TEST(Sha1Test, StandardVectors) {
  EXPECT_EQ(hex(sha1("")), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(hex(sha1("abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(hex(sha1("The quick brown fox jumps over the lazy dog")),
            "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12");
  // 56 bytes: the length no longer fits in the first block's padding.
  EXPECT_EQ(
      hex(sha1("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
      "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
}

TEST(Sha1Test, BlockBoundaries) {
  EXPECT_EQ(hex(sha1(std::string(55, 'x'))),
            "cef734ba81a024479e09eb5a75b6ddae62e6abf1");
  EXPECT_EQ(hex(sha1(std::string(64, 'x'))),
            "bb2fa3ee7afb9f54c6dfb5d021f14b1ffe40c163");
  EXPECT_EQ(hex(sha1(std::string(119, 'x'))),
            "4300320394f7ee239bcdce7d3b8bcee173a0cd5c");
}

TEST(Sha1Test, MillionA) {
  EXPECT_EQ(hex(sha1(std::string(1000000, 'a'))),
            "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

TEST(Md5Test, Rfc1321Vectors) {
  EXPECT_EQ(hex(md5("")), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(hex(md5("a")), "0cc175b9c0f1b6a831c399e269772661");
  EXPECT_EQ(hex(md5("abc")), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(hex(md5("message digest")), "f96b697d7cb7938d525a2f31aaf161d0");
  EXPECT_EQ(hex(md5("abcdefghijklmnopqrstuvwxyz")),
            "c3fcd3d76192e4007dfb496cca67e13b");
  EXPECT_EQ(hex(md5("1234567890123456789012345678901234567890"
                    "1234567890123456789012345678901234567890")),
            "57edf4a22be3c955ac49da2e2107b67a");
  EXPECT_EQ(hex(md5("The quick brown fox jumps over the lazy dog")),
            "9e107d9d372bb6826bd81d3542a419d6");
}

TEST(Md5Test, BlockBoundaries) {
  EXPECT_EQ(hex(md5(std::string(55, 'x'))), "04364420e25c512fd958a70738aa8f72");
  EXPECT_EQ(hex(md5(std::string(64, 'x'))), "c1bb4f81d892b2d57947682aeb252456");
  EXPECT_EQ(hex(md5(std::string(119, 'x'))),
            "ab347a5f68c8a443cfcddc633f12c24f");
  EXPECT_EQ(hex(md5(std::string(1000000, 'a'))),
            "7707d6ae4e027c70eea2a935c2296f21");
}

TEST(Base64Test, Rfc4648Vectors) {
  EXPECT_EQ(b64(""), "");
  EXPECT_EQ(b64("f"), "Zg==");
  EXPECT_EQ(b64("fo"), "Zm8=");
  EXPECT_EQ(b64("foo"), "Zm9v");
  EXPECT_EQ(b64("foob"), "Zm9vYg==");
  EXPECT_EQ(b64("fooba"), "Zm9vYmE=");
  EXPECT_EQ(b64("foobar"), "Zm9vYmFy");
}

TEST(Base64Test, AllByteValuesUseFullAlphabet) {
  const uint8_t bytes[] = {0xFB, 0xFF, 0xBF, 0x00, 0x10, 0x83};
  EXPECT_EQ(base64_encode(bytes, sizeof(bytes)), "+/+/ABCD");
}

TEST(HexLowerTest, Bytes) {
  const uint8_t bytes[] = {0x00, 0x0F, 0xA5, 0xFF};
  EXPECT_EQ(hex_lower(bytes, sizeof(bytes)), "000fa5ff");
  EXPECT_EQ(hex_lower(bytes, 0), "");
}

}  // namespace
}  // namespace sockjs::codec
