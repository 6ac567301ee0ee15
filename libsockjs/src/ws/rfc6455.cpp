#include "ws/rfc6455.hpp"

#include <algorithm>
#include <cstring>

#include "codec/digest.hpp"
#include "codec/utf8.hpp"
#include "ws/deflate.hpp"

namespace sockjs::ws {
namespace {

constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
// RFC 6455 5.5: control frame payloads are at most 125 bytes.
constexpr size_t kMaxControlPayload = 125;
// Largest up-front reservation for a frame announced but not yet received.
constexpr uint64_t kReserveCap = 256 * 1024;

bool is_control(uint8_t opcode) { return (opcode & 0x8) != 0; }

bool known_opcode(uint8_t opcode) {
  switch (opcode) {
    case 0x0:
    case 0x1:
    case 0x2:
    case 0x8:
    case 0x9:
    case 0xA:
      return true;
    default:
      return false;
  }
}

// Codes a peer may put in a close frame (RFC 6455 7.4 plus the IANA
// registrations 1012..1014); 1005, 1006 and 1015 are local-only.
bool valid_close_code(uint16_t code) {
  if (code >= 1000 && code <= 1003) return true;
  if (code >= 1007 && code <= 1014) return true;
  return code >= 3000 && code <= 4999;
}

// Total header size once the first two bytes are known (client frames
// always carry the 4-byte mask).
size_t header_size(uint8_t second_byte) {
  const uint8_t len7 = second_byte & 0x7F;
  return 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + 4;
}

// XORs p[0..n) with the mask, starting at mask index `pos`, eight bytes at
// a time. memcpy keeps it alignment- and aliasing-safe and compiles to
// plain loads/stores.
void unmask(char* p, size_t n, const uint8_t mask[4], uint8_t& pos) {
  uint8_t m[8];
  for (int i = 0; i < 8; ++i) m[i] = mask[(pos + i) & 3];
  uint64_t word;
  std::memcpy(&word, m, 8);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t v;
    std::memcpy(&v, p + i, 8);
    v ^= word;
    std::memcpy(p + i, &v, 8);
  }
  for (; i < n; ++i) p[i] = static_cast<char>(p[i] ^ m[i & 7]);
  pos = static_cast<uint8_t>((pos + n) & 3);
}

// Writes the server frame header (FIN set, no mask) into hdr; returns its
// length.
size_t frame_header(uint8_t* hdr, Opcode op, size_t len, bool rsv1 = false) {
  hdr[0] =
      static_cast<uint8_t>(0x80 | (rsv1 ? 0x40 : 0) | static_cast<uint8_t>(op));
  if (len < 126) {
    hdr[1] = static_cast<uint8_t>(len);
    return 2;
  }
  if (len <= 0xFFFF) {
    hdr[1] = 126;
    hdr[2] = static_cast<uint8_t>(len >> 8);
    hdr[3] = static_cast<uint8_t>(len);
    return 4;
  }
  hdr[1] = 127;
  const uint64_t l = len;
  for (int i = 0; i < 8; ++i)
    hdr[2 + i] = static_cast<uint8_t>(l >> (56 - 8 * i));
  return 10;
}

}  // namespace

std::string accept_key(std::string_view client_key) {
  // Keys are 24 characters in practice; the stack buffer avoids a heap
  // allocation per handshake.
  char buf[128];
  std::array<uint8_t, 20> digest;
  if (client_key.size() + kGuid.size() <= sizeof(buf)) {
    std::memcpy(buf, client_key.data(), client_key.size());
    std::memcpy(buf + client_key.size(), kGuid.data(), kGuid.size());
    digest =
        codec::sha1(std::string_view(buf, client_key.size() + kGuid.size()));
  } else {
    std::string joined(client_key);
    joined.append(kGuid);
    digest = codec::sha1(joined);
  }
  return codec::base64_encode(digest.data(), digest.size());
}

