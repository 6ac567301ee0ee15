// The gtest fixture of the backplane tests: a loop, a redis-server on a
// free loopback port (started by the test when it wants it), and nodes.
#pragma once
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "harness.hpp"
#include "redis_server.hpp"

namespace sockjs_test {

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
