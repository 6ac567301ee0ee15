// The backplane's message format: what one node publishes to Redis for the
// others. Binary-safe (names and text may hold any bytes) and versioned:
//
//   "SJ1 " kind " " origin " " conn " " prefix_len " " channel_len "\n"
//   prefix channel text
//
// kind is 'c' (a channel of a service), 's' (a whole service) or 'p' (one
// session, by conn id); origin is 16 hex digits naming the publishing
// server instance (a node skips its own messages: it delivered them
// locally already); conn is decimal (0 unless kind 'p'); the lengths are
// decimal byte counts.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace sockjs::backplane {

enum class Target : char { channel = 'c', service = 's', session = 'p' };

struct Envelope {
  Target target = Target::channel;
  uint64_t origin = 0;
  uint64_t conn = 0;         // Target::session
  std::string_view prefix;   // the service's prefix (channel, service)
  std::string_view channel;  // Target::channel
  std::string_view text;     // the message, UTF-8
};

std::string encode(const Envelope& e);
// False for anything that is not a well-formed SJ1 envelope; the views in
// out point into data.
bool decode(std::string_view data, Envelope& out);

}  // namespace sockjs::backplane
