// Configuration and counters of the cluster backplane (Redis pub/sub).
// Plain structs: the runner fills BackplaneOptions from the server options
// and owns BackplaneMetrics; RedisLink only reads the one and updates the
// other.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>

namespace sockjs {

struct BackplaneOptions {
  // Empty: backplane disabled. Prefer an IP address: hiredis 0.14 resolves a
  // name with a blocking getaddrinfo() on the I/O thread at every attempt.
  std::string redis_host;
  uint16_t redis_port = 6379;
  std::string channel = "sockjs";  // the Redis pub/sub channel all nodes share
  // Bytes of payloads held while the backplane is down or the held ones wait
  // for the other nodes (and, separately, the most payload bytes awaiting a
  // PUBLISH reply while it is up); a payload that does not fit is dropped
  // and counted.
  size_t buffer_limit = 1024 * 1024;
  // The runner waits this long at listen(); RedisLink also gives up a
  // connection attempt (TCP connect, plus the SUBSCRIBE confirmation on the
  // subscribe link) after this long and retries.
  uint32_t connect_timeout_ms = 5000;
  // Retry delay: starts at min, doubles after each failed attempt up to max,
  // back to min once the link is up again.
  uint32_t reconnect_min_ms = 100, reconnect_max_ms = 5000;
  // After a reconnection, held payloads wait until the channel has as many
  // subscribers as it had while up (the other nodes subscribed again), but
  // no longer than this; 0 flushes them as soon as this node is up. The
  // default covers a node on the same settings: its next attempt comes at
  // most reconnect_max_ms after Redis is back, and connecting and
  // subscribing take far less than the second added. Also how long a lower
  // subscriber count must last before it is taken as the new normal (a
  // node left for good).
  uint32_t resubscribe_wait_ms = 6000;
};

// Updated on the I/O thread with relaxed atomics; read from any thread.
struct BackplaneMetrics {
  std::atomic<int> state{0};  // 0 disabled/stopped, 1 down/connecting,
                              // 2 up (subscribed AND publish link connected)
  std::atomic<uint64_t> published{0};  // PUBLISH replies received OK
  std::atomic<uint64_t> dropped{0};    // refused: the outage buffer was full
  // PUBLISHes written (or queued in hiredis) whose reply never came because
  // the link was lost, or that were abandoned by stop(): never re-sent.
  std::atomic<uint64_t> lost_in_flight{0};
  std::atomic<uint64_t> received{0};          // messages from the subscription
  std::atomic<uint64_t> reconnects{0};        // links up again after a loss
  std::atomic<int64_t> buffered_bytes{0};     // gauge: payload bytes held now
  std::atomic<uint64_t> publish_errors{0};    // PUBLISH answered with an error
  std::atomic<uint64_t> connect_failures{0};  // attempts that failed/timed out
  // PUBLISHes Redis delivered to fewer subscribers than the channel had
  // (a node was away and missed them, or has left for good).
  std::atomic<uint64_t> underdelivered{0};
  // gauge: the channel's subscriber count last seen (this node included;
  // from PUBLISH replies and PUBSUB NUMSUB), 0 until known.
  std::atomic<int64_t> subscribers{0};
};

}  // namespace sockjs
