#include "sockjs_frame.hpp"

#include <cstdint>

namespace bench {

namespace {
void put_utf8(std::string &s, uint32_t cp) {
  if (cp < 0x80) {
    s.push_back(char(cp));
  } else if (cp < 0x800) {
    s.push_back(char(0xC0 | (cp >> 6)));
    s.push_back(char(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    s.push_back(char(0xE0 | (cp >> 12)));
    s.push_back(char(0x80 | ((cp >> 6) & 0x3F)));
    s.push_back(char(0x80 | (cp & 0x3F)));
  } else {
    s.push_back(char(0xF0 | (cp >> 18)));
    s.push_back(char(0x80 | ((cp >> 12) & 0x3F)));
    s.push_back(char(0x80 | ((cp >> 6) & 0x3F)));
    s.push_back(char(0x80 | (cp & 0x3F)));
  }
}
int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

bool parse_array_frame(std::string_view f, std::vector<std::string> &out) {
  if (f.size() < 3 || f[0] != 'a' || f[1] != '[') return false;
  size_t i = 2;
  if (f[i] == ']') return i + 1 == f.size();
  for (;;) {
    if (i >= f.size() || f[i] != '"') return false;
    ++i;
    std::string s;
    size_t run = i;
    for (;;) {
      if (i >= f.size()) return false;
      char c = f[i];
      if (c == '"') break;
      if (c != '\\') {
        ++i;
        continue;
      }
      s.append(f.data() + run, i - run);
      if (i + 1 >= f.size()) return false;
      char e = f[i + 1];
      i += 2;
      switch (e) {
        case '"':
          s.push_back('"');
          break;
        case '\\':
          s.push_back('\\');
          break;
        case '/':
          s.push_back('/');
          break;
        case 'b':
          s.push_back('\b');
          break;
        case 'f':
          s.push_back('\f');
          break;
        case 'n':
          s.push_back('\n');
          break;
        case 'r':
          s.push_back('\r');
          break;
        case 't':
          s.push_back('\t');
          break;
        case 'u': {
          if (i + 4 > f.size()) return false;
          uint32_t cp = 0;
          for (int k = 0; k < 4; ++k) {
            int h = hexval(f[i + k]);
            if (h < 0) return false;
            cp = cp * 16 + uint32_t(h);
          }
          i += 4;
          put_utf8(s, cp);  // surrogates kept as is (WTF-8); we never send them
          break;
        }
        default:
          return false;
      }
      run = i;
    }
    s.append(f.data() + run, i - run);
    out.push_back(std::move(s));
    ++i;  // closing quote
    if (i >= f.size()) return false;
    if (f[i] == ']') return i + 1 == f.size();
    if (f[i] != ',') return false;
    ++i;
  }
}

std::string encode_send(std::string_view payload) {
  std::string s;
  s.reserve(payload.size() + 4);
  s.append("[\"");
  s.append(payload);
  s.append("\"]");
  return s;
}

std::string make_payload(const std::string &tag, uint64_t seq, size_t size) {
  std::string s = tag;
  s.push_back('-');
  s.append(std::to_string(seq));
  s.push_back('-');
  static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  for (size_t i = 0; s.size() < size; ++i)
    s.push_back(alphabet[(seq + i * 7) % 36]);
  if (s.size() > size && size > 0)
    s.resize(size);  // tiny sizes: tag may be cut
  return s;
}

}  // namespace bench
