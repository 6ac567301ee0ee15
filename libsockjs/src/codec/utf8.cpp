// UTF-8 validation with an 8-bytes-at-a-time ASCII fast path, since almost
// all SockJS traffic is ASCII.
#include "codec/utf8.hpp"

#include <cstdint>
#include <cstring>

namespace sockjs::codec {
namespace {

constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;

inline bool is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

}  // namespace

bool utf8_valid(std::string_view text) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* const end = p + text.size();
  while (p != end) {
    if (*p < 0x80) {
      while (end - p >= 8) {
        std::uint64_t word;
        std::memcpy(&word, p, sizeof word);
        if (word & kHighBits) break;
        p += 8;
      }
      while (p != end && *p < 0x80) ++p;
      if (p == end) return true;
    }
    const unsigned char lead = *p;
    const std::ptrdiff_t left = end - p;
    // C0 and C1 could only start overlong two-byte forms.
    if (lead < 0xC2) return false;
    if (lead < 0xE0) {
      if (left < 2 || !is_continuation(p[1])) return false;
      p += 2;
      continue;
    }
    if (lead < 0xF0) {
      if (left < 3) return false;
      // E0 needs A0.. to rule out overlongs; ED stops at 9F to rule out
      // the UTF-16 surrogates D800..DFFF.
      const unsigned char lo = lead == 0xE0 ? 0xA0 : 0x80;
      const unsigned char hi = lead == 0xED ? 0x9F : 0xBF;
      if (p[1] < lo || p[1] > hi || !is_continuation(p[2])) return false;
      p += 3;
      continue;
    }
    if (lead < 0xF5) {
      if (left < 4) return false;
      // F0 needs 90.. (overlongs); F4 stops at 8F (nothing above U+10FFFF).
      const unsigned char lo = lead == 0xF0 ? 0x90 : 0x80;
      const unsigned char hi = lead == 0xF4 ? 0x8F : 0xBF;
      if (p[1] < lo || p[1] > hi || !is_continuation(p[2]) ||
          !is_continuation(p[3])) {
        return false;
      }
      p += 4;
      continue;
    }
    return false;
  }
  return true;
}

}  // namespace sockjs::codec
