#include "socket_util.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <vector>

namespace hardening {

int connect_nonblocking(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  return fd;
}

size_t rss_bytes() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      std::istringstream in(line.substr(6));
      size_t kb = 0;
      in >> kb;
      return kb * 1024;
    }
  }
  return 0;
}

KernelTimer tcp_timer(uint16_t local_port, uint16_t remote_port) {
  KernelTimer t;
  std::ifstream f("/proc/net/tcp");
  std::string line;
  std::getline(f, line);  // header
  while (std::getline(f, line)) {
    // sl local rem st tx:rx tr:when retrnsmt ...
    unsigned lport = 0, rport = 0;
    int kind = 0;
    unsigned long when = 0;
    char local[64], rem[64];
    unsigned st;
    if (std::sscanf(line.c_str(), " %*d: %63s %63s %x %*x:%*x %x:%lx", local,
                    rem, &st, &kind, &when) != 5)
      continue;
    const char* lc = std::strchr(local, ':');
    const char* rc = std::strchr(rem, ':');
    if (!lc || !rc) continue;
    lport = static_cast<unsigned>(std::strtoul(lc + 1, nullptr, 16));
    rport = static_cast<unsigned>(std::strtoul(rc + 1, nullptr, 16));
    if (lport == local_port && rport == remote_port) {
      t.found = true;
      t.kind = kind;
      t.ticks = when;
      return t;
    }
  }
  return t;
}

size_t flood(int fd, size_t total, uint32_t seed, int timeout_ms,
             std::string& received, bool& peer_closed) {
  std::mt19937 rng(seed);
  std::vector<char> block(1 << 20);
  for (char& c : block) c = static_cast<char>(rng() & 0xFF);
  peer_closed = false;
  size_t sent = 0;
  bool got_eof = false;
  auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  char buf[65536];
  while (std::chrono::steady_clock::now() < deadline) {
    short want = static_cast<short>((got_eof ? 0 : POLLIN) |
                                    (sent < total ? POLLOUT : 0));
    pollfd p{fd, want, 0};
    if (::poll(&p, 1, 100) < 0 && errno != EINTR) break;
    if (!got_eof && (p.revents & (POLLIN | POLLERR | POLLHUP))) {
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n > 0) {
        received.append(buf, static_cast<size_t>(n));
      } else if (n == 0) {
        // The server answered and half-closed; it may still be reading
        // (and discarding): keep sending until it resets.
        got_eof = true;
        peer_closed = true;
        if (sent >= total) break;
      } else if (errno != EAGAIN && errno != EINTR) {
        peer_closed = true;
        break;
      }
    }
    if ((p.revents & POLLOUT) && sent < total) {
      // Each write starts somewhere else in the block: no repeating pattern
      // a decoder could lock onto.
      size_t off = rng() % (block.size() / 2);
      size_t n = std::min(block.size() - off, total - sent);
      ssize_t w = ::send(fd, block.data() + off, n, MSG_NOSIGNAL);
      if (w > 0) {
        sent += static_cast<size_t>(w);
      } else if (w < 0 && errno != EAGAIN && errno != EINTR) {
        peer_closed = true;  // EPIPE or ECONNRESET: the server hung up
        // What it wrote before may still be readable.
        ssize_t n2;
        while ((n2 = ::recv(fd, buf, sizeof buf, 0)) > 0)
          received.append(buf, static_cast<size_t>(n2));
        break;
      }
    }
    if (sent >= total && got_eof) break;
  }
  return sent;
}

}  // namespace hardening
