// Connection-level protections over real sockets: the connection limit,
// TCP keepalive on accepted sockets, and exactly one CLOSE per session
// whichever way its connection ends.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "../loopback/harness.hpp"
#include "../loopback/http_client.hpp"
#include "../loopback/ws_client.hpp"
#include "socket_util.hpp"

namespace hardening {
namespace {

using loopback::Harness;
using loopback::HarnessConfig;
using loopback::RecordedEvent;
using loopback::TcpConn;

// A keep-alive HTTP request on c; true when it was answered 200.
bool served(TcpConn& c) {
  if (!c.send_all(loopback::build_request("GET", "/echo"))) return false;
  loopback::HttpResponse r = loopback::read_response(c, 5000);
  return r.ok && r.status == 200;
}

TEST(MaxConnections, ExcessConnectionsAreClosedAtOnce) {
  HarnessConfig cfg;
  cfg.server_tweak = [](sockjs_server_options* o) {
    EXPECT_EQ(sockjs_server_options_set_max_connections(o, 4), SOCKJS_OK);
  };
  Harness h(cfg);
  ASSERT_TRUE(h.ok()) << h.error();
  TcpConn held[4];
  for (TcpConn& c : held) {
    ASSERT_TRUE(c.connect(h.port()));
    ASSERT_TRUE(served(c));  // accepted and registered by the server
  }
  for (int i = 0; i < 3; ++i) {
    TcpConn extra;
    ASSERT_TRUE(extra.connect(h.port()));  // the kernel completes it...
    extra.send_all(loopback::build_request("GET", "/echo"));
    EXPECT_TRUE(extra.wait_eof(5000));  // ...the server closes it unread
    EXPECT_EQ(extra.buf(), "");
  }
  for (TcpConn& c : held) EXPECT_TRUE(served(c));  // the four go on
  held[0].close();
  // Room for one again, once the server has seen the close.
  bool ok = false;
  for (int attempt = 0; attempt < 50 && !ok; ++attempt) {
    TcpConn again;
    ASSERT_TRUE(again.connect(h.port()));
    ok = served(again);
    if (!ok) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(ok);
  EXPECT_TRUE(h.close_and_wait());
}

// The server side of a client connection, as /proc/net/tcp lists it.
KernelTimer server_side_timer(const Harness& h, TcpConn& c) {
  return tcp_timer(h.port(), c.local_port());
}

TEST(TcpKeepalive, AcceptedSocketsCarryTheKeepaliveTimer) {
  HarnessConfig cfg;
  cfg.server_tweak = [](sockjs_server_options* o) {
    EXPECT_EQ(sockjs_server_options_set_tcp_keepalive_s(o, 7), SOCKJS_OK);
  };
  Harness h(cfg);
  ASSERT_TRUE(h.ok()) << h.error();
  TcpConn c;
  ASSERT_TRUE(c.connect(h.port()));
  ASSERT_TRUE(served(c));
  KernelTimer t{};
  // Wait for the last ACK so the idle socket shows the keepalive timer.
  for (int i = 0; i < 40; ++i) {
    t = server_side_timer(h, c);
    if (t.found && t.kind == 2) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(t.found) << "server socket not in /proc/net/tcp";
  EXPECT_EQ(t.kind, 2) << "no keepalive timer";
  long hz = sysconf(_SC_CLK_TCK);
  EXPECT_LE(t.ticks, static_cast<unsigned long>(7 * hz));  // at most 7 s away
  EXPECT_TRUE(h.close_and_wait());
}

TEST(TcpKeepalive, ZeroTurnsItOff) {
  HarnessConfig cfg;
  cfg.server_tweak = [](sockjs_server_options* o) {
    EXPECT_EQ(sockjs_server_options_set_tcp_keepalive_s(o, 0), SOCKJS_OK);
  };
  Harness h(cfg);
  ASSERT_TRUE(h.ok()) << h.error();
  TcpConn c;
  ASSERT_TRUE(c.connect(h.port()));
  ASSERT_TRUE(served(c));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  KernelTimer t = server_side_timer(h, c);
  ASSERT_TRUE(t.found);
  EXPECT_NE(t.kind, 2);
  EXPECT_TRUE(h.close_and_wait());
}

TEST(TcpKeepalive, OnByDefault) {
  Harness h;
  ASSERT_TRUE(h.ok()) << h.error();
  TcpConn c;
  ASSERT_TRUE(c.connect(h.port()));
  ASSERT_TRUE(served(c));
  KernelTimer t{};
  for (int i = 0; i < 40; ++i) {
    t = server_side_timer(h, c);
    if (t.found && t.kind == 2) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(t.kind, 2);
  EXPECT_LE(t.ticks, static_cast<unsigned long>(60 * sysconf(_SC_CLK_TCK)));
  EXPECT_TRUE(h.close_and_wait());
}

// ------------------------------------------------------------ dead peers

size_t closes_of(const Harness& h, uint64_t conn) {
  return h.count(SOCKJS_EVENT_CLOSE, conn);
}

int close_code(const Harness& h, uint64_t conn) {
  for (const RecordedEvent& e : h.events())
    if (e.type == SOCKJS_EVENT_CLOSE && e.conn == conn) return e.code;
  return 0;
}

TEST(DeadPeerSockets, FinAndResetEachEndTheSessionOnce) {
  Harness h;
  ASSERT_TRUE(h.ok()) << h.error();
  struct Case {
    const char* path;
    bool reset;
  };
  const Case cases[] = {{"/echo/websocket", false},
                        {"/echo/websocket", true},
                        {"/echo/000/a/websocket", false},
                        {"/echo/000/b/websocket", true}};
  size_t index = 0;
  for (const Case& c : cases) {
    loopback::WsClient ws;
    ASSERT_TRUE(ws.open(h.port(), c.path));
    uint64_t conn = h.wait_open(index++);
    ASSERT_NE(conn, 0u);
    ws.conn().close(c.reset);
    ASSERT_TRUE(h.wait_close(conn)) << c.path << (c.reset ? " RST" : " FIN");
    EXPECT_EQ(close_code(h, conn), 1002);
  }
  // An xhr-streaming receiver reset mid-response.
  TcpConn x;
  ASSERT_TRUE(x.connect(h.port()));
  ASSERT_TRUE(
      x.send_all(loopback::build_request("POST", "/echo/000/x/xhr_streaming")));
  uint64_t conn = h.wait_open(index++);
  ASSERT_NE(conn, 0u);
  x.close(true);
  ASSERT_TRUE(h.wait_close(conn));
  EXPECT_EQ(close_code(h, conn), 1002);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  for (const RecordedEvent& e : h.events()) {
    if (e.type == SOCKJS_EVENT_OPEN) {
      EXPECT_EQ(closes_of(h, e.conn), 1u);
    }
  }
  EXPECT_TRUE(h.close_and_wait());
}

TEST(DeadPeerSockets, ShutdownEndsEverySessionOnce) {
  Harness h;
  ASSERT_TRUE(h.ok()) << h.error();
  loopback::WsClient a, b;
  ASSERT_TRUE(a.open(h.port(), "/echo/websocket"));
  ASSERT_TRUE(b.open(h.port(), "/echo/000/s/websocket"));
  TcpConn x;
  ASSERT_TRUE(x.connect(h.port()));
  ASSERT_TRUE(
      x.send_all(loopback::build_request("POST", "/echo/000/x/xhr_streaming")));
  ASSERT_NE(h.wait_open(2), 0u);
  // Messages sent before the shutdown still arrive, then the close.
  uint64_t first = h.wait_open(0);
  ASSERT_EQ(sockjs_conn_send(h.server(), first, "last words", 10), SOCKJS_OK);
  EXPECT_TRUE(h.close_and_wait());
  loopback::WsMessage m = a.read(5000);
  EXPECT_EQ(m.payload, "last words");
  EXPECT_EQ(a.read(5000).close_code(), 1001);
  size_t opens = 0;
  for (const RecordedEvent& e : h.events()) {
    if (e.type != SOCKJS_EVENT_OPEN) continue;
    ++opens;
    EXPECT_EQ(closes_of(h, e.conn), 1u);
    EXPECT_EQ(close_code(h, e.conn), 1001);
  }
  EXPECT_EQ(opens, 3u);
}

}  // namespace
}  // namespace hardening
