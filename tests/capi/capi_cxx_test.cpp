// The public header included from C++ (extern "C" guard, no C++-hostile
// constructs) with the strictest warnings.
#include <cstdio>

#include "sockjs.h"

int main() {
  sockjs_event ev{};
  ev.size = sizeof ev;
  sockjs_conn_info info{};
  info.size = sizeof info;
  if (sockjs_version_num() != SOCKJS_VERSION_NUM) return 1;
  std::printf("capi C++ include ok (%s)\n", sockjs_version_string());
  return ev.type + static_cast<int>(info.n_headers);
}
