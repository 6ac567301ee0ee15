// Message digests and encodings needed by the WebSocket handshakes and the
// iframe ETag. Small, dependency-free implementations.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sockjs::codec {

std::array<uint8_t, 20> sha1(std::string_view data);
std::array<uint8_t, 16> md5(std::string_view data);
// Standard base64 with '=' padding.
std::string base64_encode(const uint8_t* data, size_t len);
// Lower-case hex of each byte.
std::string hex_lower(const uint8_t* data, size_t len);

}  // namespace sockjs::codec
