#include "report.hpp"

#include <algorithm>
#include <cstdio>

namespace bench {

namespace {
double percentile(const std::vector<uint32_t> &sorted, double q) {
  if (sorted.empty()) return 0;
  size_t i = size_t(q * double(sorted.size() - 1) + 0.5);
  return sorted[std::min(i, sorted.size() - 1)];
}
std::string json_escape(const std::string &s) {
  std::string o;
  for (char c : s) {
    if (c == '"' || c == '\\') o.push_back('\\');
    if (static_cast<unsigned char>(c) < 0x20) continue;
    o.push_back(c);
  }
  return o;
}

using ull = unsigned long long;

// Broadcast's extra figures: Redis CPU, and per port / per member counts.
void print_broadcast(RunResult &r, double ops) {
  std::printf(",\"messages\":%llu", ull(r.messages));
  if (r.has_redis) {
    double us = double(r.redis_after.cpu_ns - r.redis_before.cpu_ns) / 1000.0;
    std::printf(",\"redis_cpu_us\":%.0f,\"redis_cpu_us_per_op\":%.3f", us,
                us / ops);
  }
  if (r.ports.size() > 1 || r.allow_loss) {
    std::printf(",\"by_port\":[");
    for (size_t i = 0; i < r.ports.size(); ++i) {
      PortReport &p = r.ports[i];
      std::sort(p.latencies_us.begin(), p.latencies_us.end());
      std::printf(
          "%s{\"port\":%d,\"members\":%llu,\"ops\":%llu,"
          "\"p50_us\":%.0f,\"p99_us\":%.0f",
          i ? "," : "", p.port, ull(p.members), ull(p.ops),
          percentile(p.latencies_us, 0.5), percentile(p.latencies_us, 0.99));
      if (r.allow_loss)
        std::printf(
            ",\"received_min\":%llu,\"received_max\":%llu,"
            "\"missing_total\":%llu,\"missing_min\":%llu,\"missing_max\":%llu,"
            "\"members_with_loss\":%llu,\"first_missing_ms\":%.1f,"
            "\"last_missing_ms\":%.1f",
            ull(p.received_min), ull(p.received_max), ull(p.missing_total),
            ull(p.missing_min), ull(p.missing_max), ull(p.members_with_loss),
            p.first_missing_ms, p.last_missing_ms);
      std::printf("}");
    }
    std::printf("]");
  }
  if (r.allow_loss) {
    uint64_t received = 0, missing = 0;
    for (const MemberReport &m : r.members) {
      received += m.received;
      missing += m.missing;
    }
    std::printf(
        ",\"allow_loss\":true,\"received_total\":%llu,"
        "\"missing_total\":%llu,\"members\":[",
        ull(received), ull(missing));
    // [port index, received, missing, gaps] per member, sender first.
    for (size_t i = 0; i < r.members.size(); ++i)
      std::printf("%s[%u,%llu,%llu,%llu]", i ? "," : "",
                  r.members[i].port_index, ull(r.members[i].received),
                  ull(r.members[i].missing), ull(r.members[i].gaps));
    std::printf("]");
  }
}
}  // namespace

void print_json(RunResult &r) {
  std::sort(r.latencies_us.begin(), r.latencies_us.end());
  double cpu_us = double(r.after.cpu_ns - r.before.cpu_ns) / 1000.0;
  double cpu_stat_us = double(r.after.cpu_stat_us - r.before.cpu_stat_us);
  double ops = double(r.ops ? r.ops : 1);
  std::printf(
      "{\"mode\":\"%s\",\"unit\":\"%s\",\"sessions\":%llu,\"inflight\":%llu,"
      "\"size\":%llu,"
      "\"ops\":%llu,\"errors\":%llu,\"wall_s\":%.3f,\"ops_per_s\":%.1f,"
      "\"server_cpu_us\":%.0f,\"server_cpu_stat_us\":%.0f,\"cpu_us_per_op\":%."
      "3f,"
      "\"p50_us\":%.0f,\"p99_us\":%.0f,\"rss_before_kb\":%llu,\"rss_after_kb\":"
      "%llu",
      r.mode.c_str(), r.unit.c_str(), (unsigned long long)r.sessions,
      (unsigned long long)r.inflight, (unsigned long long)r.size,
      (unsigned long long)r.ops, (unsigned long long)r.errors, r.wall_s,
      r.wall_s > 0 ? double(r.ops) / r.wall_s : 0.0, cpu_us, cpu_stat_us,
      cpu_us / ops, percentile(r.latencies_us, 0.5),
      percentile(r.latencies_us, 0.99), (unsigned long long)r.before.rss_kb,
      (unsigned long long)r.after.rss_kb);
  if (r.rss_per_session && r.sessions)
    std::printf(",\"rss_per_session_b\":%.0f",
                (double(r.after.rss_kb) - double(r.before.rss_kb)) * 1024.0 /
                    double(r.sessions));
  if (r.mode == "broadcast") print_broadcast(r, ops);
  if (!r.first_error.empty())
    std::printf(",\"first_error\":\"%s\"", json_escape(r.first_error).c_str());
  std::printf("}\n");
  std::fflush(stdout);
}

}  // namespace bench
