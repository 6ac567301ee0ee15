#include "net_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace loopback {

int64_t now_ms() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

TcpConn::~TcpConn() { close(); }

TcpConn::TcpConn(TcpConn&& o) noexcept
    : fd_(std::exchange(o.fd_, -1)), eof_(o.eof_), buf_(std::move(o.buf_)) {}

TcpConn& TcpConn::operator=(TcpConn&& o) noexcept {
  if (this != &o) {
    close();
    fd_ = std::exchange(o.fd_, -1);
    eof_ = o.eof_;
    buf_ = std::move(o.buf_);
  }
  return *this;
}

bool TcpConn::connect(uint16_t port, int rcvbuf) {
  close();
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return false;
  if (rcvbuf > 0)
    setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  // A short per-recv timeout; read_some loops until the overall deadline.
  struct timeval tv = {0, 200 * 1000};
  setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  struct timeval stv = {10, 0};
  setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &stv, sizeof stv);
  struct sockaddr_in sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<struct sockaddr*>(&sa), sizeof sa) != 0) {
    close();
    return false;
  }
  eof_ = false;
  buf_.clear();
  return true;
}

uint16_t TcpConn::local_port() const {
  struct sockaddr_in sa;
  socklen_t len = sizeof sa;
  if (fd_ < 0 ||
      getsockname(fd_, reinterpret_cast<struct sockaddr*>(&sa), &len) != 0)
    return 0;
  return ntohs(sa.sin_port);
}

bool TcpConn::send_all(std::string_view bytes) {
  while (!bytes.empty()) {
    if (fd_ < 0) return false;
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n > 0) {
      bytes.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    return false;
  }
  return true;
}

int TcpConn::read_some(int64_t deadline_ms) {
  if (fd_ < 0 || eof_) return 0;
  char tmp[65536];
  while (now_ms() < deadline_ms) {
    ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
    if (n > 0) {
      buf_.append(tmp, static_cast<size_t>(n));
      return static_cast<int>(n);
    }
    if (n == 0) {
      eof_ = true;
      return 0;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) continue;
    eof_ = true;  // reset counts as the end of the stream
    return -1;
  }
  return -2;
}

bool TcpConn::fill(size_t n, int timeout_ms) {
  int64_t deadline = now_ms() + timeout_ms;
  while (buf_.size() < n)
    if (read_some(deadline) <= 0) return false;
  return true;
}

bool TcpConn::read_until(std::string_view delim, std::string& out,
                         int timeout_ms) {
  int64_t deadline = now_ms() + timeout_ms;
  size_t from = 0;
  for (;;) {
    size_t at = buf_.find(delim, from);
    if (at != std::string::npos) {
      out = buf_.substr(0, at + delim.size());
      buf_.erase(0, at + delim.size());
      return true;
    }
    from = buf_.size() >= delim.size() ? buf_.size() - delim.size() + 1 : 0;
    if (read_some(deadline) <= 0) return false;
  }
}

bool TcpConn::read_exact(size_t n, std::string& out, int timeout_ms) {
  if (!fill(n, timeout_ms)) return false;
  out = buf_.substr(0, n);
  buf_.erase(0, n);
  return true;
}

bool TcpConn::read_to_eof(std::string& out, int timeout_ms) {
  int64_t deadline = now_ms() + timeout_ms;
  for (;;) {
    int r = read_some(deadline);
    if (r > 0) continue;
    out.swap(buf_);
    buf_.clear();
    return r != -2;
  }
}

bool TcpConn::wait_eof(int timeout_ms) {
  int64_t deadline = now_ms() + timeout_ms;
  for (;;) {
    int r = read_some(deadline);
    if (r == -2) return false;
    if (r <= 0) return true;
  }
}

void TcpConn::shutdown_write() {
  if (fd_ >= 0) ::shutdown(fd_, SHUT_WR);
}

void TcpConn::close(bool reset) {
  if (fd_ < 0) return;
  if (reset) {
    struct linger lg = {1, 0};
    setsockopt(fd_, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  }
  ::close(fd_);
  fd_ = -1;
}

}  // namespace loopback
