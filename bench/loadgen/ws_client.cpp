#include "ws_client.hpp"

#include <cstring>

namespace bench {

void WsConn::on_connected() {
  // The key need not be random for a benchmark; the server only echoes its
  // hash back, which we do not check (the conformance suite does).
  std::string req = "GET " + path_ + " HTTP/1.1\r\nHost: " + host_ +
                    "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    "Sec-WebSocket-Version: 13\r\nOrigin: http://" +
                    host_ + "\r\n\r\n";
  write(req);
}

void WsConn::on_data() {
  if (!upgraded_) {
    size_t end = in_.find("\r\n\r\n");
    if (end == std::string::npos) return;
    if (in_.compare(0, 12, "HTTP/1.1 101") != 0) {
      std::string status = in_.substr(0, in_.find("\r\n"));
      close_now();
      on_failed(("upgrade refused: " + status).c_str());
      return;
    }
    in_.erase(0, end + 4);
    upgraded_ = true;
    on_open();
    if (!is_open()) return;
  }
  parse_frames();
}

bool WsConn::parse_frames() {
  size_t off = 0;
  while (is_open()) {
    const auto *p = reinterpret_cast<const uint8_t *>(in_.data()) + off;
    size_t avail = in_.size() - off;
    if (avail < 2) break;
    bool fin = p[0] & 0x80;
    uint8_t opcode = p[0] & 0x0f;
    bool masked = p[1] & 0x80;
    uint64_t len = p[1] & 0x7f;
    size_t hdr = 2;
    if (len == 126) {
      if (avail < 4) break;
      len = (uint64_t(p[2]) << 8) | p[3];
      hdr = 4;
    } else if (len == 127) {
      if (avail < 10) break;
      len = 0;
      for (int i = 0; i < 8; ++i) len = (len << 8) | p[2 + i];
      hdr = 10;
    }
    if (masked) {  // servers must not mask
      close_now();
      on_failed("masked frame from server");
      return false;
    }
    if (avail < hdr + len) break;
    std::string_view payload(in_.data() + off + hdr, size_t(len));
    off += hdr + size_t(len);
    switch (opcode) {
      case 0x1:
        if (fin) {
          on_message(payload);
        } else {
          fragments_.assign(payload);
        }
        break;
      case 0x0:
        fragments_.append(payload);
        if (fin) {
          std::string whole;
          whole.swap(fragments_);
          on_message(whole);
        }
        break;
      case 0x9:
        send_frame(0xA, payload);
        break;
      case 0xA:
        break;
      case 0x8: {
        std::string why = "websocket close frame";
        if (payload.size() >= 2) {
          why += " " + std::to_string((uint8_t(payload[0]) << 8) |
                                      uint8_t(payload[1]));
          why += " " + std::string(payload.substr(2));
        }
        close_now();
        on_failed(why.c_str());
        return false;
      }
      default:
        close_now();
        on_failed("unexpected opcode");
        return false;
    }
  }
  if (is_open()) in_.erase(0, off);
  return true;
}

void WsConn::send_text(std::string_view payload) { send_frame(0x1, payload); }

void WsConn::send_frame(uint8_t opcode, std::string_view payload) {
  std::string f;
  f.reserve(payload.size() + 14);
  f.push_back(char(0x80 | opcode));
  size_t n = payload.size();
  if (n < 126) {
    f.push_back(char(0x80 | n));
  } else if (n < 65536) {
    f.push_back(char(0x80 | 126));
    f.push_back(char(n >> 8));
    f.push_back(char(n & 0xff));
  } else {
    f.push_back(char(0x80 | 127));
    for (int i = 7; i >= 0; --i)
      f.push_back(char((uint64_t(n) >> (8 * i)) & 0xff));
  }
  // Cheap xorshift mask: the server must unmask whatever key we pick.
  mask_seed_ ^= mask_seed_ << 13;
  mask_seed_ ^= mask_seed_ >> 17;
  mask_seed_ ^= mask_seed_ << 5;
  char key[4];
  std::memcpy(key, &mask_seed_, 4);
  f.append(key, 4);
  size_t start = f.size();
  f.append(payload);
  for (size_t i = 0; i < n; ++i) f[start + i] ^= key[i & 3];
  write(f);
}

}  // namespace bench
