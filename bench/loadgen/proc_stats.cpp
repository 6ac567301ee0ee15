#include "proc_stats.hpp"

#include <dirent.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace bench {

namespace {
bool read_file(const std::string &path, char *buf, size_t cap) {
  FILE *f = std::fopen(path.c_str(), "r");
  if (!f) return false;
  size_t n = std::fread(buf, 1, cap - 1, f);
  buf[n] = 0;
  std::fclose(f);
  return n > 0;
}
}  // namespace

ProcSample sample_process(pid_t pid) {
  ProcSample s;
  if (pid <= 0) return s;
  std::string base = "/proc/" + std::to_string(pid);
  char buf[8192];
  if (!read_file(base + "/stat", buf, sizeof buf)) return s;
  // Fields after the command name, which may hold spaces: skip past ')'.
  const char *p = std::strrchr(buf, ')');
  if (!p) return s;
  p += 2;  // now at field 3 (state)
  unsigned long long utime = 0, stime = 0;
  int field = 3;
  while (*p && field < 14) {
    if (*p++ == ' ') ++field;
  }
  std::sscanf(p, "%llu %llu", &utime, &stime);
  long hz = sysconf(_SC_CLK_TCK);
  s.cpu_stat_us = (utime + stime) * 1000000ull / uint64_t(hz > 0 ? hz : 100);

  if (DIR *d = opendir((base + "/task").c_str())) {
    while (dirent *e = readdir(d)) {
      if (e->d_name[0] == '.') continue;
      if (read_file(base + "/task/" + e->d_name + "/schedstat", buf,
                    sizeof buf))
        s.cpu_ns += std::strtoull(buf, nullptr, 10);
    }
    closedir(d);
  }
  if (read_file(base + "/status", buf, sizeof buf)) {
    if (const char *r = std::strstr(buf, "VmRSS:"))
      s.rss_kb = std::strtoull(r + 6, nullptr, 10);
  }
  s.ok = true;
  return s;
}

ProcSample sample_processes(const std::vector<pid_t> &pids) {
  ProcSample sum;
  sum.ok = !pids.empty();
  for (pid_t pid : pids) {
    ProcSample s = sample_process(pid);
    sum.cpu_ns += s.cpu_ns;
    sum.cpu_stat_us += s.cpu_stat_us;
    sum.rss_kb += s.rss_kb;
    sum.ok = sum.ok && s.ok;
  }
  return sum;
}

}  // namespace bench
