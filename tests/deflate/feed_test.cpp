// permessage-deflate through the C ABI in feed mode: negotiation in the
// handshake, compressed frames both ways on the SockJS and raw endpoints,
// the threshold, and the decoder's failures (1002, 1007, 1009), byte-exact.
#include <gtest/gtest.h>
#include <sockjs.h>
#include <zlib.h>

#include <optional>
#include <string>
#include <vector>

#include "alloc_probe.hpp"

namespace {

std::string bytes(std::initializer_list<int> b) {
  std::string s;
  for (int c : b) s.push_back(static_cast<char>(c));
  return s;
}

// Raw deflate as a client would, sync-flushed, tail stripped; one stream
// per call (no context takeover).
std::string client_deflate(std::string_view in) {
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8,
                         Z_DEFAULT_STRATEGY),
            Z_OK);
  std::string out(deflateBound(&zs, in.size()) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_SYNC_FLUSH), Z_OK);
  out.resize(out.size() - zs.avail_out);
  deflateEnd(&zs);
  EXPECT_EQ(out.substr(out.size() - 4), bytes({0, 0, 0xff, 0xff}));
  out.resize(out.size() - 4);
  return out;
}

// The client's inflater, context kept across messages.
struct ClientInflater {
  z_stream zs{};
  ClientInflater() { EXPECT_EQ(inflateInit2(&zs, -15), Z_OK); }
  ~ClientInflater() { inflateEnd(&zs); }
  std::string operator()(std::string in) {
    in += bytes({0, 0, 0xff, 0xff});
    std::string out(1 << 20, '\0');
    zs.next_in = reinterpret_cast<Bytef*>(in.data());
    zs.avail_in = static_cast<uInt>(in.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    EXPECT_EQ(inflate(&zs, Z_SYNC_FLUSH), Z_OK);
    EXPECT_EQ(zs.avail_in, 0u);
    out.resize(out.size() - zs.avail_out);
    return out;
  }
};

// A masked client frame; rsv1 marks it compressed.
std::string client_frame(int opcode, std::string_view payload, bool rsv1,
                         bool fin = true) {
  std::string f;
  f.push_back(static_cast<char>((fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode));
  const uint8_t mask[4] = {0x37, 0xfa, 0x21, 0x3d};
  if (payload.size() < 126) {
    f.push_back(static_cast<char>(0x80 | payload.size()));
  } else if (payload.size() <= 0xffff) {
    f.push_back(static_cast<char>(0x80 | 126));
    f.push_back(static_cast<char>(payload.size() >> 8));
    f.push_back(static_cast<char>(payload.size() & 0xff));
  } else {
    f.push_back(static_cast<char>(0x80 | 127));
    for (int i = 7; i >= 0; --i)
      f.push_back(
          static_cast<char>((uint64_t{payload.size()} >> (8 * i)) & 0xff));
  }
  f.append(reinterpret_cast<const char*>(mask), 4);
  for (size_t i = 0; i < payload.size(); ++i)
    f.push_back(static_cast<char>(payload[i] ^ mask[i & 3]));
  return f;
}

struct Frame {
  uint8_t b0 = 0;  // FIN, RSV, opcode
  std::string payload;
  bool rsv1() const { return (b0 & 0x40) != 0; }
  int opcode() const { return b0 & 0x0f; }
  int close_code() const {
    return payload.size() >= 2 ? (static_cast<uint8_t>(payload[0]) << 8) |
                                     static_cast<uint8_t>(payload[1])
                               : -1;
  }
};

// Server frames from the start of buf (unmasked); consumes what it parses.
std::vector<Frame> parse_frames(std::string& buf) {
  std::vector<Frame> out;
  size_t pos = 0;
  while (buf.size() - pos >= 2) {
    const uint8_t b0 = static_cast<uint8_t>(buf[pos]);
    uint64_t len = static_cast<uint8_t>(buf[pos + 1]) & 0x7f;
    size_t h = 2;
    if (len == 126) {
      if (buf.size() - pos < 4) break;
      len = (uint64_t{static_cast<uint8_t>(buf[pos + 2])} << 8) |
            static_cast<uint8_t>(buf[pos + 3]);
      h = 4;
    } else if (len == 127) {
      if (buf.size() - pos < 10) break;
      len = 0;
      for (int i = 0; i < 8; ++i)
        len = (len << 8) | static_cast<uint8_t>(buf[pos + 2 + i]);
      h = 10;
    }
    if (buf.size() - pos - h < len) break;
    out.push_back({b0, buf.substr(pos + h, static_cast<size_t>(len))});
    pos += h + static_cast<size_t>(len);
  }
  buf.erase(0, pos);
  return out;
}

struct Config {
  bool deflate = true;
  size_t threshold = 128;
  size_t max_message = 0;
};

// One feed-mode server with /echo (SockJS and raw WebSocket), echoing.
class Server {
 public:
  explicit Server(Config cfg = {}) {
    sockjs_server_options* so = nullptr;
    EXPECT_EQ(sockjs_server_options_new(&so), SOCKJS_OK);
    char err[SOCKJS_ERRBUF_SIZE] = {0};
    EXPECT_EQ(sockjs_server_new(so, &srv_, err), SOCKJS_OK) << err;
    sockjs_server_options_free(so);
    sockjs_options* o = nullptr;
    EXPECT_EQ(sockjs_options_new(&o), SOCKJS_OK);
    EXPECT_EQ(sockjs_options_set_prefix(o, "/echo"), SOCKJS_OK);
    EXPECT_EQ(sockjs_options_set_permessage_deflate(o, cfg.deflate), SOCKJS_OK);
    EXPECT_EQ(sockjs_options_set_deflate_threshold(o, cfg.threshold),
              SOCKJS_OK);
    if (cfg.max_message) {
      EXPECT_EQ(sockjs_options_set_max_message_size(o, cfg.max_message),
                SOCKJS_OK);
    }
    int id = -1;
    EXPECT_EQ(sockjs_server_add_service(srv_, o, &id), SOCKJS_OK);
    sockjs_options_free(o);
    EXPECT_EQ(sockjs_server_tick(srv_, 1000), SOCKJS_OK);
  }
  ~Server() { sockjs_server_free(srv_); }

  // Opens a WebSocket on path with the given Sec-WebSocket-Extensions lines;
  // returns the response head.
  std::string open(const std::string& path,
                   const std::vector<std::string>& extensions) {
    EXPECT_EQ(sockjs_server_stream_open(srv_, "127.0.0.1", 40000, &st_),
              SOCKJS_OK);
    std::string req = "GET " + path +
                      " HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                      "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                      "Sec-WebSocket-Key: x3JJHMbDL1EzLkh9GBhXDw==\r\n";
    for (const std::string& e : extensions)
      req += "Sec-WebSocket-Extensions: " + e + "\r\n";
    req += "\r\n";
    feed(req);
    const size_t end = buf_.find("\r\n\r\n");
    EXPECT_NE(end, std::string::npos);
    std::string head = buf_.substr(0, end + 4);
    buf_.erase(0, end + 4);
    EXPECT_EQ(head.rfind("HTTP/1.1 101", 0), 0u) << head;
    return head;
  }

  void feed(std::string_view b) {
    EXPECT_EQ(
        sockjs_server_feed(
            srv_, st_, reinterpret_cast<const uint8_t*>(b.data()), b.size()),
        static_cast<int64_t>(b.size()));
    pump();
  }

  std::vector<Frame> frames() { return parse_frames(buf_); }

  std::vector<std::string> messages;  // what the application received

 private:
  void pump() {
    for (;;) {
      const uint8_t* out = nullptr;
      const int64_t n = sockjs_server_output(srv_, st_, &out);
      if (n > 0) {
        buf_.append(reinterpret_cast<const char*>(out), static_cast<size_t>(n));
        EXPECT_EQ(
            sockjs_server_output_consume(srv_, st_, static_cast<size_t>(n)),
            SOCKJS_OK);
      }
      sockjs_event evs[4];
      evs[0].size = sizeof(sockjs_event);
      size_t got = 0;
      if (sockjs_server_poll(srv_, evs, 4, &got) != SOCKJS_OK) {
        if (n <= 0) return;
        continue;
      }
      std::vector<std::string> echo;
      for (size_t i = 0; i < got; ++i)
        if (evs[i].type == SOCKJS_EVENT_MESSAGE)
          echo.emplace_back(evs[i].data, evs[i].len);
      const sockjs_conn_id conn = evs[0].conn;
      for (const std::string& m : echo) {
        messages.push_back(m);
        sockjs_conn_send(srv_, conn, m.data(), m.size());
      }
    }
  }

  sockjs_server* srv_ = nullptr;
  sockjs_stream_id st_ = 0;
  std::string buf_;
};

std::optional<std::string> extensions_header(const std::string& head) {
  const std::string name = "Sec-WebSocket-Extensions: ";
  const size_t at = head.find(name);
  if (at == std::string::npos) return std::nullopt;
  const size_t end = head.find("\r\n", at);
  return head.substr(at + name.size(), end - at - name.size());
}

TEST(DeflateHandshake, NoOfferNoExtension) {
  Server s;
  EXPECT_EQ(extensions_header(s.open("/echo/websocket", {})), std::nullopt);
}

TEST(DeflateHandshake, OffServiceIgnoresOffers) {
  Server s(Config{false});
  EXPECT_EQ(
      extensions_header(s.open("/echo/websocket", {"permessage-deflate"})),
      std::nullopt);
}

TEST(DeflateHandshake, OffersAreNegotiated) {
  {
    Server s;
    EXPECT_EQ(extensions_header(
                  s.open("/echo/0/0/websocket",
                         {"permessage-deflate; client_max_window_bits"})),
              "permessage-deflate");
  }
  {
    // Offers over two header lines; the first is declined (unknown param).
    Server s;
    EXPECT_EQ(extensions_header(
                  s.open("/echo/websocket",
                         {"permessage-deflate; bogus",
                          "permessage-deflate; server_no_context_takeover; "
                          "server_max_window_bits=10"})),
              "permessage-deflate; server_no_context_takeover; "
              "server_max_window_bits=10");
  }
  {
    Server s;
    EXPECT_EQ(extensions_header(
                  s.open("/echo/websocket",
                         {"permessage-deflate; server_max_window_bits=99"})),
              std::nullopt);
  }
}

// RFC 7692 7.2.3.1 on the wire: a compressed "Hello" from the client and
// the server's reply, byte for byte.
TEST(DeflateRaw, HelloBothWays) {
  Server s(Config{true, 0});
  s.open("/echo/websocket", {"permessage-deflate; server_no_context_takeover"});
  const std::string hello = bytes({0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00});
  s.feed(client_frame(1, hello, true));
  s.feed(client_frame(1, hello, true));
  ASSERT_EQ(s.messages, (std::vector<std::string>{"Hello", "Hello"}));
  // Each reply is c1 07 f2 48 cd c9 c9 07 00: no shared window.
  std::string wire;
  for (const Frame& f : s.frames()) {
    wire += static_cast<char>(f.b0);
    wire += static_cast<char>(f.payload.size());
    wire += f.payload;
  }
  const std::string frame =
      bytes({0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00});
  EXPECT_EQ(wire, frame + frame);
}

// RFC 7692 7.2.3.2: with context takeover the second "Hello" is
// c1 05 f2 00 11 00 00.
TEST(DeflateRaw, SharedWindowOnTheWire) {
  Server s(Config{true, 0});
  s.open("/echo/websocket", {"permessage-deflate"});
  s.feed(client_frame(1, client_deflate("Hello"), true));
  s.feed(client_frame(1, "Hello", false));  // uncompressed is fine too
  auto fs = s.frames();
  ASSERT_EQ(fs.size(), 2u);
  EXPECT_EQ(fs[0].b0, 0xc1);
  EXPECT_EQ(fs[0].payload, bytes({0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}));
  EXPECT_EQ(fs[1].b0, 0xc1);
  EXPECT_EQ(fs[1].payload, bytes({0xf2, 0x00, 0x11, 0x00, 0x00}));
}

TEST(DeflateRaw, FragmentedCompressedMessage) {
  Server s(Config{true, 0});
  s.open("/echo/websocket", {"permessage-deflate"});
  const std::string z = client_deflate("fragmented and compressed");
  s.feed(client_frame(1, z.substr(0, 3), true, false));
  s.feed(client_frame(9, "ping", false));  // control frame in between
  s.feed(client_frame(0, z.substr(3), false, true));
  EXPECT_EQ(s.messages,
            (std::vector<std::string>{"fragmented and compressed"}));
}

TEST(DeflateRaw, ThresholdKeepsShortMessagesPlain) {
  Server s(Config{true, 16});
  s.open("/echo/websocket", {"permessage-deflate"});
  s.feed(client_frame(1, "short", false));
  const std::string long_msg(100, 'z');
  s.feed(client_frame(1, long_msg, false));
  auto fs = s.frames();
  ASSERT_EQ(fs.size(), 2u);
  EXPECT_EQ(fs[0].b0, 0x81);
  EXPECT_EQ(fs[0].payload, "short");
  EXPECT_EQ(fs[1].b0, 0xc1);
  EXPECT_LT(fs[1].payload.size(), long_msg.size());
  ClientInflater inflate;
  EXPECT_EQ(inflate(fs[1].payload), long_msg);
}

// SockJS framing over deflate: "o" (short: plain at the default threshold),
// then a[...] compressed, inflating to the exact frame.
TEST(DeflateSockjs, FramesRoundTrip) {
  Server s;
  s.open("/echo/0/abc/websocket", {"permessage-deflate"});
  auto fs = s.frames();
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].b0, 0x81);
  EXPECT_EQ(fs[0].payload, "o");
  const std::string msg(200, 'q');
  s.feed(client_frame(1, client_deflate("[\"" + msg + "\",\"x\"]"), true));
  ASSERT_EQ(s.messages, (std::vector<std::string>{msg, "x"}));
  ClientInflater inflate;
  std::string frames_text;
  std::vector<bool> compressed;
  for (const Frame& f : s.frames()) {
    compressed.push_back(f.rsv1());
    EXPECT_EQ(f.opcode(), 1);
    frames_text += f.rsv1() ? inflate(f.payload) : f.payload;
    frames_text += "|";
  }
  EXPECT_EQ(frames_text, "a[\"" + msg + "\"]|a[\"x\"]|");
  // Compressed exactly when at least the threshold (128 bytes) long.
  EXPECT_EQ(compressed, (std::vector<bool>{true, false}));
}

