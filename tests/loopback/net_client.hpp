// A blocking TCP client for the loopback tests. Every read has a deadline
// (SO_RCVTIMEO plus an overall budget), so a server that stays silent makes
// a test fail instead of hang.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace loopback {

// How long one read operation may wait in total before giving up.
constexpr int kDefaultTimeoutMs = 10000;

class TcpConn {
 public:
  TcpConn() = default;
  ~TcpConn();
  TcpConn(TcpConn&& o) noexcept;
  TcpConn& operator=(TcpConn&& o) noexcept;
  TcpConn(const TcpConn&) = delete;
  TcpConn& operator=(const TcpConn&) = delete;

  // Connects to 127.0.0.1:port. rcvbuf > 0 shrinks SO_RCVBUF before the
  // connection is made (for backpressure tests).
  bool connect(uint16_t port, int rcvbuf = 0);
  bool is_open() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  uint16_t local_port() const;

  bool send_all(std::string_view bytes);
  // Reads until `buf()` holds at least n bytes. False on EOF or timeout.
  bool fill(size_t n, int timeout_ms = kDefaultTimeoutMs);
  // Reads until `delim` appears in the buffer; returns the text up to and
  // including it (removed from the buffer). False on EOF or timeout.
  bool read_until(std::string_view delim, std::string& out,
                  int timeout_ms = kDefaultTimeoutMs);
  bool read_exact(size_t n, std::string& out,
                  int timeout_ms = kDefaultTimeoutMs);
  // Reads until the peer closes; true when EOF was seen before the timeout.
  bool read_to_eof(std::string& out, int timeout_ms = kDefaultTimeoutMs);
  // True when the peer closes (EOF or reset) within timeout_ms; bytes that
  // arrive first are kept in buf().
  bool wait_eof(int timeout_ms = kDefaultTimeoutMs);

  void shutdown_write();
  // Closes at once; with reset, an RST is sent instead of a FIN.
  void close(bool reset = false);
  std::string& buf() { return buf_; }

 private:
  // One recv into the buffer: >0 bytes, 0 EOF, -1 error, -2 timeout.
  int read_some(int64_t deadline_ms);

  int fd_ = -1;
  bool eof_ = false;
  std::string buf_;
};

int64_t now_ms();

}  // namespace loopback
