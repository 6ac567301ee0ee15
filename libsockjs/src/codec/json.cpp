// JSON encoding and decoding for SockJS frames. Both directions scan eight
// bytes at a time for the few bytes that need work and copy everything else
// in bulk, because messages are mostly plain ASCII.
#include "codec/json.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "codec/utf8.hpp"

namespace sockjs::codec {
namespace {

// ---------------------------------------------------------------------------
// Word-at-a-time byte tests. Each returns a non-zero mask when some byte of
// the word matches. Spurious bits can appear only above a real match (borrow
// propagation), so the lowest set bit always marks the first real match.

constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;

inline std::uint64_t load8(const char* p) {
  std::uint64_t word;
  std::memcpy(&word, p, sizeof word);
  return word;
}

inline std::uint64_t has_byte(std::uint64_t word, unsigned char b) {
  const std::uint64_t x = word ^ (kOnes * b);
  return (x - kOnes) & ~x & kHighBits;
}

// Bytes below n (n <= 0x80); bytes >= 0x80 never match.
inline std::uint64_t has_below(std::uint64_t word, unsigned char n) {
  return (word - kOnes * n) & ~word & kHighBits;
}

// Bytes that end a run in a JSON string literal, in either direction:
// '"', '\\' and C0 controls.
inline std::uint64_t json_special(std::uint64_t word) {
  return has_below(word, 0x20) | has_byte(word, '"') | has_byte(word, '\\');
}

// Byte offset of the first flagged byte of a non-zero mask.
inline std::size_t first_flagged(std::uint64_t mask) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  return static_cast<std::size_t>(__builtin_ctzll(mask)) / 8;
#else
  (void)mask;
  return 0;  // Callers re-check byte by byte, so this is only slower.
#endif
}

// ---------------------------------------------------------------------------
// Encoding.

constexpr char kHexDigits[] = "0123456789abcdef";

inline void append_u_escape(std::string& out, unsigned unit) {
  const char buf[6] = {'\\',
                       'u',
                       kHexDigits[(unit >> 12) & 0xF],
                       kHexDigits[(unit >> 8) & 0xF],
                       kHexDigits[(unit >> 4) & 0xF],
                       kHexDigits[unit & 0xF]};
  out.append(buf, sizeof buf);
}

// The JSON.stringify escape of an ASCII byte that cannot go out raw.
inline void append_ascii_escape(std::string& out, unsigned char c) {
  char short_form;
  switch (c) {
    case '"':
      short_form = '"';
      break;
    case '\\':
      short_form = '\\';
      break;
    case '\b':
      short_form = 'b';
      break;
    case '\f':
      short_form = 'f';
      break;
    case '\n':
      short_form = 'n';
      break;
    case '\r':
      short_form = 'r';
      break;
    case '\t':
      short_form = 't';
      break;
    default:
      append_u_escape(out, c);
      return;
  }
  const char buf[2] = {'\\', short_form};
  out.append(buf, sizeof buf);
}

enum ByteClass : unsigned char {
  kRaw = 0,    // copied as is
  kAscii = 1,  // ASCII byte with a JSON.stringify escape (or '<')
  kLead = 2,   // UTF-8 lead byte that may start an escaped character
};

struct ByteTable {
  unsigned char cls[256];
};

constexpr ByteTable make_table(bool message, bool escape_lt) {
  ByteTable t{};
  for (int c = 0; c < 0x20; ++c) t.cls[c] = kAscii;
  t.cls[static_cast<unsigned char>('"')] = kAscii;
  t.cls[static_cast<unsigned char>('\\')] = kAscii;
  if (escape_lt) t.cls[static_cast<unsigned char>('<')] = kAscii;
  if (message) {
    // E2: U+20xx; ED: surrogates (only in WTF-8 input); EF: U+FFxx;
    // F0..F4: everything above U+FFFF.
    t.cls[0xE2] = t.cls[0xED] = t.cls[0xEF] = kLead;
    for (int c = 0xF0; c <= 0xF4; ++c) t.cls[c] = kLead;
  }
  return t;
}

constexpr ByteTable kMessageTable = make_table(true, false);
constexpr ByteTable kPlainTable = make_table(false, false);
constexpr ByteTable kPlainLtTable = make_table(false, true);

inline bool is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// For a kLead byte at s[0]: when the character there must be escaped, stores
// its UTF-16 code units (one or two) in units and returns the length of its
// UTF-8 sequence; otherwise returns 0. Malformed input is never escaped, so a
// stray lead byte cannot swallow a following quote.
std::size_t lead_escape(const unsigned char* s, std::size_t left,
                        unsigned units[2]) {
  const unsigned lead = s[0];
  if (lead < 0xF0) {
    if (left < 3 || !is_continuation(s[1]) || !is_continuation(s[2])) {
      return 0;
    }
    const unsigned b1 = s[1], b2 = s[2];
    bool escape;
    if (lead == 0xE2) {
      // U+200C..U+200F, U+2028..U+202F, U+2060..U+206F.
      escape = (b1 == 0x80 && b2 >= 0x8C && b2 <= 0x8F) ||
               (b1 == 0x80 && b2 >= 0xA8 && b2 <= 0xAF) ||
               (b1 == 0x81 && b2 >= 0xA0 && b2 <= 0xAF);
    } else if (lead == 0xED) {
      escape = b1 >= 0xA0;  // U+D800..U+DFFF
    } else {
      escape = b1 == 0xBF && b2 >= 0xB0;  // U+FFF0..U+FFFF
    }
    if (!escape) return 0;
    units[0] = ((lead & 0x0Fu) << 12) | ((b1 & 0x3Fu) << 6) | (b2 & 0x3Fu);
    units[1] = 0;
    return 3;
  }
  if (left < 4 || !is_continuation(s[1]) || !is_continuation(s[2]) ||
      !is_continuation(s[3])) {
    return 0;
  }
  const std::uint32_t cp = ((lead & 0x07u) << 18) | ((s[1] & 0x3Fu) << 12) |
                           ((s[2] & 0x3Fu) << 6) | (s[3] & 0x3Fu);
  if (cp < 0x10000 || cp > 0x10FFFF) return 0;
  const std::uint32_t v = cp - 0x10000;
  units[0] = 0xD800 + (v >> 10);
  units[1] = 0xDC00 + (v & 0x3FF);
  return 4;
}

template <bool kMessage>
void append_quoted(std::string& out, std::string_view text,
                   const ByteTable& table, bool escape_lt) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  out.reserve(out.size() + n + 2);
  out.push_back('"');
  std::size_t run = 0;  // start of the raw bytes not yet appended
  std::size_t i = 0;
  while (i < n) {
    // Skip whole words that need nothing. Message mode must look at every
    // non-ASCII byte; plain mode copies them raw.
    while (n - i >= 8) {
      const std::uint64_t word = load8(text.data() + i);
      std::uint64_t mask = json_special(word);
      if (kMessage) mask |= word & kHighBits;
      if (escape_lt) mask |= has_byte(word, '<');
      if (mask != 0) {
        i += first_flagged(mask);
        break;
      }
      i += 8;
    }
    // Then look at up to eight bytes one by one.
    const std::size_t stop = n - i < 8 ? n : i + 8;
    for (; i < stop; ++i) {
      const unsigned char cls = table.cls[s[i]];
      if (cls == kRaw) continue;
      if (cls == kAscii) {
        out.append(text.data() + run, i - run);
        append_ascii_escape(out, s[i]);
        run = i + 1;
        continue;
      }
      unsigned units[2];
      const std::size_t len = lead_escape(s + i, n - i, units);
      if (len == 0) continue;  // raw character: the run goes on
      out.append(text.data() + run, i - run);
      append_u_escape(out, units[0]);
      if (units[1] != 0) append_u_escape(out, units[1]);
      i += len - 1;
      run = i + 1;
    }
  }
  out.append(text.data() + run, n - run);
  out.push_back('"');
}