TEST(DeflateErrors, Rsv1WithoutNegotiationIs1002) {
  Server s;
  s.open("/echo/websocket", {});
  s.feed(client_frame(1, client_deflate("Hello"), true));
  auto fs = s.frames();
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].opcode(), 8);
  EXPECT_EQ(fs[0].close_code(), 1002);
  EXPECT_TRUE(s.messages.empty());
}

TEST(DeflateErrors, Rsv1OnContinuationOrControlIs1002) {
  for (int which = 0; which < 2; ++which) {
    Server s;
    s.open("/echo/websocket", {"permessage-deflate"});
    if (which == 0) {
      s.feed(client_frame(1, "a", false, false));
      s.feed(client_frame(0, "b", true, true));
    } else {
      s.feed(client_frame(9, "", true));
    }
    auto fs = s.frames();
    ASSERT_EQ(fs.size(), 1u) << which;
    EXPECT_EQ(fs[0].close_code(), 1002) << which;
  }
}

TEST(DeflateErrors, InvalidDeflateDataIs1007) {
  Server s;
  s.open("/echo/websocket", {"permessage-deflate"});
  s.feed(client_frame(1, bytes({0xff, 0xff, 0xff, 0xff, 0x01}), true));
  auto fs = s.frames();
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].close_code(), 1007);
}

TEST(DeflateErrors, InflatedInvalidUtf8Is1007) {
  Server s;
  s.open("/echo/websocket", {"permessage-deflate"});
  s.feed(client_frame(1, client_deflate("\xc3\x28"), true));
  auto fs = s.frames();
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].close_code(), 1007);
}

// 16 MiB of 'a' compresses to ~16 KiB; with max_message_size 64 KiB the
// server closes 1009 without ever allocating anywhere near 16 MiB.
TEST(DeflateErrors, ZipBombIs1009WithoutABigAllocation) {
  const std::string bomb = client_deflate(std::string(16 << 20, 'a'));
  ASSERT_LT(bomb.size(), 64u * 1024);
  Server s(Config{true, 128, 64 * 1024});
  s.open("/echo/websocket", {"permessage-deflate"});
  alloc_probe::start();
  s.feed(client_frame(1, bomb, true));
  const size_t largest = alloc_probe::stop();
  auto fs = s.frames();
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].close_code(), 1009);
  EXPECT_TRUE(s.messages.empty());
  EXPECT_LT(largest, 512u * 1024) << "largest allocation while inflating";
}

}  // namespace
