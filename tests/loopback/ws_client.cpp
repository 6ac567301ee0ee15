#include "ws_client.hpp"

#include <random>

namespace loopback {

namespace {

// RFC 6455 section 1.3's sample: key and the accept value it implies, so
// the test checks the server's SHA-1 without carrying one.
constexpr const char* kSampleKey = "dGhlIHNhbXBsZSBub25jZQ==";
constexpr const char* kSampleAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

}  // namespace

int WsMessage::close_code() const {
  if (payload.size() < 2) return 1005;
  return (static_cast<unsigned char>(payload[0]) << 8) |
         static_cast<unsigned char>(payload[1]);
}

bool WsClient::open(uint16_t port, const std::string& path,
                    const std::string& extra_headers, int rcvbuf) {
  if (!conn_.connect(port, rcvbuf)) return false;
  std::string req = "GET " + path +
                    " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                    "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                    "Sec-WebSocket-Key: " +
                    std::string(kSampleKey) + "\r\n" + extra_headers + "\r\n";
  if (!conn_.send_all(req)) return false;
  handshake_ = HttpResponse();
  if (!read_head(conn_, handshake_)) return false;
  handshake_.ok = true;
  return handshake_.status == 101 &&
         handshake_.header("sec-websocket-accept") == kSampleAccept;
}

bool WsClient::send_frame(int opcode, const std::string& payload, bool fin) {
  static thread_local std::mt19937 rng(std::random_device{}());
  std::string f;
  f.push_back(static_cast<char>((fin ? 0x80 : 0) | opcode));
  size_t n = payload.size();
  if (n < 126) {
    f.push_back(static_cast<char>(0x80 | n));
  } else if (n < 65536) {
    f.push_back(static_cast<char>(0x80 | 126));
    f.push_back(static_cast<char>(n >> 8));
    f.push_back(static_cast<char>(n & 0xff));
  } else {
    f.push_back(static_cast<char>(0x80 | 127));
    for (int i = 7; i >= 0; --i)
      f.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  }
  uint32_t mask = rng();
  char m[4] = {static_cast<char>(mask >> 24), static_cast<char>(mask >> 16),
               static_cast<char>(mask >> 8), static_cast<char>(mask)};
  f.append(m, 4);
  size_t start = f.size();
  f += payload;
  for (size_t i = 0; i < n; ++i) f[start + i] ^= m[i % 4];
  return conn_.send_all(f);
}

bool WsClient::send_text(const std::string& text) {
  return send_frame(1, text);
}

bool WsClient::send_close(int code, const std::string& reason) {
  std::string p;
  p.push_back(static_cast<char>(code >> 8));
  p.push_back(static_cast<char>(code & 0xff));
  return send_frame(8, p + reason);
}

WsMessage WsClient::read(int timeout_ms) {
  int64_t deadline = now_ms() + timeout_ms;
  WsMessage msg;
  std::string assembled;
  int first_opcode = 0;
  for (;;) {
    int left = static_cast<int>(deadline - now_ms());
    if (left <= 0 || !conn_.fill(2, left)) return WsMessage();
    std::string& b = conn_.buf();
    auto byte = [&](size_t i) { return static_cast<unsigned char>(b[i]); };
    bool fin = byte(0) & 0x80;
    int opcode = byte(0) & 0x0f;
    bool masked = byte(1) & 0x80;
    uint64_t len = byte(1) & 0x7f;
    size_t hdr = 2;
    if (len == 126) {
      if (!conn_.fill(4, left)) return WsMessage();
      len = (static_cast<uint64_t>(byte(2)) << 8) | byte(3);
      hdr = 4;
    } else if (len == 127) {
      if (!conn_.fill(10, left)) return WsMessage();
      len = 0;
      for (int i = 0; i < 8; ++i) len = (len << 8) | byte(2 + i);
      hdr = 10;
    }
    if (masked) hdr += 4;  // servers must not mask; tolerate it anyway
    if (!conn_.fill(hdr + len, left)) return WsMessage();
    std::string payload = b.substr(hdr, len);
    if (masked)
      for (size_t i = 0; i < len; ++i) payload[i] ^= b[hdr - 4 + i % 4];
    b.erase(0, hdr + len);
    if (opcode == 9 && surface_pings) {
      msg.opcode = 9;
      msg.payload = payload;
      return msg;
    }
    if (opcode == 9) {  // ping: answer and keep reading
      send_frame(10, payload);
      continue;
    }
    if (opcode == 10) continue;
    if (opcode == 8) {
      msg.opcode = 8;
      msg.payload = payload;
      return msg;
    }
    if (opcode != 0) first_opcode = opcode;
    assembled += payload;
    if (fin) {
      msg.opcode = first_opcode;
      msg.payload = assembled;
      return msg;
    }
  }
}

}  // namespace loopback
