// RFC 6455 WebSocket framing for the server side: a decoder of client
// frames (masking, fragmentation, control frames, UTF-8 validation, size
// limit) and encoders of server frames (never masked).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sockjs::ws {

class PerMessageDeflate;

enum class Opcode : uint8_t {
  continuation = 0x0,
  text = 0x1,
  binary = 0x2,
  close = 0x8,
  ping = 0x9,
  pong = 0xA,
};

// Close codes the decoder produces on failure.
constexpr uint16_t kCloseProtocolError = 1002;
constexpr uint16_t kCloseUnsupportedData = 1003;
constexpr uint16_t kCloseInvalidPayload = 1007;
constexpr uint16_t kCloseTooBig = 1009;

// Sec-WebSocket-Accept for a Sec-WebSocket-Key: base64(SHA-1(key + GUID)).
std::string accept_key(std::string_view client_key);

// Appends only the header of an unmasked, unfragmented server frame whose
// payload (payload_len bytes) the caller appends next. `compressed` sets
// RSV1 (permessage-deflate).
void append_frame_header(std::string& out, Opcode op, size_t payload_len,
                         bool compressed = false);
// Appends one unmasked, unfragmented server frame (FIN set).
void append_frame(std::string& out, Opcode op, std::string_view payload);
// Appends a close frame: 2-byte code (big-endian) + reason; code 0 means an
// empty close payload.
void append_close_frame(std::string& out, uint16_t code,
                        std::string_view reason);

// One complete thing the decoder found.
struct DecodedFrame {
  enum class Kind {
    text,    // a complete text message (reassembled, UTF-8 validated)
    binary,  // a complete binary message
    ping,    // payload = ping data (answer with a pong)
    pong,
    close,  // close_code (1005 when the frame had no payload), payload = reason
    error,  // protocol violation: close_code says which; stop feeding
  };
  Kind kind;
  uint16_t close_code = 0;
  std::string payload;
};

class Rfc6455Decoder {
 public:
  // max_message: largest reassembled message payload in bytes; larger gives
  // an error with kCloseTooBig as soon as the frame header announces it.
  explicit Rfc6455Decoder(size_t max_message) : max_message_(max_message) {}

  // Consumes bytes from data, stopping after each complete frame that
  // yields an event (so the caller can act on it). Returns the number of
  // bytes consumed; sets `got` true and fills `frame` when an event was
  // produced. Incomplete frames are buffered internally (only the bytes of
  // the current frame header and message). After an error or a close, the
  // decoder consumes nothing more.
  //
  // Rules enforced (all errors are kind error with the close code):
  //  - every client frame must be masked (1002);
  //  - RSV1..3 must be 0 (1002), except RSV1 under permessage-deflate (see
  //    set_deflate); unknown opcodes (1002);
  //  - control frames: payload <= 125 and FIN set (1002);
  //  - continuation without a started message, or a new text/binary while
  //    one is in progress (1002);
  //  - 64-bit lengths with the top bit set (1002);
  //  - message larger than max_message (1009);
  //  - text messages and close reasons must be valid UTF-8 (1007);
  //  - close payload of 1 byte, or a code that is not valid on the wire
  //    (< 1000, 1004..1006, 1015, 1016..2999 except 1007..1014 allowed by
  //    RFC 7 .4.1; >= 5000) (1002).
  size_t feed(const uint8_t* data, size_t len, DecodedFrame& frame, bool& got);

  bool failed() const noexcept { return done_; }

  // Once permessage-deflate is negotiated: RSV1 is then allowed on the
  // first frame of a data message, whose reassembled payload is inflated
  // (max_message applies to the inflated size too, checked while inflating:
  // 1009; bad deflate data: 1007). Not owned; must outlive the decoder.
  void set_deflate(PerMessageDeflate* deflate) noexcept { deflate_ = deflate; }

 private:
  size_t max_message_;
  PerMessageDeflate* deflate_ = nullptr;
  bool message_compressed_ = false;  // RSV1 on the message's first frame
  // Payload of the data message being reassembled (across fragments).
  std::string message_;
  // Payload of the control frame being read; separate because control
  // frames may arrive between the fragments of a data message.
  std::string control_;
  uint64_t frame_remaining_ = 0;  // payload bytes of the current frame left
  uint8_t header_[14] = {};       // longest header: 2 + 8 (length) + 4 (mask)
  uint8_t header_len_ = 0;        // header bytes collected so far
  uint8_t frame_opcode_ = 0;
  uint8_t message_opcode_ = 0;  // 0 when no fragmented message in progress
  uint8_t mask_[4] = {0, 0, 0, 0};
  uint8_t mask_pos_ = 0;  // mask index (0..3) of the next payload byte
  bool frame_fin_ = false;
  bool in_frame_ = false;  // header complete, reading payload
  bool done_ = false;      // after a close or an error
};

}  // namespace sockjs::ws
