#include "harness.hpp"

namespace sockjs_test {

Loop::Loop() : base_(event_base_new()) {
  tick_ = event_new(
      base_, -1, EV_PERSIST, [](evutil_socket_t, short, void*) {}, nullptr);
  timeval tv{0, 5000};
  event_add(tick_, &tv);
}

Loop::~Loop() {
  event_free(tick_);
  event_base_free(base_);
}

bool Loop::run_until(const std::function<bool()>& pred,
                     std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    event_base_loop(base_, EVLOOP_ONCE);
  }
  return true;
}

void Loop::run_for(std::chrono::milliseconds duration) {
  auto deadline = std::chrono::steady_clock::now() + duration;
  while (std::chrono::steady_clock::now() < deadline) {
    event_base_loop(base_, EVLOOP_ONCE);
  }
}

Node::Node(event_base* base, const sockjs::BackplaneOptions& o) {
  link = std::make_unique<sockjs::RedisLink>(
      base, o, m,
      [this](std::string_view p) {
        got.emplace_back(p);
        if (on_deliver) on_deliver(p);
      },
      [this](int level, std::string text) {
        logs.push_back({level, std::move(text)});
      },
      [this](bool up) {
        states.push_back(up);
        if (on_state) on_state(up);
      });
}

size_t Node::count_logs(int level, std::string_view part) const {
  size_t n = 0;
  for (const LogLine& l : logs) {
    if (l.level == level && l.text.find(part) != std::string::npos) ++n;
  }
  return n;
}

sockjs::BackplaneOptions test_options(uint16_t port, std::string channel) {
  sockjs::BackplaneOptions o;
  o.redis_host = "127.0.0.1";
  o.redis_port = port;
  o.channel = std::move(channel);
  o.connect_timeout_ms = 3000;
  o.reconnect_min_ms = 20;
  o.reconnect_max_ms = 200;
  return o;
}

}  // namespace sockjs_test
