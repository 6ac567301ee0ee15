// Status codes of the core, one to one with sockjs_status in sockjs.h.
#pragma once

namespace sockjs {

enum class Status : int {
  ok = 0,
  invalid_argument = -1,
  nomem = -2,
  again = -3,
  unknown_conn = -4,
  closed = -5,
  state = -6,
  protocol = -7,
  io = -8,
  limit = -9,
  fatal = -100,
  internal = -101,
};

inline int to_int(Status s) { return static_cast<int>(s); }

}  // namespace sockjs
