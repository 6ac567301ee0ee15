#include "sockjs_frames.hpp"

#include <cstdio>
#include <cstdlib>

#include "../common/json_oracle.hpp"

namespace loopback {

using sockjs_oracle::decode_json_string;

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
      if (!decode_json_string(f, i, m)) return fr;
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
    if (!decode_json_string(f, i, fr.close_reason)) return fr;
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
