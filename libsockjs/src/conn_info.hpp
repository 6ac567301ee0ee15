// Immutable description of a session (or forwarded request), made once from
// the request that opened it and shared with the consumer thread.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace sockjs {

struct ConnInfo {
  int service = -1;
  std::string prefix;
  std::string transport;
  std::string remote_addr;
  uint16_t remote_port = 0;
  std::string method;
  std::string url;
  std::vector<std::string> names;
  std::vector<std::string> values;
  // C views of names/values, built once for sockjs_conn_get_info.
  std::vector<const char*> name_ptrs;
  std::vector<const char*> value_ptrs;

  void finish() {
    name_ptrs.clear();
    value_ptrs.clear();
    for (auto& n : names) name_ptrs.push_back(n.c_str());
    for (auto& v : values) value_ptrs.push_back(v.c_str());
  }
};

}  // namespace sockjs
