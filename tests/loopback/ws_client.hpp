// A minimal RFC 6455 client: the opening handshake, masked frames out,
// unmasked server frames in (fragments joined, pings answered).
#pragma once
#include <cstdint>
#include <string>

#include "http_client.hpp"
#include "net_client.hpp"

namespace loopback {

struct WsMessage {
  int opcode = 0;  // 1 text, 2 binary, 8 close; 0 when nothing arrived
  std::string payload;
  int close_code() const;  // for opcode 8: the code, or 1005 when none
};

class WsClient {
 public:
  // Connects and performs the handshake on `path` (extra header lines
  // optional). False unless the server answered 101 with the right accept.
  bool open(uint16_t port, const std::string& path,
            const std::string& extra_headers = "", int rcvbuf = 0);
  const HttpResponse& handshake() const { return handshake_; }
  TcpConn& conn() { return conn_; }

  bool send_text(const std::string& text);
  bool send_frame(int opcode, const std::string& payload, bool fin = true);
  bool send_close(int code, const std::string& reason = "");
  // Next complete data or close message; pings are answered and skipped
  // unless surface_pings is set (then they are returned, unanswered).
  // opcode 0 on EOF or timeout.
  WsMessage read(int timeout_ms = kDefaultTimeoutMs);

  bool surface_pings = false;

 private:
  TcpConn conn_;
  HttpResponse handshake_;
};

}  // namespace loopback
