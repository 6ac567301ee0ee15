// permessage-deflate building blocks, white-box: offer negotiation (RFC
// 7692 7.1) and the per-connection zlib streams, byte-exact against the
// RFC's examples (7.2.3.1, 7.2.3.2).
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdio>
#include <string>

#include "alloc_probe.hpp"
#include "ws/deflate.hpp"

namespace {

using sockjs::ws::DeflateParams;
using sockjs::ws::negotiate_deflate;
using sockjs::ws::PerMessageDeflate;
using R = PerMessageDeflate::InflateResult;

std::string bytes(std::initializer_list<int> b) {
  std::string s;
  for (int c : b) s.push_back(static_cast<char>(c));
  return s;
}

// Response to an offer list, or "declined".
std::string answer(std::string_view offers) {
  DeflateParams p;
  std::string resp;
  return negotiate_deflate(offers, p, resp) ? resp : "declined";
}

TEST(DeflateNegotiation, PlainOffer) {
  EXPECT_EQ(answer("permessage-deflate"), "permessage-deflate");
  EXPECT_EQ(answer("  Permessage-Deflate  "), "permessage-deflate");
}

TEST(DeflateNegotiation, BareClientMaxWindowBitsIsAccepted) {
  EXPECT_EQ(answer("permessage-deflate; client_max_window_bits"),
            "permessage-deflate");
}

TEST(DeflateNegotiation, ParametersAreAnswered) {
  DeflateParams p;
  std::string resp;
  ASSERT_TRUE(negotiate_deflate(
      "permessage-deflate; server_no_context_takeover; "
      "client_no_context_takeover; server_max_window_bits=10; "
      "client_max_window_bits=12",
      p, resp));
  EXPECT_EQ(resp,
            "permessage-deflate; server_no_context_takeover; "
            "client_no_context_takeover; server_max_window_bits=10; "
            "client_max_window_bits=12");
  EXPECT_TRUE(p.server_no_context_takeover);
  EXPECT_TRUE(p.client_no_context_takeover);
  EXPECT_EQ(p.server_max_window_bits, 10);
  EXPECT_EQ(p.client_max_window_bits, 12);
  // Quoted values (RFC 7692 7.1.2.1 allows quoted-string).
  EXPECT_EQ(answer("permessage-deflate; server_max_window_bits=\"9\""),
            "permessage-deflate; server_max_window_bits=9");
  EXPECT_EQ(answer("permessage-deflate; client_max_window_bits=8"),
            "permessage-deflate; client_max_window_bits=8");
}

TEST(DeflateNegotiation, BadOffersAreDeclined) {
  for (const char* offer : {
           "",
           "x-webkit-deflate-frame",
           "permessage-deflate; foo",
           "permessage-deflate; foo=1",
           "permessage-deflate; server_max_window_bits",
           "permessage-deflate; server_max_window_bits=16",
           "permessage-deflate; server_max_window_bits=7",
           "permessage-deflate; server_max_window_bits=010",
           "permessage-deflate; server_max_window_bits=abc",
           "permessage-deflate; server_max_window_bits=8",  // zlib: no 8
           "permessage-deflate; client_max_window_bits=16",
           "permessage-deflate; server_no_context_takeover=1",
           "permessage-deflate; client_no_context_takeover; "
           "client_no_context_takeover",
           "permessage-deflate; client_max_window_bits; "
           "client_max_window_bits=10",
       }) {
    EXPECT_EQ(answer(offer), "declined") << offer;
  }
}

TEST(DeflateNegotiation, FirstAcceptableOfferWins) {
  EXPECT_EQ(answer("permessage-deflate; foo, permessage-deflate; "
                   "server_no_context_takeover, permessage-deflate"),
            "permessage-deflate; server_no_context_takeover");
  EXPECT_EQ(answer("x-webkit-deflate-frame, permessage-deflate; "
                   "client_max_window_bits=15, permessage-deflate"),
            "permessage-deflate; client_max_window_bits=15");
}

// RFC 7692 7.2.3.1: "Hello" in one compressed, unfragmented message.
TEST(DeflateStreams, HelloWithoutContextTakeover) {
  DeflateParams p;
  p.server_no_context_takeover = true;
  PerMessageDeflate d(p);
  for (int i = 0; i < 2; ++i) {
    std::string out;
    ASSERT_TRUE(d.compress("Hello", out));
    EXPECT_EQ(out, bytes({0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}));
    // The compressor's state is freed after each message.
    EXPECT_EQ(d.memory_bytes(), 0u);
  }
}

// RFC 7692 7.2.3.2: the second "Hello" refers back into the shared window.
TEST(DeflateStreams, SharedWindow) {
  PerMessageDeflate d(DeflateParams{});
  std::string a, b;
  ASSERT_TRUE(d.compress("Hello", a));
  ASSERT_TRUE(d.compress("Hello", b));
  EXPECT_EQ(a, bytes({0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}));
  EXPECT_EQ(b, bytes({0xf2, 0x00, 0x11, 0x00, 0x00}));
  EXPECT_GT(d.memory_bytes(), 0u);  // kept for the next message

  PerMessageDeflate peer(DeflateParams{});
  std::string m;
  ASSERT_EQ(peer.inflate(a, 1000, m), R::ok);
  EXPECT_EQ(m, "Hello");
  ASSERT_EQ(peer.inflate(b, 1000, m), R::ok);
  EXPECT_EQ(m, "Hello");
}

TEST(DeflateStreams, InflateWithoutContextTakeoverFreesState) {
  DeflateParams p;
  p.client_no_context_takeover = true;
  PerMessageDeflate d(p);
  std::string m;
  ASSERT_EQ(
      d.inflate(bytes({0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}), 100, m),
      R::ok);
  EXPECT_EQ(m, "Hello");
  EXPECT_EQ(d.memory_bytes(), 0u);
  // RFC 7692 7.2.3.3: the same message as a stored (uncompressed) block.
  ASSERT_EQ(d.inflate(bytes({0x00, 0x05, 0x00, 0xfa, 0xff, 'H', 'e', 'l', 'l',
                             'o', 0x00}),
                      100, m),
            R::ok);
  EXPECT_EQ(m, "Hello");
  // A final block (BFINAL set) also ends the message cleanly.
  ASSERT_EQ(
      d.inflate(bytes({0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}), 100, m),
      R::ok);
  EXPECT_EQ(m, "Hello");
}

// Small windows both ways (server_max_window_bits=9 for our compressor,
// the peer inflating with 9), over several messages with context takeover.
TEST(DeflateStreams, SmallWindowRoundTrip) {
  DeflateParams ours;
  ours.server_max_window_bits = 9;
  DeflateParams peer_params;
  peer_params.client_max_window_bits = 9;  // the peer's inflater window
  PerMessageDeflate ours_d(ours), peer(peer_params);
  std::string text;
  for (int i = 0; i < 300; ++i)
    text += "line " + std::to_string(i * 7919) + ";";
  for (int round = 0; round < 3; ++round) {
    std::string z, m;
    ASSERT_TRUE(ours_d.compress(text, z));
    ASSERT_EQ(peer.inflate(z, text.size(), m), R::ok) << round;
    EXPECT_EQ(m, text) << round;
  }
}

TEST(DeflateStreams, InvalidDataAndLimits) {
  PerMessageDeflate d(DeflateParams{});
  std::string m;
  EXPECT_EQ(d.inflate(bytes({0xff, 0xff, 0xff, 0xff}), 100, m), R::invalid);
  PerMessageDeflate e(DeflateParams{});
  std::string z;
  ASSERT_TRUE(e.compress("Hello", z));
  PerMessageDeflate f(DeflateParams{});
  EXPECT_EQ(f.inflate(z, 4, m), R::too_big);
  PerMessageDeflate g(DeflateParams{});
  EXPECT_EQ(g.inflate(z, 5, m), R::ok);
  EXPECT_EQ(m, "Hello");
}

// A few KiB that inflate to 32 MiB must stop at the limit, allocating no
// more than about the limit on the way.
TEST(DeflateStreams, ZipBombStopsAtTheLimit) {
  std::string bomb;
  {
    PerMessageDeflate c(DeflateParams{});
    ASSERT_TRUE(c.compress(std::string(32 << 20, 'a'), bomb));
  }
  ASSERT_LT(bomb.size(), 64u * 1024);
  PerMessageDeflate d(DeflateParams{});
  std::string m;
  alloc_probe::start();
  const R r = d.inflate(bomb, 256 * 1024, m);
  const size_t largest = alloc_probe::stop();
  EXPECT_EQ(r, R::too_big);
  EXPECT_LT(largest, 1024u * 1024) << "largest allocation while inflating";
}

TEST(DeflateStreams, MemoryPerConnection) {
  PerMessageDeflate d(DeflateParams{});
  std::string z, m;
  ASSERT_TRUE(d.compress(std::string(1000, 'x'), z));
  const size_t deflate_bytes = d.memory_bytes();
  PerMessageDeflate in(DeflateParams{});
  ASSERT_EQ(in.inflate(z, 2000, m), R::ok);
  const size_t inflate_bytes = in.memory_bytes();
  std::printf("zlib memory at 15 window bits: deflate %zu B, inflate %zu B\n",
              deflate_bytes, inflate_bytes);
  EXPECT_GT(deflate_bytes, 128u * 1024);
  EXPECT_LT(deflate_bytes, 300u * 1024);
  EXPECT_GT(inflate_bytes, 32u * 1024);
  EXPECT_LT(inflate_bytes, 48u * 1024);
}

}  // namespace
