// Decoding of the SockJS `a[...]` frame (a JSON array of strings) and
// encoding of what a client sends (`["..."]`). Payloads the load client
// makes are plain ASCII letters, digits and '-', so encoding needs no
// escapes; decoding still handles them so a server's escaping is no error.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace bench {

// Parses `a["x","y"]` into out (appending). False if malformed.
bool parse_array_frame(std::string_view frame, std::vector<std::string> &out);

// `["payload"]`; the payload must need no JSON escaping.
std::string encode_send(std::string_view payload);

// Deterministic payload of exactly `size` bytes (at least the tag's length):
// `tag` then filler derived from `seq`, so every message differs.
std::string make_payload(const std::string &tag, uint64_t seq, size_t size);

}  // namespace bench
