// Server lifecycle through the runner: graceful shutdown, free without
// close, listen errors, sends to gone sessions, many idle connections.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <future>
#include <map>
#include <thread>

#include "harness.hpp"
#include "http_client.hpp"
#include "sockjs_frames.hpp"
#include "ws_client.hpp"

namespace loopback {
namespace {

void settle() { std::this_thread::sleep_for(std::chrono::milliseconds(300)); }

uint64_t open_with_transport(const Harness& h, const std::string& transport) {
  uint64_t found = 0;
  h.wait_for([&](const std::vector<RecordedEvent>& evs) {
    for (const auto& e : evs)
      if (e.type == SOCKJS_EVENT_OPEN && e.data == transport) found = e.conn;
    return found != 0;
  });
  return found;
}

// Messages sent just before sockjs_server_close still reach the clients,
// followed by the close frame; every session gets one CLOSE, and
// SERVER_CLOSED comes last.
TEST(Shutdown, FlushesQueuedMessagesThenCloses) {
  Harness h;
  ASSERT_TRUE(h.ok()) << h.error();
  WsClient ws;
  ASSERT_TRUE(ws.open(h.port(), "/echo/000/sd/websocket"));
  ASSERT_EQ(ws.read().payload, "o");
  ASSERT_EQ(http_request(h.port(), "POST", "/echo/000/sdp/xhr").body, "o\n");
  TcpConn parked;
  ASSERT_TRUE(parked.connect(h.port()));
  ASSERT_TRUE(parked.send_all(build_request("POST", "/echo/000/sdp/xhr")));
  WsClient raw;
  ASSERT_TRUE(raw.open(h.port(), "/echo/websocket"));
  uint64_t ws_conn = open_with_transport(h, "websocket");
  uint64_t poll_conn = open_with_transport(h, "xhr-polling");
  uint64_t raw_conn = open_with_transport(h, "websocket-raw");
  ASSERT_NE(ws_conn, 0u);
  ASSERT_NE(poll_conn, 0u);
  ASSERT_NE(raw_conn, 0u);
  settle();  // the second poll is parked

  ASSERT_EQ(sockjs_conn_send(h.server(), ws_conn, "last-ws", 7), SOCKJS_OK);
  ASSERT_EQ(sockjs_conn_send(h.server(), poll_conn, "last-poll", 9), SOCKJS_OK);
  ASSERT_EQ(sockjs_conn_send(h.server(), raw_conn, "last-raw", 8), SOCKJS_OK);
  EXPECT_TRUE(h.close_and_wait());
  EXPECT_EQ(sockjs_server_close(h.server()), SOCKJS_OK);  // harmless again

  WsMessage m = ws.read();
  EXPECT_EQ(m.payload, "a[\"last-ws\"]");
  m = ws.read();
  EXPECT_EQ(m.payload, "c[1001,\"Going away\"]");
  m = ws.read();
  EXPECT_EQ(m.opcode, 8);
  EXPECT_TRUE(ws.conn().wait_eof());

  HttpResponse r = read_response(parked);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "a[\"last-poll\"]\n");

  m = raw.read();
  EXPECT_EQ(m.opcode, 1);
  EXPECT_EQ(m.payload, "last-raw");
  m = raw.read();
  EXPECT_EQ(m.opcode, 8);
  EXPECT_EQ(m.close_code(), 1001);

