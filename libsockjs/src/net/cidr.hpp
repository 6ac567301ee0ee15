// IP address ranges (trusted proxies) and the client address a request
// came from when it passed through such proxies.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sockjs::net {

// An IPv4 or IPv6 range; IPv4 is kept as IPv4-mapped IPv6 (::ffff:a.b.c.d)
// so that either spelling of an IPv4 peer matches.
struct Cidr {
  std::array<uint8_t, 16> addr{};
  int bits = 128;
};

// Parses "203.0.113.7", "10.0.0.0/8", "::1", "fd00::/8". False when the
// text is not one of these forms (or the prefix length is out of range).
bool parse_cidr(std::string_view text, Cidr& out);
// Parses one address; also accepts "a.b.c.d:port" and "[v6]:port" (as
// X-Forwarded-For entries sometimes carry), dropping the port.
bool parse_ip(std::string_view text, std::array<uint8_t, 16>& out);
bool cidr_contains(const Cidr& c, const std::array<uint8_t, 16>& ip);
bool in_any(const std::vector<Cidr>& list, const std::array<uint8_t, 16>& ip);

// The client's address: the peer's own, unless the peer is a trusted proxy.
// Then the X-Forwarded-For list is walked from the right (the entry the
// nearest proxy added) past every trusted address; the first untrusted one
// is the client. If every entry is trusted the leftmost is used; an entry
// that is not an address stops the walk at the last trusted hop. Without
// X-Forwarded-For, X-Real-IP is used when it is an address.
std::string client_address(std::string_view peer, const std::string* xff,
                           const std::string* x_real_ip,
                           const std::vector<Cidr>& trusted);

}  // namespace sockjs::net
