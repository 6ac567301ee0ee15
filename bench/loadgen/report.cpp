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
  if (!r.first_error.empty())
    std::printf(",\"first_error\":\"%s\"", json_escape(r.first_error).c_str());
  std::printf("}\n");
  std::fflush(stdout);
}

}  // namespace bench
