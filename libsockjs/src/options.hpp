// Plain option values behind sockjs_options / sockjs_server_options.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "backplane/backplane_options.hpp"
#include "net/cidr.hpp"

namespace sockjs {

// The transports a service can switch on and off, in sockjs-node 0.4 names.
enum class Transport : uint8_t {
  websocket,
  websocket_raw,
  xhr_polling,
  xhr_streaming,
  eventsource,
  htmlfile,
  jsonp_polling,
  count_,
};
constexpr int kTransportCount = static_cast<int>(Transport::count_);

const char* transport_name(Transport t);
// Returns false for an unknown name.
bool transport_from_name(std::string_view name, Transport& out);

struct ServiceOptions {
  std::string prefix;
  std::string sockjs_url =
      "https://cdn.jsdelivr.net/npm/sockjs-client@1/dist/sockjs.min.js";
  size_t response_limit = 128 * 1024;
  bool websocket = true;
  bool transport_enabled[kTransportCount] = {true, true, true, true,
                                             true, true, true};
  bool jsessionid = false;
  uint32_t heartbeat_delay_ms = 25000;
  uint32_t disconnect_delay_ms = 5000;
  bool disable_cors = false;
  std::string base_url;
  size_t max_message_size = 1024 * 1024;
  size_t send_buffer_limit = 1024 * 1024;
  bool expose_cookies = false;
  // Origin patterns allowed to open sessions from a browser; empty: any
  // (sockjs-node's behaviour). See origin.hpp for the pattern forms.
  std::vector<std::string> allowed_origins;
  // New sessions wait for sockjs_conn_accept / sockjs_conn_reject before
  // their open frame; undecided after authorize_timeout_ms they are
  // rejected with 3000 "Authorization timed out".
  bool authorize = false;
  uint32_t authorize_timeout_ms = 5000;
  // RFC 7692 on both WebSocket endpoints, when the client offers it.
  bool permessage_deflate = false;
  size_t deflate_threshold = 128;  // shorter messages go out uncompressed

  bool enabled(Transport t) const {
    if ((t == Transport::websocket || t == Transport::websocket_raw) &&
        !websocket)
      return false;
    return transport_enabled[static_cast<int>(t)];
  }
};

struct ServerOptions {
  size_t max_request_head_size = 16 * 1024;
  uint32_t request_timeout_ms = 30000;
  uint32_t shutdown_timeout_ms = 2000;
  bool forward_unmatched = false;
  size_t max_request_headers = 100;  // header lines per request (431 beyond)
  size_t max_sessions = 0;           // open sessions per server; 0: no limit
  size_t max_connections = 0;        // runner's open sockets; 0: no limit
  uint32_t tcp_keepalive_s = 60;     // idle time before probes; 0: off
  bool io_thread_batch = true;       // the I/O thread runs as SCHED_BATCH
  // Peers whose X-Forwarded-For / X-Real-IP are believed (client_addr).
  std::vector<net::Cidr> trusted_proxies;
  int log_level = 0;  // sockjs_log_level; 0: no LOG events
  // This node's number in a cluster: the top 16 bits of every conn id, so
  // that ids are unique across nodes and a publish to a session id finds
  // its node.
  uint16_t node_id = 0;
  BackplaneOptions backplane;  // redis_host empty: no backplane
};

// How long a WebSocket peer has to answer a ping (sockjs-node's fixed 10 s).
constexpr uint32_t kPongTimeoutMs = 10000;

}  // namespace sockjs
