// Joins the engine to the other nodes of a cluster through the Redis
// backplane: what this node publishes is delivered locally by the engine
// and shared here (one envelope per publish); what other nodes share is
// applied to the engine. Every node skips its own envelopes when Redis
// echoes them, so each session gets a message exactly once.
// Runs on the runner's I/O thread only (RedisLink's rules).
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "backplane/redis_link.hpp"
#include "engine.hpp"
#include "options.hpp"

struct event_base;

namespace sockjs {

class BackplaneBridge {
 public:
  BackplaneBridge(struct event_base* base, const ServerOptions& sopts,
                  const std::vector<ServiceOptions>& services, Engine& engine,
                  BackplaneMetrics& metrics,
                  std::function<void(bool up)> on_state);
  void start() { link_.start(); }
  // After the engine delivered a publish locally.
  void share_publish(int service, std::string_view channel, bool whole_service,
                     std::string_view text);
  // A message for a session of another node.
  void share_publish_to(uint64_t conn, std::string_view text);

 private:
  void deliver(std::string_view payload);

  Engine& engine_;
  const uint16_t node_id_;
  // Names this server instance in its envelopes; random, so that two
  // processes never take each other's messages for their own.
  const uint64_t origin_;
  std::vector<std::string> prefixes_;  // by service id
  std::function<void(bool)> on_state_;
  RedisLink link_;
};

}  // namespace sockjs
