// The tests' own JSON string decoder: an oracle independent of the
// library's codec, so that a bug there cannot hide in its own check.
// Header-only; shared by the engine and loopback tests.
#pragma once
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace sockjs_oracle {

// The UTF-8 encoding of one code point.
inline std::string utf8(uint32_t cp) {
  std::string s;
  if (cp < 0x80) {
    s.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    s.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    s.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    s.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    s.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
  return s;
}

inline bool hex4(std::string_view s, size_t at, uint32_t& v) {
  if (at + 4 > s.size()) return false;
  std::string h(s.substr(at, 4));
  char* end = nullptr;
  v = static_cast<uint32_t>(std::strtoul(h.c_str(), &end, 16));
  return end == h.c_str() + 4;
}

// Decodes the JSON string literal at s[pos] == '"' into out (cleared
// first) and moves pos past it. A surrogate pair becomes one code point; a
// lone surrogate is kept as its 3-byte form. False on malformed input.
inline bool decode_json_string(std::string_view s, size_t& pos,
                               std::string& out) {
  if (pos >= s.size() || s[pos] != '"') return false;
  ++pos;
  out.clear();
  while (pos < s.size()) {
    char c = s[pos++];
    if (c == '"') return true;
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    if (pos >= s.size()) return false;
    switch (s[pos++]) {
      case '"':
        out.push_back('"');
        break;
      case '\\':
        out.push_back('\\');
        break;
      case '/':
        out.push_back('/');
        break;
      case 'b':
        out.push_back('\b');
        break;
      case 'f':
        out.push_back('\f');
        break;
      case 'n':
        out.push_back('\n');
        break;
      case 'r':
        out.push_back('\r');
        break;
      case 't':
        out.push_back('\t');
        break;
      case 'u': {
        uint32_t cp = 0;
        if (!hex4(s, pos, cp)) return false;
        pos += 4;
        uint32_t lo = 0;
        if (cp >= 0xD800 && cp < 0xDC00 && s.substr(pos, 2) == "\\u" &&
            hex4(s, pos + 2, lo) && lo >= 0xDC00 && lo < 0xE000) {
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          pos += 6;
        }
        out.append(utf8(cp));
        break;
      }
      default:
        return false;
    }
  }
  return false;
}

}  // namespace sockjs_oracle
