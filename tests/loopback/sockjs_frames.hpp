// SockJS framing for the test clients: JSON-encoding messages to send and
// decoding the server's frames (o, h, a[...], c[code,"reason"]).
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace loopback {

// JSON string literal for UTF-8 text (non-ASCII left as is).
std::string json_quote(std::string_view text);
// ["m1","m2",...] as a client sends it.
std::string json_array(const std::vector<std::string>& msgs);

struct Frame {
  char type = 0;                      // 'o', 'h', 'a', 'c'; 0 when unparseable
  std::vector<std::string> messages;  // for 'a'
  int close_code = 0;                 // for 'c'
  std::string close_reason;           // for 'c'
};

// Parses one frame (a trailing '\n' is ignored).
Frame parse_frame(std::string_view frame);

// Splits an HTTP body into frames at '\n'.
std::vector<Frame> parse_frames(std::string_view body);

}  // namespace loopback