void append_frame_header(std::string& out, Opcode op, size_t payload_len,
                         bool compressed) {
  uint8_t hdr[10];
  const size_t hlen = frame_header(hdr, op, payload_len, compressed);
  out.append(reinterpret_cast<const char*>(hdr), hlen);
}

void append_frame(std::string& out, Opcode op, std::string_view payload) {
  uint8_t hdr[10];
  const size_t hlen = frame_header(hdr, op, payload.size());
  // One growth step for header and payload together.
  out.reserve(out.size() + hlen + payload.size());
  out.append(reinterpret_cast<const char*>(hdr), hlen);
  out.append(payload);
}

void append_close_frame(std::string& out, uint16_t code,
                        std::string_view reason) {
  if (code == 0) {
    append_frame(out, Opcode::close, {});
    return;
  }
  // A control frame over 125 bytes would be a protocol violation of our
  // own, so an overlong reason is cut, backing off to a UTF-8 character
  // boundary to keep it valid.
  if (reason.size() > kMaxControlPayload - 2) {
    size_t cut = kMaxControlPayload - 2;
    while (cut > 0 && (static_cast<uint8_t>(reason[cut]) & 0xC0) == 0x80) {
      --cut;
    }
    reason = reason.substr(0, cut);
  }
  const size_t plen = 2 + reason.size();
  out.reserve(out.size() + 2 + plen);
  out.push_back(static_cast<char>(0x80 | static_cast<uint8_t>(Opcode::close)));
  out.push_back(static_cast<char>(plen));
  out.push_back(static_cast<char>(code >> 8));
  out.push_back(static_cast<char>(code & 0xFF));
  out.append(reason);
}