// ---------------------------------------------------------------------------
// Decoding.

constexpr int kMaxDepth = 64;

// Hex digit value, or -1.
inline int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  const char lower = static_cast<char>(c | 0x20);
  if (lower >= 'a' && lower <= 'f') return lower - 'a' + 10;
  return -1;
}

// The four hex digits at p as a number, or -1.
inline int hex4(const char* p) {
  const int a = hex_value(p[0]), b = hex_value(p[1]), c = hex_value(p[2]),
            d = hex_value(p[3]);
  if ((a | b | c | d) < 0) return -1;
  return (a << 12) | (b << 8) | (c << 4) | d;
}

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }

inline void append_utf8(std::string& out, std::uint32_t cp) {
  char buf[4];
  std::size_t len;
  if (cp < 0x80) {
    buf[0] = static_cast<char>(cp);
    len = 1;
  } else if (cp < 0x800) {
    buf[0] = static_cast<char>(0xC0 | (cp >> 6));
    buf[1] = static_cast<char>(0x80 | (cp & 0x3F));
    len = 2;
  } else if (cp < 0x10000) {
    buf[0] = static_cast<char>(0xE0 | (cp >> 12));
    buf[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    buf[2] = static_cast<char>(0x80 | (cp & 0x3F));
    len = 3;
  } else {
    buf[0] = static_cast<char>(0xF0 | (cp >> 18));
    buf[1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    buf[2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    buf[3] = static_cast<char>(0x80 | (cp & 0x3F));
    len = 4;
  }
  out.append(buf, len);
}

// Decodes the body of a string literal already checked by scan_string
// (between the quotes). The result is never longer than the literal.
void decode_escaped(const char* p, const char* end, std::string& out) {
  out.reserve(out.size() + static_cast<std::size_t>(end - p));
  while (p != end) {
    const auto* bs = static_cast<const char*>(
        std::memchr(p, '\\', static_cast<std::size_t>(end - p)));
    if (bs == nullptr) {
      out.append(p, static_cast<std::size_t>(end - p));
      return;
    }
    out.append(p, static_cast<std::size_t>(bs - p));
    p = bs + 2;
    switch (bs[1]) {
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
        std::uint32_t cp = static_cast<std::uint32_t>(hex4(p));
        p += 4;
        if (cp >= 0xD800 && cp <= 0xDFFF) {
          // Only a high surrogate directly followed by an escaped low one
          // makes a character; UTF-8 cannot hold anything else.
          int low = -1;
          if (cp <= 0xDBFF && end - p >= 6 && p[0] == '\\' && p[1] == 'u') {
            low = hex4(p + 2);
          }
          if (low >= 0xDC00 && low <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) +
                 (static_cast<std::uint32_t>(low) - 0xDC00);
            p += 6;
          } else {
            cp = 0xFFFD;
          }
        }
        append_utf8(out, cp);
        break;
      }
      default:  // '"', '\\', '/'
        out.push_back(bs[1]);
        break;
    }
  }
}

// A recursive-descent parser over text that is already known to be valid
// UTF-8, so bytes >= 0x80 need no attention inside strings (and are a syntax
// error anywhere else).
class Parser {
 public:
  explicit Parser(std::string_view text)
      : p_(text.data()), end_(text.data() + text.size()) {}

  DecodeStatus run(DecodeMode mode, std::vector<std::string>& out) {
    skip_ws();
    if (p_ == end_) return DecodeStatus::broken;
    if (*p_ == '[') {
      if (!decode_array(out)) return DecodeStatus::broken;
    } else if (mode == DecodeMode::websocket) {
      if (!decode_element(0, out)) return DecodeStatus::broken;
    } else if (mode == DecodeMode::jsonp && *p_ == '"') {
      std::string inner;
      if (!decode_string(inner) || !at_end()) return DecodeStatus::broken;
      // sockjs-node re-parses only a non-empty string; "" stays a falsy
      // non-array, which is "Payload expected.".
      if (inner.empty()) return DecodeStatus::not_array;
      return decode_messages(inner, DecodeMode::array, out);
    } else {
      if (!skip_value(0) || !at_end()) return DecodeStatus::broken;
      return DecodeStatus::not_array;
    }
    return at_end() ? DecodeStatus::ok : DecodeStatus::broken;
  }

 private:
  void skip_ws() {
    while (p_ != end_ &&
           (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) {
      ++p_;
    }
  }

  bool at_end() {
    skip_ws();
    return p_ == end_;
  }

  // With p_ just after an opening quote: finds the closing quote, checking
  // escapes and rejecting raw controls. Returns nullptr when malformed.
  const char* scan_string(bool& escaped) const {
    const char* p = p_;
    escaped = false;
    for (;;) {
      while (end_ - p >= 8) {
        const std::uint64_t mask = json_special(load8(p));
        if (mask != 0) {
          p += first_flagged(mask);
          break;
        }
        p += 8;
      }
      if (p == end_) return nullptr;
      const unsigned char c = static_cast<unsigned char>(*p);
      if (c == '"') return p;
      if (c == '\\') {
        escaped = true;
        if (end_ - p < 2) return nullptr;
        switch (p[1]) {
          case '"':
          case '\\':
          case '/':
          case 'b':
          case 'f':
          case 'n':
          case 'r':
          case 't':
            p += 2;
            break;
          case 'u':
            if (end_ - p < 6 || hex4(p + 2) < 0) return nullptr;
            p += 6;
            break;
          default:
            return nullptr;
        }
      } else if (c < 0x20) {
        return nullptr;
      } else {
        ++p;
      }
    }
  }

  // p_ at the opening quote.
  bool skip_string() {
    ++p_;
    bool escaped;
    const char* close = scan_string(escaped);
    if (close == nullptr) return false;
    p_ = close + 1;
    return true;
  }

  // p_ at the opening quote; appends the decoded content to out.
  bool decode_string(std::string& out) {
    ++p_;
    bool escaped;
    const char* close = scan_string(escaped);
    if (close == nullptr) return false;
    if (escaped) {
      decode_escaped(p_, close, out);
    } else {
      out.append(p_, static_cast<std::size_t>(close - p_));
    }
    p_ = close + 1;
    return true;
  }

  bool skip_number() {
    if (*p_ == '-') ++p_;
    if (p_ == end_) return false;
    if (*p_ == '0') {
      ++p_;
    } else if (*p_ >= '1' && *p_ <= '9') {
      while (p_ != end_ && is_digit(*p_)) ++p_;
    } else {
      return false;
    }
    if (p_ != end_ && *p_ == '.') {
      ++p_;
      if (p_ == end_ || !is_digit(*p_)) return false;
      while (p_ != end_ && is_digit(*p_)) ++p_;
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (p_ == end_ || !is_digit(*p_)) return false;
      while (p_ != end_ && is_digit(*p_)) ++p_;
    }
    return true;
  }

  bool skip_literal(std::string_view word) {
    if (static_cast<std::size_t>(end_ - p_) < word.size() ||
        std::memcmp(p_, word.data(), word.size()) != 0) {
      return false;
    }
    p_ += word.size();
    return true;
  }

  // Validates one value at p_ and moves past it. depth counts the
  // containers around it.
  bool skip_value(int depth) {
    if (p_ == end_) return false;
    switch (*p_) {
      case '"':
        return skip_string();
      case '[':
        return skip_container(depth, ']');
      case '{':
        return skip_container(depth, '}');
      case 't':
        return skip_literal("true");
      case 'f':
        return skip_literal("false");
      case 'n':
        return skip_literal("null");
      default:
        return skip_number();
    }
  }

  // p_ at '[' or '{'.
  bool skip_container(int depth, char close) {
    if (depth >= kMaxDepth) return false;
    const bool object = close == '}';
    ++p_;
    skip_ws();
    if (p_ != end_ && *p_ == close) {
      ++p_;
      return true;
    }
    for (;;) {
      if (object) {
        if (p_ == end_ || *p_ != '"' || !skip_string()) return false;
        skip_ws();
        if (p_ == end_ || *p_ != ':') return false;
        ++p_;
        skip_ws();
      }
      if (!skip_value(depth + 1)) return false;
      skip_ws();
      if (p_ == end_) return false;
      if (*p_ == close) {
        ++p_;
        return true;
      }
      if (*p_ != ',') return false;
      ++p_;
      skip_ws();
    }
  }

  // One message: a string decoded, anything else as its JSON text.
  bool decode_element(int depth, std::vector<std::string>& out) {
    if (p_ != end_ && *p_ == '"') return decode_string(out.emplace_back());
    const char* start = p_;
    if (!skip_value(depth)) return false;
    out.emplace_back(start, static_cast<std::size_t>(p_ - start));
    return true;
  }

  // p_ at the '[' of the top-level array.
  bool decode_array(std::vector<std::string>& out) {
    ++p_;
    skip_ws();
    if (p_ != end_ && *p_ == ']') {
      ++p_;
      return true;
    }
    for (;;) {
      if (!decode_element(1, out)) return false;
      skip_ws();
      if (p_ == end_) return false;
      if (*p_ == ']') {
        ++p_;
        return true;
      }
      if (*p_ != ',') return false;
      ++p_;
      skip_ws();
    }
  }

  const char* p_;
  const char* const end_;
};

}  // namespace

void append_json_message(std::string& out, std::string_view text) {
  append_quoted<true>(out, text, kMessageTable, false);
}

void append_json_plain(std::string& out, std::string_view text,
                       bool escape_lt) {
  append_quoted<false>(out, text, escape_lt ? kPlainLtTable : kPlainTable,
                       escape_lt);
}

DecodeStatus decode_messages(std::string_view text, DecodeMode mode,
                             std::vector<std::string>& out) {
  // Structural JSON is ASCII, so checking the whole text once is the same as
  // checking every string, and lets the parser ignore bytes >= 0x80.
  if (!utf8_valid(text)) return DecodeStatus::broken;
  const std::size_t old_size = out.size();
  const DecodeStatus status = Parser(text).run(mode, out);
  if (status != DecodeStatus::ok) {
    out.erase(out.begin() + static_cast<std::ptrdiff_t>(old_size), out.end());
  }
  return status;
}

}  // namespace sockjs::codec
