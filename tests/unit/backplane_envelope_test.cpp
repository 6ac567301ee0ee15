// The backplane envelope: exact bytes, round trips of binary-safe fields,
// and refusal of anything malformed.
#include <gtest/gtest.h>

#include <string>

#include "backplane/envelope.hpp"

using sockjs::backplane::decode;
using sockjs::backplane::encode;
using sockjs::backplane::Envelope;
using sockjs::backplane::Target;

TEST(BackplaneEnvelope, ExactBytes) {
  Envelope e;
  e.target = Target::channel;
  e.origin = 0xabcdef0123456789ULL;
  e.prefix = "/chat";
  e.channel = "room1";
  e.text = "hello";
  EXPECT_EQ(encode(e), "SJ1 c abcdef0123456789 0 5 5\n/chatroom1hello");
}

TEST(BackplaneEnvelope, RoundTripsBinarySafeFields) {
  const std::string prefix("/p\n x", 5), channel("a\0b c", 5),
      text("line\nnul\0end \xc3\xa9", 15);
  for (Target t : {Target::channel, Target::service, Target::session}) {
    Envelope e;
    e.target = t;
    e.origin = 1;
    e.conn = t == Target::session ? (uint64_t{7} << 48 | 42) : 0;
    e.prefix = prefix;
    e.channel = channel;
    e.text = text;
    std::string wire = encode(e);
    Envelope d;
    ASSERT_TRUE(decode(wire, d));
    EXPECT_EQ(d.target, t);
    EXPECT_EQ(d.origin, 1u);
    EXPECT_EQ(d.conn, e.conn);
    EXPECT_EQ(d.prefix, prefix);
    EXPECT_EQ(d.channel, channel);
    EXPECT_EQ(d.text, text);
  }
}

TEST(BackplaneEnvelope, EmptyFields) {
  Envelope e;
  e.target = Target::service;
  std::string wire = encode(e);
  EXPECT_EQ(wire, "SJ1 s 0000000000000000 0 0 0\n");
  Envelope d;
  ASSERT_TRUE(decode(wire, d));
  EXPECT_TRUE(d.prefix.empty() && d.channel.empty() && d.text.empty());
}

TEST(BackplaneEnvelope, RefusesMalformedInput) {
  const char* bad[] = {
      "",
      "SJ1",
      "SJ2 c 0000000000000001 0 0 0\n",
      "SJ1 x 0000000000000001 0 0 0\n",
      "SJ1 c 000000000000000G 0 0 0\n",
      "SJ1 c 0000000000000001 0 0\n",       // a field missing
      "SJ1 c 0000000000000001 0 0 0",       // no newline
      "SJ1 c 0000000000000001 0 5 0\nabc",  // prefix longer than the rest
      "SJ1 c 0000000000000001 0 2 2\nabc",  // channel longer than the rest
      "SJ1 c 0000000000000001 -1 0 0\n",    // not a number
      "SJ1 c 0000000000000001 0  0 0\n",    // empty field
      "SJ1 c 0000000000000001 99999999999999999999999 0 0\n",  // overflow
      "SJ1 c 0000000000000001 0 18446744073709551615 1\nx",
  };
  for (const char* b : bad) {
    Envelope d;
    EXPECT_FALSE(decode(b, d)) << b;
  }
}