  for (uint64_t c : {ws_conn, poll_conn, raw_conn}) {
    EXPECT_EQ(h.count(SOCKJS_EVENT_CLOSE, c), 1u) << c;
    for (const auto& e : h.events()) {
      if (e.type == SOCKJS_EVENT_CLOSE && e.conn == c) {
        EXPECT_EQ(e.code, 1001);
      }
    }
  }
  EXPECT_EQ(h.count(SOCKJS_EVENT_SERVER_CLOSED), 1u);
  // Nothing is accepted any more.
  TcpConn late;
  bool refused = !late.connect(h.port()) ||
                 !late.send_all(build_request("GET", "/echo/info")) ||
                 !read_response(late, 2000).ok;
  EXPECT_TRUE(refused);
}

TEST(Shutdown, AfterCloseSendsAreRefused) {
  Harness h;
  ASSERT_TRUE(h.ok()) << h.error();
  WsClient ws;
  ASSERT_TRUE(ws.open(h.port(), "/echo/000/sr/websocket"));
  uint64_t conn = h.wait_open();
  ASSERT_EQ(sockjs_server_close(h.server()), SOCKJS_OK);
  int rc = sockjs_conn_send(h.server(), conn, "x", 1);
  EXPECT_TRUE(rc == SOCKJS_E_CLOSED || rc == SOCKJS_E_UNKNOWN_CONN)
      << sockjs_status_name(rc);
  EXPECT_TRUE(h.close_and_wait());
}

TEST(Shutdown, ServerWithoutClientsClosesAtOnce) {
  Harness h;
  ASSERT_TRUE(h.ok()) << h.error();
  EXPECT_TRUE(h.close_and_wait());
  EXPECT_EQ(h.events().size(), 1u);
}

TEST(Send, UnknownAndClosedSessions) {
  HarnessConfig cfg;
  cfg.echo = false;
  // A closed polling session lingers for disconnect_delay (closing state)
  // before it is gone; long enough for the checks, short enough to wait.
  cfg.services = {{"/echo", [](sockjs_options* o) {
                     sockjs_options_set_disconnect_delay_ms(o, 1000);
                   }}};
  Harness h(cfg);
  ASSERT_TRUE(h.ok()) << h.error();
  EXPECT_EQ(sockjs_conn_send(h.server(), 987654321, "x", 1),
            SOCKJS_E_UNKNOWN_CONN);
  EXPECT_EQ(sockjs_conn_close(h.server(), 987654321, 1000, nullptr),
            SOCKJS_E_UNKNOWN_CONN);
  ASSERT_EQ(http_request(h.port(), "POST", "/echo/000/gone/xhr").body, "o\n");
  uint64_t conn = h.wait_open();
  ASSERT_NE(conn, 0u);
  EXPECT_EQ(sockjs_conn_send(h.server(), conn, "\xff", 1),
            SOCKJS_E_INVALID_ARGUMENT);  // not UTF-8
  EXPECT_EQ(sockjs_conn_close(h.server(), conn, 999, nullptr),
            SOCKJS_E_INVALID_ARGUMENT);  // not 1000 or 3000..4999
  ASSERT_EQ(sockjs_conn_close(h.server(), conn, 3000, "bye"), SOCKJS_OK);
  // Closing: no more sends, and only one close wins.
  EXPECT_EQ(sockjs_conn_send(h.server(), conn, "x", 1), SOCKJS_E_CLOSED);
  EXPECT_EQ(sockjs_conn_close(h.server(), conn, 3000, "again"),
            SOCKJS_E_CLOSED);
  EXPECT_EQ(http_request(h.port(), "POST", "/echo/000/gone/xhr").body,
            "c[3000,\"bye\"]\n");
  ASSERT_TRUE(h.wait_close(conn));
  // Gone: the id is unknown from now on.
  EXPECT_EQ(sockjs_conn_send(h.server(), conn, "x", 1), SOCKJS_E_UNKNOWN_CONN);
  EXPECT_EQ(sockjs_conn_close(h.server(), conn, 1000, nullptr),
            SOCKJS_E_UNKNOWN_CONN);
  EXPECT_TRUE(h.close_and_wait());
  EXPECT_EQ(h.count(SOCKJS_EVENT_CLOSE, conn), 1u);
  for (const auto& e : h.events()) {
    if (e.type == SOCKJS_EVENT_CLOSE) {
      EXPECT_EQ(e.code, 3000);
      EXPECT_EQ(e.data, "bye");
    }
  }
}

// A WebSocket session goes away as soon as it is closed: a send right
// after the close sees it closing or already gone, never OK.
TEST(Send, ToAClosedWebSocketSession) {
  HarnessConfig cfg;
  cfg.echo = false;
  Harness h(cfg);
  ASSERT_TRUE(h.ok()) << h.error();
  WsClient ws;
  ASSERT_TRUE(ws.open(h.port(), "/echo/000/wsg/websocket"));
  uint64_t conn = h.wait_open();
  ASSERT_EQ(sockjs_conn_close(h.server(), conn, 3000, "bye"), SOCKJS_OK);
  int rc = sockjs_conn_send(h.server(), conn, "x", 1);
  EXPECT_TRUE(rc == SOCKJS_E_CLOSED || rc == SOCKJS_E_UNKNOWN_CONN)
      << sockjs_status_name(rc);
  EXPECT_EQ(ws.read().payload, "o");
  EXPECT_EQ(ws.read().payload, "c[3000,\"bye\"]");
  EXPECT_EQ(ws.read().opcode, 8);
  ASSERT_TRUE(h.wait_close(conn));
  EXPECT_EQ(sockjs_conn_send(h.server(), conn, "x", 1), SOCKJS_E_UNKNOWN_CONN);
}

// sockjs_server_free without sockjs_server_close, with clients connected:
// returns (the I/O thread is joined), drops every connection, and leaks
// nothing (ASan's leak check runs over this test).
TEST(Free, WithoutCloseWhileClientsAreConnected) {
  Harness h;
  ASSERT_TRUE(h.ok()) << h.error();
  WsClient ws;
  ASSERT_TRUE(ws.open(h.port(), "/echo/000/fr/websocket"));
  ASSERT_EQ(ws.read().payload, "o");
  ASSERT_EQ(http_request(h.port(), "POST", "/echo/000/frp/xhr").body, "o\n");
  TcpConn parked;
  ASSERT_TRUE(parked.connect(h.port()));
  ASSERT_TRUE(parked.send_all(build_request("POST", "/echo/000/frp/xhr")));
  TcpConn half;  // a request head that never completes
  ASSERT_TRUE(half.connect(h.port()));
  ASSERT_TRUE(half.send_all("GET /echo/info HTTP/1.1\r\nHost: x\r\n"));
  ASSERT_TRUE(ws.send_text("[\"queued\"]"));
  settle();
  auto freed = std::async(std::launch::async, [&] { h.free_now(); });
  ASSERT_EQ(freed.wait_for(std::chrono::seconds(20)), std::future_status::ready)
      << "sockjs_server_free hung";
  EXPECT_TRUE(parked.wait_eof());
  EXPECT_TRUE(half.wait_eof());
  // The WebSocket may get the echo first; then the connection ends.
  EXPECT_TRUE(ws.conn().wait_eof());
}

TEST(Free, UnstartedAndNull) {
  sockjs_server_free(nullptr);
  sockjs_server* s = nullptr;
  ASSERT_EQ(sockjs_server_new(nullptr, &s, nullptr), SOCKJS_OK);
  ASSERT_EQ(sockjs_server_add_service(s, nullptr, nullptr), SOCKJS_OK);
  sockjs_server_free(s);
}

// A host that blocks SIGUSR1 only after listen() (as sockjs-testserver
// does with SIGTERM before its signalfd) must still be the one to get it:
// the library's I/O thread blocks every signal. Were it not blocked there,
// the default action would kill this test process.
TEST(Listen, TheIoThreadTakesNoSignals) {
  HarnessConfig cfg;
  cfg.app_thread = false;
  Harness h(cfg);
  ASSERT_TRUE(h.ok()) << h.error();
  sigset_t usr1, old;
  sigemptyset(&usr1);
  sigaddset(&usr1, SIGUSR1);
  ASSERT_EQ(pthread_sigmask(SIG_BLOCK, &usr1, &old), 0);
  ASSERT_EQ(kill(getpid(), SIGUSR1), 0);
  struct timespec ts = {5, 0};
  EXPECT_EQ(sigtimedwait(&usr1, nullptr, &ts), SIGUSR1);
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

TEST(Listen, PortInUseIsAnIoErrorWithText) {
  Harness h;
  ASSERT_TRUE(h.ok()) << h.error();
  sockjs_server* s = nullptr;
  char err[SOCKJS_ERRBUF_SIZE];
  ASSERT_EQ(sockjs_server_new(nullptr, &s, err), SOCKJS_OK);
  ASSERT_EQ(sockjs_server_add_service(s, nullptr, nullptr), SOCKJS_OK);
  std::memset(err, 0, sizeof err);
  uint16_t bound = 4242;
  EXPECT_EQ(sockjs_server_listen(s, "127.0.0.1", h.port(), &bound, err),
            SOCKJS_E_IO);
  EXPECT_GT(std::strlen(err), 0u);
  EXPECT_LT(std::strlen(err), static_cast<size_t>(SOCKJS_ERRBUF_SIZE));
  EXPECT_NE(std::string(err).find("in use"), std::string::npos) << err;
  EXPECT_EQ(bound, 4242);  // untouched on failure
  // The failed server can still listen elsewhere.
  EXPECT_EQ(sockjs_server_listen(s, "127.0.0.1", 0, &bound, err), SOCKJS_OK)
      << err;
  EXPECT_NE(bound, 0);
  EXPECT_NE(bound, h.port());
  sockjs_server_free(s);
}

TEST(Listen, TwiceIsAStateErrorAndServicesAreFrozen) {
  Harness h;
  ASSERT_TRUE(h.ok()) << h.error();
  char err[SOCKJS_ERRBUF_SIZE] = "";
  uint16_t bound = 0;
  EXPECT_EQ(sockjs_server_listen(h.server(), "127.0.0.1", 0, &bound, err),
            SOCKJS_E_STATE);
  EXPECT_EQ(sockjs_server_add_service(h.server(), nullptr, nullptr),
            SOCKJS_E_STATE);
  sockjs_stream_id st = 0;
  EXPECT_EQ(sockjs_server_stream_open(h.server(), "1.2.3.4", 1, &st),
            SOCKJS_E_STATE);
}

TEST(Listen, BadAddressIsAnIoError) {
  sockjs_server* s = nullptr;
  char err[SOCKJS_ERRBUF_SIZE] = "";
  ASSERT_EQ(sockjs_server_new(nullptr, &s, err), SOCKJS_OK);
  // 192.0.2.1 (TEST-NET-1) is not an address of this machine.
  EXPECT_EQ(sockjs_server_listen(s, "192.0.2.1", 0, nullptr, err), SOCKJS_E_IO);
  EXPECT_GT(std::strlen(err), 0u);
  sockjs_server_free(s);
}

// 1000 WebSocket connections opened and held, then all closed by the
// clients: 1000 OPEN and 1000 CLOSE events, each session closed once.
TEST(ManyConnections, ThousandIdleWebSockets) {
  constexpr size_t kConns = 1000;
  // Both ends live in this process: about 2 * kConns descriptors.
  struct rlimit rl;
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &rl), 0);
  if (rl.rlim_cur < 2 * kConns + 200) {
    rl.rlim_cur = std::min<rlim_t>(rl.rlim_max, 4 * kConns);
    setrlimit(RLIMIT_NOFILE, &rl);
    getrlimit(RLIMIT_NOFILE, &rl);
    if (rl.rlim_cur < 2 * kConns + 200)
      GTEST_SKIP() << "RLIMIT_NOFILE too low: " << rl.rlim_cur;
  }
  HarnessConfig cfg;
  cfg.echo = false;
  Harness h(cfg);
  ASSERT_TRUE(h.ok()) << h.error();
  std::vector<WsClient> clients(kConns);
  for (size_t i = 0; i < kConns; ++i)
    ASSERT_TRUE(clients[i].open(h.port(), "/echo/websocket")) << i;
  ASSERT_TRUE(h.wait_for(
      [&](const std::vector<RecordedEvent>& evs) {
        size_t n = 0;
        for (const auto& e : evs) n += e.type == SOCKJS_EVENT_OPEN;
        return n == kConns;
      },
      30000));
  // All still alive: a message to the last one arrives.
  auto evs = h.events();
  uint64_t last = 0;
  for (const auto& e : evs)
    if (e.type == SOCKJS_EVENT_OPEN) last = e.conn;
  ASSERT_EQ(sockjs_conn_send(h.server(), last, "ping", 4), SOCKJS_OK);
  // Clients connect one after another, so the last OPEN is the last client.
  EXPECT_EQ(clients.back().read().payload, "ping");
  for (auto& c : clients) c.conn().close();
  ASSERT_TRUE(h.wait_for(
      [&](const std::vector<RecordedEvent>& e2) {
        size_t n = 0;
        for (const auto& e : e2) n += e.type == SOCKJS_EVENT_CLOSE;
        return n == kConns;
      },
      30000));
  EXPECT_TRUE(h.close_and_wait());
  std::map<uint64_t, int> closes;
  for (const auto& e : h.events())
    if (e.type == SOCKJS_EVENT_CLOSE) {
      ++closes[e.conn];
      EXPECT_EQ(e.code, 1002);
    }
  EXPECT_EQ(closes.size(), kConns);
  for (const auto& kv : closes) EXPECT_EQ(kv.second, 1);
}

}  // namespace
}  // namespace loopback
