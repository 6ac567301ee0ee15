// 1,000 slowloris sockets (half silent, half trickling a request head one
// byte at a time) against a server with a 2 s request timeout: a real
// client keeps echoing meanwhile, and every slow socket is closed.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>
#include <vector>

#include "../loopback/harness.hpp"
#include "../loopback/http_client.hpp"
#include "../loopback/ws_client.hpp"
#include "socket_util.hpp"

namespace hardening {
namespace {

using loopback::Harness;
using loopback::HarnessConfig;

struct Slow {
  int fd = -1;
  bool trickles = false;
  bool closed = false;
  std::string got;
};

// Reads what is there; marks the socket closed on EOF or reset.
void drain(Slow& s) {
  char buf[4096];
  for (;;) {
    ssize_t n = ::recv(s.fd, buf, sizeof buf, 0);
    if (n > 0) {
      s.got.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
      s.closed = true;
    }
    return;
  }
}

TEST(Slowloris, AThousandSlowSocketsDoNotStopARealClient) {
  HarnessConfig cfg;
  cfg.server_tweak = [](sockjs_server_options* o) {
    sockjs_server_options_set_request_timeout_ms(o, 2000);
  };
  Harness h(cfg);
  ASSERT_TRUE(h.ok()) << h.error();

  loopback::WsClient ws;  // opened first: it must outlive the slow ones
  ASSERT_TRUE(ws.open(h.port(), "/echo/websocket"));

  constexpr int kSlow = 1000;
  std::vector<Slow> slow(kSlow);
  for (int i = 0; i < kSlow; ++i) {
    slow[i].fd = connect_nonblocking(h.port());
    ASSERT_GE(slow[i].fd, 0) << "connect " << i;
    slow[i].trickles = i % 2 == 1;
    // The first byte goes at once: the request timeout runs from the
    // accept, and a thousand connects can take a while.
    if (slow[i].trickles) (void)::send(slow[i].fd, "G", 1, MSG_NOSIGNAL);
  }
  const std::string head =
      "GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
  auto start = std::chrono::steady_clock::now();
  auto deadline = start + std::chrono::seconds(20);
  size_t round = 1;
  int echoes = 0;
  int open_left = kSlow;
  while (open_left > 0 && std::chrono::steady_clock::now() < deadline) {
    // One byte more on every trickling socket, every 250 ms: each keeps
    // its head incomplete for longer than the request timeout.
    if (round < head.size()) {
      for (Slow& s : slow) {
        if (s.trickles && !s.closed)
          (void)::send(s.fd, head.data() + round, 1, MSG_NOSIGNAL);
      }
    }
    ++round;
    // The real client is served all along.
    std::string msg = "ping " + std::to_string(round);
    ASSERT_TRUE(ws.send_text(msg));
    loopback::WsMessage m = ws.read(5000);
    ASSERT_EQ(m.opcode, 1) << "round " << round;
    EXPECT_EQ(m.payload, msg);
    ++echoes;
    if (round % 4 == 0) {
      loopback::HttpResponse r =
          loopback::http_request(h.port(), "GET", "/echo/info", "", "", 5000);
      EXPECT_EQ(r.status, 200) << "round " << round;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    open_left = 0;
    for (Slow& s : slow) {
      if (!s.closed) drain(s);
      open_left += !s.closed;
    }
  }
  EXPECT_EQ(open_left, 0) << "slow sockets still open after 20 s";
  EXPECT_GT(echoes, 0);
  int answered_408 = 0;
  for (Slow& s : slow) {
    if (s.trickles) {
      // Something arrived, so the server says why before it hangs up.
      EXPECT_EQ(s.got.rfind("HTTP/1.1 408", 0), 0u) << s.got.substr(0, 40);
      answered_408 += s.got.rfind("HTTP/1.1 408", 0) == 0;
    } else {
      EXPECT_EQ(s.got, "");  // silent sockets are closed without a word
    }
    ::close(s.fd);
  }
  EXPECT_EQ(answered_408, kSlow / 2);
  // The WebSocket is past its handshake: no request timeout applies.
  ASSERT_TRUE(ws.send_text("still here"));
  EXPECT_EQ(ws.read(5000).payload, "still here");
  EXPECT_TRUE(h.close_and_wait());
}

}  // namespace
}  // namespace hardening
