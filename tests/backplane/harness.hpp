// Test harness for RedisLink: an event loop run in the test thread with
// bounded waits, and a "node" (a RedisLink with everything it reports
// recorded).
#pragma once
#include <event2/event.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "backplane/redis_link.hpp"

namespace sockjs_test {

class Loop {
 public:
  Loop();
  ~Loop();
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;
  event_base* base() const { return base_; }
  // Runs the loop until pred() holds or the timeout passes; returns pred().
  bool run_until(const std::function<bool()>& pred,
                 std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Runs the loop for a while: lets stray callbacks happen (for the checks
  // that none does), never a condition for success.
  void run_for(std::chrono::milliseconds duration);

 private:
  event_base* base_;
  event* tick_;  // wakes the loop every few ms so waits stay bounded
};

struct LogLine {
  int level;
  std::string text;
};

struct Node {
  sockjs::BackplaneMetrics m;
  std::vector<std::string> got;  // delivered payloads, in order
  std::vector<bool> states;      // StateChange calls, in order
  std::vector<LogLine> logs;
  std::unique_ptr<sockjs::RedisLink> link;
  // Optional hooks run after the call has been recorded.
  std::function<void(std::string_view)> on_deliver;
  std::function<void(bool)> on_state;

  Node(event_base* base, const sockjs::BackplaneOptions& o);
  bool up() const { return link && link->up(); }
  // Up, and StateChange(true) has been delivered (it comes from an event of
  // its own, a little after up() turns true).
  bool up_notified() const { return up() && !states.empty() && states.back(); }
  // Log lines at `level` whose text contains `part`.
  size_t count_logs(int level, std::string_view part) const;
  bool got_last(std::string_view payload) const {
    return !got.empty() && got.back() == payload;
  }
};

// Options for a test: loopback, a short backoff, the given channel.
sockjs::BackplaneOptions test_options(uint16_t port, std::string channel);

}  // namespace sockjs_test
