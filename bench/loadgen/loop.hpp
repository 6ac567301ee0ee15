// A single-threaded epoll loop and the non-blocking TCP connection that the
// load client's protocols build on. One loop drives thousands of connections.
#pragma once
#include <netinet/in.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace bench {

uint64_t now_us();  // CLOCK_MONOTONIC

class Loop;

// A TCP connection to the server. Subclasses parse `in_` in on_data() and
// queue bytes with write(). The loop owns nothing: modes own connections.
class Conn {
 public:
  explicit Conn(Loop &loop) : loop_(loop) {}
  virtual ~Conn();
  Conn(const Conn &) = delete;
  Conn &operator=(const Conn &) = delete;

  // Starts a non-blocking connect. `source` (host order, 0 = any) picks the
  // local address so many 127.0.0.x sources can share one server port.
  bool connect_to(const sockaddr_in &server, uint32_t source = 0);
  void write(const char *p, size_t n);
  void write(const std::string &s) { write(s.data(), s.size()); }
  void close_now();
  bool is_open() const { return fd_ >= 0; }
  bool is_connected() const { return connected_; }

  // Called by the loop.
  void handle(uint32_t events);

 protected:
  virtual void on_connected() {}
  virtual void on_data() = 0;                   // new bytes are in in_
  virtual void on_closed(const char *why) = 0;  // peer closed or error
  std::string in_;

 private:
  void flush();
  void update_interest();
  Loop &loop_;
  int fd_ = -1;
  bool connected_ = false;
  bool want_write_ = false;
  std::string out_;
  size_t out_off_ = 0;
};

class Loop {
 public:
  Loop();
  ~Loop();
  int epfd() const { return epfd_; }
  // Runs until `done()` is true or `deadline_us` passes; returns done().
  bool run(const std::function<bool()> &done, uint64_t deadline_us);
  // A connection closed while a batch of events is dispatched must not see
  // the rest of that batch (its fd may already be reused).
  void note_closed(Conn *c) { closed_in_batch_.push_back(c); }

 private:
  int epfd_;
  std::vector<Conn *> closed_in_batch_;
};

// Raises RLIMIT_NOFILE to its hard limit (many connections per process).
void raise_fd_limit();

}  // namespace bench