size_t Rfc6455Decoder::feed(const uint8_t* data, size_t len,
                            DecodedFrame& frame, bool& got) {
  got = false;
  if (done_) return 0;

  // Ends the connection's decoding: report the code and drop the buffers,
  // which nothing will read again.
  auto fail = [&](uint16_t code) {
    done_ = true;
    got = true;
    frame.kind = DecodedFrame::Kind::error;
    frame.close_code = code;
    frame.payload.clear();
    std::string().swap(message_);
    std::string().swap(control_);
  };

  size_t pos = 0;
  while (pos < len) {
    if (!in_frame_) {
      while (header_len_ < 2 && pos < len) header_[header_len_++] = data[pos++];
      if (header_len_ < 2) return pos;

      // Everything checkable from the first two bytes is checked before
      // the rest of the header arrives, so a bad frame fails fast.
      const uint8_t b0 = header_[0];
      const uint8_t b1 = header_[1];
      const uint8_t opcode = b0 & 0x0F;
      const bool fin = (b0 & 0x80) != 0;
      const uint8_t len7 = b1 & 0x7F;
      // RSV1 means "compressed" (RFC 7692 6), only once negotiated and only
      // on the first frame of a data message.
      const bool rsv1_ok =
          deflate_ && (opcode == 0x1 || opcode == 0x2) && (b0 & 0x40);
      if ((b0 & (rsv1_ok ? 0x30 : 0x70)) != 0 || !known_opcode(opcode) ||
          (b1 & 0x80) == 0) {
        fail(kCloseProtocolError);
        return pos;
      }
      if (is_control(opcode)) {
        if (!fin || len7 > kMaxControlPayload) {
          fail(kCloseProtocolError);
          return pos;
        }
      } else if ((opcode == 0) != (message_opcode_ != 0)) {
        // Continuation without a message, or a new message inside one.
        fail(kCloseProtocolError);
        return pos;
      }

      const size_t need = header_size(b1);
      while (header_len_ < need && pos < len)
        header_[header_len_++] = data[pos++];
      if (header_len_ < need) return pos;

      uint64_t length = len7;
      const uint8_t* p = header_ + 2;
      if (len7 == 126) {
        length = (uint64_t{p[0]} << 8) | p[1];
        p += 2;
      } else if (len7 == 127) {
        length = 0;
        for (int i = 0; i < 8; ++i) length = (length << 8) | p[i];
        p += 8;
        if (length >> 63) {
          fail(kCloseProtocolError);
          return pos;
        }
      }
      if (!is_control(opcode) && length > max_message_ - message_.size()) {
        fail(kCloseTooBig);
        return pos;
      }
      std::memcpy(mask_, p, 4);
      mask_pos_ = 0;
      header_len_ = 0;
      frame_opcode_ = opcode;
      frame_fin_ = fin;
      frame_remaining_ = length;
      in_frame_ = true;
      if (opcode == 0x1 || opcode == 0x2) {
        message_opcode_ = opcode;
        message_compressed_ = (b0 & 0x40) != 0;
      }
      if (!is_control(opcode) && length > len - pos) {
        // The payload spans several reads: size the buffer once instead of
        // regrowing it per read. Capped, so a bare header cannot make an
        // idle connection hold a large buffer.
        message_.reserve(
            message_.size() +
            static_cast<size_t>(std::min<uint64_t>(
                length, std::max<uint64_t>(kReserveCap, message_.size()))));
      }
    }

    if (frame_remaining_ > 0) {
      const size_t n =
          static_cast<size_t>(std::min<uint64_t>(frame_remaining_, len - pos));
      std::string& dst = is_control(frame_opcode_) ? control_ : message_;
      const size_t old = dst.size();
      // The single copy of the payload: straight into the message buffer,
      // then unmasked in place.
      dst.append(reinterpret_cast<const char*>(data + pos), n);
      unmask(dst.data() + old, n, mask_, mask_pos_);
      pos += n;
      frame_remaining_ -= n;
      if (frame_remaining_ > 0) return pos;
    }
    in_frame_ = false;

    switch (frame_opcode_) {
      case 0x8: {  // close
        uint16_t code = 1005;
        if (control_.size() == 1) {
          fail(kCloseProtocolError);
          return pos;
        }
        if (!control_.empty()) {
          code =
              static_cast<uint16_t>((static_cast<uint8_t>(control_[0]) << 8) |
                                    static_cast<uint8_t>(control_[1]));
          if (!valid_close_code(code)) {
            fail(kCloseProtocolError);
            return pos;
          }
          control_.erase(0, 2);
          if (!codec::utf8_valid(control_)) {
            fail(kCloseInvalidPayload);
            return pos;
          }
        }
        done_ = true;
        got = true;
        frame.kind = DecodedFrame::Kind::close;
        frame.close_code = code;
        frame.payload = std::move(control_);
        std::string().swap(control_);
        std::string().swap(message_);
        return pos;
      }
      case 0x9:
      case 0xA:
        got = true;
        frame.kind = frame_opcode_ == 0x9 ? DecodedFrame::Kind::ping
                                          : DecodedFrame::Kind::pong;
        frame.close_code = 0;
        frame.payload = std::move(control_);
        // libstdc++'s move assignment hands the target's old buffer back to
        // the source; drop it so an idle decoder holds no heap memory.
        std::string().swap(control_);
        return pos;
      default:  // text, binary, continuation
        if (!frame_fin_) break;
        if (message_compressed_) {
          std::string inflated;
          const auto r = deflate_->inflate(message_, max_message_, inflated);
          if (r != PerMessageDeflate::InflateResult::ok) {
            fail(r == PerMessageDeflate::InflateResult::too_big
                     ? kCloseTooBig
                     : kCloseInvalidPayload);
            return pos;
          }
          message_.swap(inflated);
          message_compressed_ = false;
        }
        // Validated as a whole: a fragment boundary may split a character.
        if (message_opcode_ == 0x1 && !codec::utf8_valid(message_)) {
          fail(kCloseInvalidPayload);
          return pos;
        }
        got = true;
        frame.kind = message_opcode_ == 0x1 ? DecodedFrame::Kind::text
                                            : DecodedFrame::Kind::binary;
        frame.close_code = 0;
        frame.payload = std::move(message_);
        std::string().swap(message_);  // as for control_ above
        message_opcode_ = 0;
        return pos;
    }
  }
  return pos;
}

}  // namespace sockjs::ws
