// The hixie-76 (draft-ietf-hybi-thewebsocketprotocol-00) WebSocket dialect,
// which the conformance suite's test_haproxy still uses: the MD5 challenge
// and the 0x00 ... 0xFF text framing.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sockjs::ws {

// The 16-byte answer for Sec-WebSocket-Key1/Key2 and the 8-byte key3: for
// each key, the number its decimal digits spell divided by its count of
// spaces, as 4 big-endian bytes; MD5(n1 | n2 | key3). nullopt when a key has
// no spaces, is not evenly divisible, or the number exceeds 32 bits.
std::optional<std::array<uint8_t, 16>> hixie76_answer(std::string_view key1,
                                                      std::string_view key2,
                                                      std::string_view key3);

// Appends 0x00 + text + 0xFF.
void hixie76_append_frame(std::string& out, std::string_view text);
// The closing handshake bytes 0xFF 0x00.
void hixie76_append_close(std::string& out);

struct HixieFrame {
  enum class Kind { text, close, error } kind;
  std::string payload;
};

class Hixie76Decoder {
 public:
  explicit Hixie76Decoder(size_t max_message) : max_message_(max_message) {}
  // Same contract as Rfc6455Decoder::feed: consumes up to one event's worth
  // of bytes. Text frames are 0x00 <utf-8> 0xFF (invalid UTF-8 or an
  // oversized frame is an error); 0xFF 0x00 is the close; any other leading
  // byte is an error.
  size_t feed(const uint8_t* data, size_t len, HixieFrame& frame, bool& got);

 private:
  size_t max_message_;
  bool done_ = false;
  bool in_text_ = false;
  bool saw_ff_ = false;
  std::string text_;
};

}  // namespace sockjs::ws
