// Raw-socket helpers for the hardening socket tests: non-blocking clients
// by the thousand, process memory, and the kernel's view of a TCP socket.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace hardening {

// A blocking connect to 127.0.0.1:port, then O_NONBLOCK; -1 on failure.
int connect_nonblocking(uint16_t port);

// Resident set size of this process (VmRSS), in bytes.
size_t rss_bytes();

// The keepalive-related state /proc/net/tcp shows for the IPv4 socket with
// this local and remote port: timer kind (0 none, 1 retransmit, 2
// keepalive, ...) and its expiry in clock ticks (USER_HZ). found = false
// when no such socket is listed.
struct KernelTimer {
  bool found = false;
  int kind = 0;
  unsigned long ticks = 0;
};
KernelTimer tcp_timer(uint16_t local_port, uint16_t remote_port);

// Sends `total` pseudo-random bytes (fixed seed) on a non-blocking socket
// while collecting what comes back, until all is sent, the peer closes or
// resets, or timeout_ms passes. Returns bytes sent; `received` gets what the
// server wrote; `peer_closed` whether it hung up.
size_t flood(int fd, size_t total, uint32_t seed, int timeout_ms,
             std::string& received, bool& peer_closed);

}  // namespace hardening
