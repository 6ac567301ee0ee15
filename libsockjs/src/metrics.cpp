#include "metrics.hpp"

#include <cinttypes>
#include <cstdio>
#include <cstring>

namespace sockjs {

namespace {

constexpr int kCounter = 1, kGauge = 2;

struct Family {
  const char* name;
  int type;
  const char* help;
};

// In the order snapshot() emits them.
constexpr Family kFamilies[] = {
    {"sockjs_connections_open", kGauge, "TCP connections open now."},
    {"sockjs_connections_total", kCounter, "TCP connections accepted."},
    {"sockjs_http_requests_total", kCounter,
     "HTTP responses sent, by status code (101 for WebSocket upgrades)."},
    {"sockjs_limit_hits_total", kCounter,
     "Requests, messages or connections refused by a configured limit."},
    {"sockjs_sessions_open", kGauge,
     "Sessions open now (created, not yet closed), by service and "
     "transport."},
    {"sockjs_sessions_opened_total", kCounter,
     "Sessions created, by service and transport."},
    {"sockjs_sessions_closed_total", kCounter,
     "Sessions ended (CLOSE events), by service and transport."},
    {"sockjs_sessions_rejected_total", kCounter,
     "Sessions rejected at open (sockjs_conn_reject or the authorization "
     "timeout)."},
    {"sockjs_messages_received_total", kCounter,
     "Messages received from clients."},
    {"sockjs_messages_sent_total", kCounter, "Messages queued to clients."},
    {"sockjs_message_bytes_received_total", kCounter,
     "Bytes of UTF-8 in messages received from clients."},
    {"sockjs_message_bytes_sent_total", kCounter,
     "Bytes of UTF-8 in messages queued to clients."},
    {"sockjs_send_refused_total", kCounter,
     "Sends refused because the session's send buffer was full "
     "(SOCKJS_E_AGAIN)."},
    {"sockjs_publishes_total", kCounter,
     "Publishes to a channel or a whole service applied on this node (from "
     "this node or, with a backplane, from others)."},
    {"sockjs_publish_dropped_total", kCounter,
     "Published messages a session missed because its send buffer was "
     "full."},
    {"sockjs_backplane_state", kGauge,
     "Redis backplane: 0 not configured, 1 down or connecting, 2 up "
     "(subscribed and able to publish)."},
    {"sockjs_backplane_published_total", kCounter,
     "Envelopes Redis accepted from this node."},
    {"sockjs_backplane_received_total", kCounter,
     "Envelopes received from Redis (this node's own included)."},
    {"sockjs_backplane_dropped_total", kCounter,
     "Publishes for other nodes dropped because the outage buffer was "
     "full."},
    {"sockjs_backplane_lost_in_flight_total", kCounter,
     "Publishes whose Redis reply never came (connection lost); never "
     "re-sent."},
    {"sockjs_backplane_underdelivered_total", kCounter,
     "Publishes Redis delivered to fewer subscribers than the channel had "
     "(a node was away and missed them, or left for good)."},
    {"sockjs_backplane_publish_errors_total", kCounter,
     "Publishes Redis answered with an error."},
    {"sockjs_backplane_reconnects_total", kCounter,
     "Redis connections re-established after a loss."},
    {"sockjs_backplane_connect_failures_total", kCounter,
     "Redis connection attempts that failed or timed out."},
    {"sockjs_backplane_buffered_bytes", kGauge,
     "Bytes of publishes held for Redis now."},
    {"sockjs_backplane_subscribers", kGauge,
     "Subscribers of the backplane channel last seen, this node included (0 "
     "until known)."},
};

const Family* family(const char* name) {
  for (const Family& f : kFamilies)
    if (std::strcmp(f.name, name) == 0) return &f;
  return nullptr;
}

void append_label_value(std::string& out, const std::string& v) {
  for (char c : v) {
    if (c == '\\')
      out.append("\\\\");
    else if (c == '"')
      out.append("\\\"");
    else if (c == '\n')
      out.append("\\n");
    else
      out.push_back(c);
  }
}

}  // namespace

const char* limit_name(Limit l) {
  switch (l) {
    case Limit::request_head:
      return "request_head";
    case Limit::request_body:
      return "request_body";
    case Limit::request_timeout:
      return "request_timeout";
    case Limit::sessions:
      return "sessions";
    case Limit::connections:
      return "connections";
    case Limit::message_size:
      return "message_size";
    case Limit::input_buffer:
      return "input_buffer";
    case Limit::count_:
      break;
  }
  return "";
}

void Metrics::add_service(const std::string& prefix) {
  services_.push_back(std::make_unique<ServiceMetrics>(prefix));
}

void Metrics::snapshot(std::vector<MetricSample>& out) const {
  auto rd = [](const auto& a) {
    return static_cast<uint64_t>(a.load(std::memory_order_relaxed));
  };
  auto add = [&](const char* name, int service, const char* transport,
                 const char* label, int code, uint64_t value) {
    out.push_back(MetricSample{name, family(name)->type, service, transport,
                               label, code, value});
  };
  out.clear();
  int64_t conns = connections_open_.load(std::memory_order_relaxed);
  add("sockjs_connections_open", -1, "", "", 0,
      conns < 0 ? 0 : static_cast<uint64_t>(conns));
  add("sockjs_connections_total", -1, "", "", 0, rd(connections_total_));
  for (int st = 100; st < kMaxStatus; ++st) {
    uint64_t v = rd(http_[st]);
    if (v) add("sockjs_http_requests_total", -1, "", "", st, v);
  }
  const BackplaneMetrics& b = backplane;
  add("sockjs_backplane_state", -1, "", "", 0,
      static_cast<uint64_t>(b.state.load(std::memory_order_relaxed)));
  add("sockjs_backplane_published_total", -1, "", "", 0, rd(b.published));
  add("sockjs_backplane_received_total", -1, "", "", 0, rd(b.received));
  add("sockjs_backplane_dropped_total", -1, "", "", 0, rd(b.dropped));
  add("sockjs_backplane_lost_in_flight_total", -1, "", "", 0,
      rd(b.lost_in_flight));
  add("sockjs_backplane_underdelivered_total", -1, "", "", 0,
      rd(b.underdelivered));
  add("sockjs_backplane_publish_errors_total", -1, "", "", 0,
      rd(b.publish_errors));
  add("sockjs_backplane_reconnects_total", -1, "", "", 0, rd(b.reconnects));
  add("sockjs_backplane_connect_failures_total", -1, "", "", 0,
      rd(b.connect_failures));
  int64_t held = b.buffered_bytes.load(std::memory_order_relaxed);
  add("sockjs_backplane_buffered_bytes", -1, "", "", 0,
      held < 0 ? 0 : static_cast<uint64_t>(held));
  int64_t subs = b.subscribers.load(std::memory_order_relaxed);
  add("sockjs_backplane_subscribers", -1, "", "", 0,
      subs < 0 ? 0 : static_cast<uint64_t>(subs));
  for (int l = 0; l < kLimitCount; ++l)
    add("sockjs_limit_hits_total", -1, "", limit_name(static_cast<Limit>(l)), 0,
        rd(limits_[l]));
  const char* per_transport[] = {"sockjs_sessions_open",
                                 "sockjs_sessions_opened_total",
                                 "sockjs_sessions_closed_total"};
  for (const char* name : per_transport) {
    for (size_t i = 0; i < services_.size(); ++i) {
      const ServiceMetrics& m = *services_[i];
      for (int t = 0; t < kTransportCount; ++t) {
        uint64_t v = name == per_transport[0]   ? rd(m.open[t])
                     : name == per_transport[1] ? rd(m.opened[t])
                                                : rd(m.closed[t]);
        if (name == per_transport[0] &&
            m.open[t].load(std::memory_order_relaxed) < 0)
          v = 0;
        add(name, static_cast<int>(i),
            transport_name(static_cast<Transport>(t)), "", 0, v);
      }
    }
  }
  struct PerService {
    const char* name;
    std::atomic<uint64_t> ServiceMetrics::*field;
  };
  const PerService per_service[] = {
      {"sockjs_sessions_rejected_total", &ServiceMetrics::rejected},
      {"sockjs_messages_received_total", &ServiceMetrics::messages_in},
      {"sockjs_messages_sent_total", &ServiceMetrics::messages_out},
      {"sockjs_message_bytes_received_total", &ServiceMetrics::bytes_in},
      {"sockjs_message_bytes_sent_total", &ServiceMetrics::bytes_out},
      {"sockjs_send_refused_total", &ServiceMetrics::send_refused},
      {"sockjs_publishes_total", &ServiceMetrics::published},
      {"sockjs_publish_dropped_total", &ServiceMetrics::publish_dropped},
  };
  for (const PerService& p : per_service)
    for (size_t i = 0; i < services_.size(); ++i)
      add(p.name, static_cast<int>(i), "", "", 0, rd((*services_[i]).*p.field));
}

std::string Metrics::prometheus() const {
  std::vector<MetricSample> samples;
  snapshot(samples);
  std::string out;
  out.reserve(256 + samples.size() * 80);
  for (const Family& f : kFamilies) {
    out.append("# HELP ").append(f.name).append(" ").append(f.help);
    out.append("\n# TYPE ").append(f.name).append(" ");
    out.append(f.type == kCounter ? "counter\n" : "gauge\n");
    for (const MetricSample& s : samples) {
      if (std::strcmp(s.name, f.name) != 0) continue;
      out.append(s.name);
      std::string labels;
      auto label = [&](const char* k, const std::string& v) {
        labels.append(labels.empty() ? "{" : ",").append(k).append("=\"");
        append_label_value(labels, v);
        labels.push_back('"');
      };
      if (s.service >= 0)
        label("service", services_[static_cast<size_t>(s.service)]->prefix);
      if (*s.transport) label("transport", s.transport);
      if (*s.label) label("limit", s.label);
      if (s.code) label("code", std::to_string(s.code));
      if (!labels.empty()) out.append(labels).append("}");
      char num[32];
      std::snprintf(num, sizeof num, " %" PRIu64 "\n", s.value);
      out.append(num);
    }
  }
  return out;
}

}  // namespace sockjs
