// client_addr from X-Forwarded-For / X-Real-IP, believed only from trusted
// proxies (sockjs_server_options_add_trusted_proxy), feed mode.
#include <gtest/gtest.h>
#include <sockjs.h>

#include <string>
#include <vector>

#include "../hardening/feed_server.hpp"

namespace {

using hardening::FeedConfig;
using hardening::FeedServer;
using hardening::req;

// Opens an xhr-polling session from `peer` with the given headers and
// returns its client_addr.
std::string client_addr(FeedServer& f, const char* peer,
                        std::vector<std::string> headers) {
  static int n = 0;
  sockjs_stream_id st = 0;
  EXPECT_EQ(sockjs_server_stream_open(f.server(), peer, 5555, &st), SOCKJS_OK);
  f.feed(st, req("POST", "/echo/000/s" + std::to_string(++n) + "/xhr",
                 std::move(headers)));
  for (auto it = f.events().rbegin(); it != f.events().rend(); ++it) {
    if (it->type != SOCKJS_EVENT_OPEN) continue;
    sockjs_conn_info info;
    info.size = sizeof info;
    if (sockjs_conn_get_info(f.server(), it->conn, &info) != SOCKJS_OK)
      return "?";
    EXPECT_STREQ(info.remote_addr, peer);
    return info.client_addr;
  }
  return "none";
}

FeedConfig with_proxies(std::vector<const char*> cidrs) {
  FeedConfig c;
  c.server = [cidrs](sockjs_server_options* o) {
    for (const char* x : cidrs)
      ASSERT_EQ(sockjs_server_options_add_trusted_proxy(o, x), SOCKJS_OK) << x;
  };
  return c;
}

TEST(ClientAddr, UntrustedPeerHeadersAreIgnored) {
  FeedServer f(with_proxies({"10.0.0.0/8"}));
  EXPECT_EQ(client_addr(f, "198.51.100.7",
                        {"X-Forwarded-For: 1.2.3.4", "X-Real-IP: 5.6.7.8"}),
            "198.51.100.7");
}

TEST(ClientAddr, NoProxiesConfiguredMeansPeer) {
  FeedServer f;
  EXPECT_EQ(client_addr(f, "127.0.0.1", {"X-Forwarded-For: 1.2.3.4"}),
            "127.0.0.1");
}

TEST(ClientAddr, RightmostUntrustedForwardedAddress) {
  FeedServer f(with_proxies({"127.0.0.1", "10.0.0.0/8"}));
  // A client-supplied spoof on the left, then the real client, then an
  // inner proxy: the walk from the right skips 10.1.2.3.
  EXPECT_EQ(client_addr(f, "127.0.0.1",
                        {"X-Forwarded-For: 6.6.6.6, 203.0.113.5, 10.1.2.3"}),
            "203.0.113.5");
  EXPECT_EQ(client_addr(f, "10.9.9.9", {"X-Forwarded-For: 203.0.113.6"}),
            "203.0.113.6");
  // All hops trusted: the leftmost.
  EXPECT_EQ(
      client_addr(f, "127.0.0.1", {"X-Forwarded-For: 10.0.0.1, 10.0.0.2"}),
      "10.0.0.1");
  // Garbage stops the walk at the last trusted hop.
  EXPECT_EQ(client_addr(f, "127.0.0.1",
                        {"X-Forwarded-For: 203.0.113.5, junk, 10.0.0.3"}),
            "10.0.0.3");
  // Ports and brackets are dropped.
  EXPECT_EQ(client_addr(f, "127.0.0.1", {"X-Forwarded-For: 203.0.113.8:4711"}),
            "203.0.113.8");
  EXPECT_EQ(
      client_addr(f, "127.0.0.1", {"X-Forwarded-For: [2001:db8::1]:4711"}),
      "2001:db8::1");
}

TEST(ClientAddr, RealIpWhenNoForwardedFor) {
  FeedServer f(with_proxies({"127.0.0.0/8"}));
  EXPECT_EQ(client_addr(f, "127.0.0.2", {"X-Real-IP: 192.0.2.44"}),
            "192.0.2.44");
  EXPECT_EQ(client_addr(f, "127.0.0.2", {"X-Real-IP: nonsense"}), "127.0.0.2");
  EXPECT_EQ(client_addr(f, "127.0.0.2", {}), "127.0.0.2");
}

TEST(ClientAddr, Ipv6AndMappedPeers) {
  FeedServer f(with_proxies({"::1", "192.168.0.0/16"}));
  EXPECT_EQ(client_addr(f, "::1", {"X-Forwarded-For: 203.0.113.9"}),
            "203.0.113.9");
  // An IPv4 range matches an IPv4-mapped IPv6 peer.
  EXPECT_EQ(client_addr(f, "::ffff:192.168.1.1", {"X-Real-IP: 2001:db8::2"}),
            "2001:db8::2");
}

TEST(ClientAddr, TrustedProxyArgumentsAreChecked) {
  sockjs_server_options* o = nullptr;
  ASSERT_EQ(sockjs_server_options_new(&o), SOCKJS_OK);
  EXPECT_EQ(sockjs_server_options_add_trusted_proxy(o, "10.0.0.0/8"),
            SOCKJS_OK);
  EXPECT_EQ(sockjs_server_options_add_trusted_proxy(o, "fd00::/8"), SOCKJS_OK);
  for (const char* bad : {"", "10.0.0.0/33", "::/129", "example.com",
                          "10.0.0.0/", "1.2.3.4/x", "1.2.3"})
    EXPECT_EQ(sockjs_server_options_add_trusted_proxy(o, bad),
              SOCKJS_E_INVALID_ARGUMENT)
        << bad;
  EXPECT_EQ(sockjs_server_options_add_trusted_proxy(o, nullptr),
            SOCKJS_E_INVALID_ARGUMENT);
  EXPECT_EQ(sockjs_server_options_clear_trusted_proxies(o), SOCKJS_OK);
  sockjs_server_options_free(o);
}

}  // namespace
