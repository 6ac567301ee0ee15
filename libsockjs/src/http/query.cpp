#include "http/query.hpp"

namespace sockjs::http {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void decode_into(std::string_view in, std::string& out) {
  out.clear();
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%' && i + 2 < in.size() && hex_value(in[i + 1]) >= 0 &&
               hex_value(in[i + 2]) >= 0) {
      out.push_back(
          static_cast<char>(hex_value(in[i + 1]) * 16 + hex_value(in[i + 2])));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
}

}  // namespace

bool form_field(std::string_view form, std::string_view name,
                std::string& out) {
  while (!form.empty()) {
    size_t amp = form.find('&');
    std::string_view pair = form.substr(0, amp);
    size_t eq = pair.find('=');
    std::string_view key = pair.substr(0, eq);
    // Field names are compared raw; SockJS only uses c, callback and d.
    if (key == name) {
      decode_into(eq == std::string_view::npos ? std::string_view()
                                               : pair.substr(eq + 1),
                  out);
      return true;
    }
    if (amp == std::string_view::npos) break;
    form.remove_prefix(amp + 1);
  }
  return false;
}

}  // namespace sockjs::http
