#include "net/cidr.hpp"

#include <arpa/inet.h>

#include <cstring>

namespace sockjs::net {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

bool parse_plain(std::string_view text, std::array<uint8_t, 16>& out) {
  if (text.empty() || text.size() > 45) return false;
  char buf[46];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  uint8_t v4[4];
  if (inet_pton(AF_INET, buf, v4) == 1) {
    out.fill(0);
    out[10] = out[11] = 0xff;
    std::memcpy(out.data() + 12, v4, 4);
    return true;
  }
  return inet_pton(AF_INET6, buf, out.data()) == 1;
}

std::string to_text(const std::array<uint8_t, 16>& ip) {
  static const uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  char buf[INET6_ADDRSTRLEN] = "";
  if (std::memcmp(ip.data(), kMapped, 12) == 0)
    inet_ntop(AF_INET, ip.data() + 12, buf, sizeof buf);
  else
    inet_ntop(AF_INET6, ip.data(), buf, sizeof buf);
  return buf;
}

}  // namespace

bool parse_ip(std::string_view text, std::array<uint8_t, 16>& out) {
  text = trim(text);
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos) return false;
    return parse_plain(text.substr(1, close - 1), out);
  }
  size_t colon = text.find(':');
  if (colon != std::string_view::npos &&
      text.find(':', colon + 1) == std::string_view::npos)
    text = text.substr(0, colon);  // "a.b.c.d:port"
  return parse_plain(text, out);
}

bool parse_cidr(std::string_view text, Cidr& out) {
  size_t slash = text.find('/');
  std::string_view addr = text.substr(0, slash);
  if (!parse_plain(addr, out.addr)) return false;
  bool v4 = addr.find(':') == std::string_view::npos;
  int bits = 128;
  if (slash != std::string_view::npos) {
    std::string_view n = text.substr(slash + 1);
    if (n.empty() || n.size() > 3) return false;
    bits = 0;
    for (char c : n) {
      if (c < '0' || c > '9') return false;
      bits = bits * 10 + (c - '0');
    }
    if (bits > (v4 ? 32 : 128)) return false;
    if (v4) bits += 96;
  }
  out.bits = bits;
  return true;
}

bool cidr_contains(const Cidr& c, const std::array<uint8_t, 16>& ip) {
  int full = c.bits / 8, rest = c.bits % 8;
  if (std::memcmp(c.addr.data(), ip.data(), static_cast<size_t>(full)) != 0)
    return false;
  if (rest == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (c.addr[static_cast<size_t>(full)] & mask) ==
         (ip[static_cast<size_t>(full)] & mask);
}

bool in_any(const std::vector<Cidr>& list, const std::array<uint8_t, 16>& ip) {
  for (const Cidr& c : list)
    if (cidr_contains(c, ip)) return true;
  return false;
}

std::string client_address(std::string_view peer, const std::string* xff,
                           const std::string* x_real_ip,
                           const std::vector<Cidr>& trusted) {
  std::array<uint8_t, 16> ip;
  if (trusted.empty() || !parse_ip(peer, ip) || !in_any(trusted, ip))
    return std::string(peer);
  std::string hop(peer);  // the nearest trusted address so far
  if (xff && !trim(*xff).empty()) {
    std::string_view list(*xff);
    while (!list.empty()) {
      size_t comma = list.rfind(',');
      std::string_view entry =
          comma == std::string_view::npos ? list : list.substr(comma + 1);
      list = comma == std::string_view::npos ? std::string_view()
                                             : list.substr(0, comma);
      if (!parse_ip(entry, ip)) return hop;  // garbage: trust stops here
      hop = to_text(ip);
      if (!in_any(trusted, ip)) return hop;
    }
    return hop;  // every hop trusted: the leftmost
  }
  if (x_real_ip && parse_ip(*x_real_ip, ip)) return to_text(ip);
  return std::string(peer);
}

}  // namespace sockjs::net
