// The gtest fixture of the backplane tests: a loop, a redis-server on a
// free loopback port (started by the test when it wants it), and nodes.
#pragma once
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "harness.hpp"
#include "redis_server.hpp"

namespace sockjs_test {

// prefix-0000, prefix-0001, ...: payloads whose order shows.
inline std::vector<std::string> numbered(const char* prefix, int count) {
  std::vector<std::string> v;
  for (int i = 0; i < count; ++i) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s-%04d", prefix, i);
    v.emplace_back(buf);
  }
  return v;
}

inline void publish_all(Node& n, const std::vector<std::string>& payloads) {
  for (const std::string& p : payloads) n.link->publish(p);
}

inline std::vector<std::string> concat(
    std::vector<std::vector<std::string>> parts) {
  std::vector<std::string> all;
  for (auto& part : parts) all.insert(all.end(), part.begin(), part.end());
  return all;
}

class BackplaneTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Not a skip: install-deps.sh --cluster installs redis-server, and a
    // missing one must not pass for a green run.
    ASSERT_FALSE(RedisServer::binary().empty())
        << "redis-server is not installed; the backplane tests need a real "
           "Redis: run scripts/install-deps.sh --cluster";
    port_ = free_loopback_port();
    ASSERT_NE(port_, 0) << "no free loopback port";
    redis_ = std::make_unique<RedisServer>(port_);
  }

  void start_redis() {
    std::string error;
    ASSERT_TRUE(redis_->start(error)) << error;
  }

  sockjs::BackplaneOptions options(std::string channel = "sockjs-test") const {
    return test_options(port_, std::move(channel));
  }

  std::unique_ptr<Node> make_node() { return make_node(options()); }
  std::unique_ptr<Node> make_node(const sockjs::BackplaneOptions& o) {
    return std::make_unique<Node>(loop_.base(), o);
  }

  Loop loop_;  // first member: outlives the nodes and the server
  uint16_t port_ = 0;
  std::unique_ptr<RedisServer> redis_;
};

}  // namespace sockjs_test
