// Helpers shared by redis_link.cpp (connections, state, publishing) and
// redis_link_wait.cpp (waiting for the other nodes' subscriptions).
#pragma once
#include <event2/event.h>
#include <hiredis/hiredis.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace sockjs::redis_link_detail {

constexpr int kDebug = 10, kInfo = 20, kWarning = 30, kError = 40;
// PUBSUB NUMSUB while held payloads wait for the other nodes, and while the
// link is up but has had no PUBLISH reply to learn the count from.
constexpr uint32_t kPollMs = 50, kRefreshMs = 1000;

inline timeval ms_to_tv(uint32_t ms) {
  timeval tv;
  tv.tv_sec = static_cast<time_t>(ms / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms % 1000) * 1000);
  return tv;
}

inline bool is_string(const redisReply* r) {
  return r != nullptr && r->type == REDIS_REPLY_STRING;
}

inline bool equals(const redisReply* r, std::string_view s) {
  return is_string(r) && std::string_view(r->str, r->len) == s;
}

inline std::string plural(uint64_t n, const char* word,
                          const char* suffix = "es") {
  return std::to_string(n) + " " + word + (n == 1 ? "" : suffix);
}

}  // namespace sockjs::redis_link_detail
