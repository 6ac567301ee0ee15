// UTF-8 validation (RFC 3629: no overlongs, no surrogates, <= U+10FFFF).
#pragma once
#include <cstddef>
#include <string_view>

namespace sockjs::codec {

// True when text is well-formed UTF-8. NUL bytes are allowed.
bool utf8_valid(std::string_view text) noexcept;

}  // namespace sockjs::codec
