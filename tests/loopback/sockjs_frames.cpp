#include "sockjs_frames.hpp"

#include <cstdio>
#include <cstdlib>

namespace loopback {

namespace {

void append_utf8(std::string& out, unsigned long cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool hex4(std::string_view s, size_t at, unsigned long& v) {
  if (at + 4 > s.size()) return false;
  std::string h(s.substr(at, 4));
  char* end = nullptr;
  v = std::strtoul(h.c_str(), &end, 16);
  return end == h.c_str() + 4;
}

// Parses a JSON string starting at s[i] == '"'; advances i past it.
bool parse_string(std::string_view s, size_t& i, std::string& out) {
  if (i >= s.size() || s[i] != '"') return false;
  ++i;
  out.clear();
  while (i < s.size()) {
    char ch = s[i++];
    if (ch == '"') return true;
    if (ch != '\\') {
      out.push_back(ch);
      continue;
    }
    if (i >= s.size()) return false;
    char e = s[i++];
    switch (e) {
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
        unsigned long cp;
        if (!hex4(s, i, cp)) return false;
        i += 4;
        if (cp >= 0xD800 && cp < 0xDC00 && i + 6 <= s.size() && s[i] == '\\' &&
            s[i + 1] == 'u') {
          unsigned long lo;
          if (hex4(s, i + 2, lo) && lo >= 0xDC00 && lo < 0xE000) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            i += 6;
          }
        }
        append_utf8(out, cp);
        break;
      }
      default:
        return false;
    }
  }
  return false;
}

}  // namespace

std::string json_quote(std::string_view text) {
  std::string out = "\"";
  for (char ch : text) {
    unsigned char u = static_cast<unsigned char>(ch);
    if (ch == '"' || ch == '\\') {
      out.push_back('\\');
      out.push_back(ch);
    } else if (u < 0x20) {
      char esc[8];
      std::snprintf(esc, sizeof esc, "\\u%04x", u);
      out += esc;
    } else {
      out.push_back(ch);
    }
  }
  return out + "\"";
}

std::string json_array(const std::vector<std::string>& msgs) {
  std::string out = "[";
  for (size_t i = 0; i < msgs.size(); ++i) {
    if (i) out.push_back(',');
    out += json_quote(msgs[i]);
  }
  return out + "]";
}

Frame parse_frame(std::string_view f) {
  Frame fr;
  if (!f.empty() && f.back() == '\n') f.remove_suffix(1);
  if (f == "o" || f == "h") {
    fr.type = f[0];
    return fr;
  }
  if (f.size() < 3 || f[1] != '[' || f.back() != ']') return fr;
  if (f[0] == 'a') {
    size_t i = 2;
    std::string m;
    while (i < f.size() - 1) {
      if (!parse_string(f, i, m)) return fr;
      fr.messages.push_back(m);
      if (f[i] == ',')
        ++i;
      else if (i != f.size() - 1)
        return fr;
    }
    fr.type = 'a';
  } else if (f[0] == 'c') {
    size_t i = 2;
    char* end = nullptr;
    std::string num(f.substr(i));
    fr.close_code = static_cast<int>(std::strtol(num.c_str(), &end, 10));
    i += static_cast<size_t>(end - num.c_str());
    if (i >= f.size() || f[i] != ',') return fr;
    ++i;
    if (!parse_string(f, i, fr.close_reason)) return fr;
    fr.type = 'c';
  }
  return fr;
}

std::vector<Frame> parse_frames(std::string_view body) {
  std::vector<Frame> out;
  size_t start = 0;
  while (start < body.size()) {
    size_t nl = body.find('\n', start);
    if (nl == std::string_view::npos) nl = body.size();
    out.push_back(parse_frame(body.substr(start, nl - start)));
    start = nl + 1;
  }
  return out;
}

}  // namespace loopback
