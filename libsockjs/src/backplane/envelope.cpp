#include "backplane/envelope.hpp"

#include <cinttypes>
#include <cstdio>

namespace sockjs::backplane {

namespace {

// Reads digits (base 10 or 16) up to the separator; false on anything else
// or on overflow.
bool read_number(std::string_view& in, char sep, int base, uint64_t& out) {
  size_t i = 0;
  uint64_t v = 0;
  for (; i < in.size() && in[i] != sep; ++i) {
    char c = in[i];
    uint64_t d;
    if (c >= '0' && c <= '9')
      d = static_cast<uint64_t>(c - '0');
    else if (base == 16 && c >= 'a' && c <= 'f')
      d = static_cast<uint64_t>(c - 'a' + 10);
    else
      return false;
    if (v > (UINT64_MAX - d) / static_cast<uint64_t>(base)) return false;
    v = v * static_cast<uint64_t>(base) + d;
  }
  if (i == 0 || i > 20 || i == in.size()) return false;
  in.remove_prefix(i + 1);
  out = v;
  return true;
}

}  // namespace

std::string encode(const Envelope& e) {
  char head[96];
  int n = std::snprintf(head, sizeof head,
                        "SJ1 %c %016" PRIx64 " %" PRIu64 " %zu %zu\n",
                        static_cast<char>(e.target), e.origin, e.conn,
                        e.prefix.size(), e.channel.size());
  std::string out;
  out.reserve(static_cast<size_t>(n) + e.prefix.size() + e.channel.size() +
              e.text.size());
  out.append(head, static_cast<size_t>(n));
  out.append(e.prefix).append(e.channel).append(e.text);
  return out;
}

bool decode(std::string_view in, Envelope& out) {
  if (in.size() < 6 || in.substr(0, 4) != "SJ1 " || in[5] != ' ') return false;
  char kind = in[4];
  if (kind != 'c' && kind != 's' && kind != 'p') return false;
  in.remove_prefix(6);
  uint64_t origin, conn, plen, clen;
  if (!read_number(in, ' ', 16, origin) || !read_number(in, ' ', 10, conn) ||
      !read_number(in, ' ', 10, plen) || !read_number(in, '\n', 10, clen))
    return false;
  if (plen > in.size() || clen > in.size() - plen) return false;
  out.target = static_cast<Target>(kind);
  out.origin = origin;
  out.conn = conn;
  out.prefix = in.substr(0, plen);
  out.channel = in.substr(plen, clen);
  out.text = in.substr(plen + clen);
  return true;
}

}  // namespace sockjs::backplane
