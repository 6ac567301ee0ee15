// A real redis-server for the backplane tests: spawned with fork/exec on
// 127.0.0.1 in the foreground, no persistence, killed by PID (always: the
// destructor, and the kernel if the test process dies first).
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <string>

namespace sockjs_test {

// A port that was free a moment ago (bind port 0, read it, close).
uint16_t free_loopback_port();

class RedisServer {
 public:
  // The redis-server binary: found at configure time, else on PATH; empty
  // when there is none.
  static std::string binary();

  explicit RedisServer(uint16_t port) : port_(port) {}
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  // Spawns it and waits (at most 10 s) until it accepts connections.
  bool start(std::string& error);
  void kill9();   // SIGKILL and reap
  void pause();   // SIGSTOP: connections stay open, nothing is answered
  void resume();  // SIGCONT
  bool running() const { return pid_ > 0; }
  uint16_t port() const { return port_; }

 private:
  uint16_t port_;
  pid_t pid_ = -1;
};

}  // namespace sockjs_test
