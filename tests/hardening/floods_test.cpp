// Floods: a WebSocket peer that never reads while the application keeps
// sending (memory stays bounded, send says SOCKJS_E_AGAIN, DRAIN follows),
// and 100 MiB of random bytes at a WebSocket and at the HTTP parser.
#include <gtest/gtest.h>
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

constexpr size_t kMiB = 1024 * 1024;
constexpr size_t kFlood = 100 * kMiB;

int64_t ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now() - t)
      .count();
}

TEST(Floods, SlowConsumerKeepsServerMemoryBounded) {
  HarnessConfig cfg;
  cfg.echo = false;
  Harness h(cfg);
  ASSERT_TRUE(h.ok()) << h.error();
  loopback::WsClient ws;
  ASSERT_TRUE(ws.open(h.port(), "/echo/websocket", "", 4096));
  uint64_t conn = h.wait_open();
  ASSERT_NE(conn, 0u);

  const std::string msg(16 * 1024, 'x');
  size_t rss_before = rss_bytes();
  size_t peak = rss_before;
  long ok = 0, again = 0;
  // Two seconds of trying to push 16 KiB messages at a peer that reads
  // nothing: whatever is accepted must fit the send-buffer limit (1 MiB)
  // plus the socket buffers; the rest is refused with SOCKJS_E_AGAIN.
  auto start = std::chrono::steady_clock::now();
  while (ms_since(start) < 2000) {
    int rc = sockjs_conn_send(h.server(), conn, msg.data(), msg.size());
    if (rc == SOCKJS_OK) {
      ++ok;
    } else {
      ASSERT_EQ(rc, SOCKJS_E_AGAIN) << sockjs_status_name(rc);
      ++again;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    if ((ok + again) % 64 == 0) peak = std::max(peak, rss_bytes());
  }
  peak = std::max(peak, rss_bytes());
  EXPECT_GT(again, 0);
  EXPECT_GT(ok, 0);
  // Accepted bytes are bounded too: the limit plus what the kernel holds.
  EXPECT_LT(static_cast<size_t>(ok) * msg.size(), 64 * kMiB);
  EXPECT_LT(peak - rss_before, 64 * kMiB)
      << "RSS grew by " << (peak - rss_before) / kMiB << " MiB";
  std::printf(
      "slow consumer: %ld sends accepted (%zu KiB), %ld refused, "
      "RSS +%zu KiB\n",
      ok, ok * msg.size() / 1024, again, (peak - rss_before) / 1024);

  // Refused now (the last attempt was), so a DRAIN is owed once the peer
  // reads; DRAINs while sending came from the kernel taking bytes.
  int rc = sockjs_conn_send(h.server(), conn, msg.data(), msg.size());
  size_t drains = h.count(SOCKJS_EVENT_DRAIN, conn);
  if (rc == SOCKJS_E_AGAIN) {
    long got = 0;
    auto t = std::chrono::steady_clock::now();
    while (h.count(SOCKJS_EVENT_DRAIN, conn) == drains && ms_since(t) < 15000) {
      loopback::WsMessage m = ws.read(2000);
      ASSERT_EQ(m.opcode, 1);
      ++got;
    }
    EXPECT_EQ(h.count(SOCKJS_EVENT_DRAIN, conn), drains + 1);
    EXPECT_GT(got, 0);
  }
  EXPECT_EQ(sockjs_conn_send(h.server(), conn, "after", 5), SOCKJS_OK);
  EXPECT_TRUE(h.close_and_wait());
}

bool is_ws_error_code(int c) {
  return c == 1002 || c == 1003 || c == 1007 || c == 1009;
}

TEST(Floods, HundredMiBOfRandomBytesAtAWebSocket) {
  for (const char* path : {"/echo/websocket", "/echo/000/abc/websocket"}) {
    Harness h;
    ASSERT_TRUE(h.ok()) << h.error();
    loopback::WsClient ws;
    ASSERT_TRUE(ws.open(h.port(), path));
    uint64_t conn = h.wait_open();
    ASSERT_NE(conn, 0u);
    std::string got = ws.conn().buf();  // "o" on the SockJS endpoint
    bool closed = false;
    size_t sent = flood(ws.conn().fd(), kFlood, 1234, 30000, got, closed);
    EXPECT_TRUE(closed) << path << ": server still reading after "
                        << sent / kMiB << " MiB";
    std::printf("%s: %zu MiB sent before the server hung up\n", path,
                sent / kMiB);
    ASSERT_TRUE(h.wait_close(conn)) << path;
    int code = 0;
    for (const RecordedEvent& e : h.events())
      if (e.type == SOCKJS_EVENT_CLOSE) code = e.code;
    EXPECT_TRUE(is_ws_error_code(code)) << path << " CLOSE code " << code;
    // The close frame on the wire carries the same code.
    size_t at = got.find('\x88');
    ASSERT_NE(at, std::string::npos) << path << ": no close frame";
    ASSERT_GE(got.size(), at + 4);
    int wire = (static_cast<unsigned char>(got[at + 2]) << 8) |
               static_cast<unsigned char>(got[at + 3]);
    EXPECT_EQ(wire, code) << path;
    EXPECT_EQ(h.count(SOCKJS_EVENT_CLOSE), 1u);
    // The server is fine: another client echoes.
    loopback::WsClient ok;
    ASSERT_TRUE(ok.open(h.port(), "/echo/websocket"));
    ASSERT_TRUE(ok.send_text("fine"));
    EXPECT_EQ(ok.read(5000).payload, "fine");
    EXPECT_TRUE(h.close_and_wait());
  }
}

struct HttpFlood {
  const char* name;
  std::string head;  // sent before the random bytes
  int status;
};

class HttpFloods : public ::testing::TestWithParam<HttpFlood> {};

TEST_P(HttpFloods, HundredMiBAtTheHttpParser) {
  Harness h;
  ASSERT_TRUE(h.ok()) << h.error();
  int fd = connect_nonblocking(h.port());
  ASSERT_GE(fd, 0);
  const std::string& head = GetParam().head;
  if (!head.empty()) {
    ASSERT_EQ(::send(fd, head.data(), head.size(), 0),
              static_cast<ssize_t>(head.size()));
  }
  std::string got;
  bool closed = false;
  size_t sent = flood(fd, kFlood, 99, 30000, got, closed);
  ::close(fd);
  EXPECT_TRUE(closed) << "server still reading after " << sent / kMiB << " MiB";
  std::printf("%s: %zu MiB sent before the server hung up\n", GetParam().name,
              sent / kMiB);
  std::string want = "HTTP/1.1 " + std::to_string(GetParam().status);
  EXPECT_EQ(got.rfind(want, 0), 0u) << got.substr(0, 60);
  EXPECT_EQ(h.count(SOCKJS_EVENT_OPEN), 0u);
  loopback::HttpResponse r = loopback::http_request(h.port(), "GET", "/echo");
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(h.close_and_wait());
}

INSTANTIATE_TEST_SUITE_P(
    Hardening, HttpFloods,
    ::testing::Values(
        HttpFlood{"garbage", "", 400},
        HttpFlood{"after_a_request_line",
                  "POST /echo/000/a/xhr_send HTTP/1.1\r\nX-Junk: ", 400},
        HttpFlood{"declared_body",
                  "POST /echo/000/a/xhr_send HTTP/1.1\r\nHost: x\r\n"
                  "Content-Length: 104857600\r\n\r\n",
                  413},
        HttpFlood{"chunked_body",
                  "POST /echo/000/a/xhr_send HTTP/1.1\r\nHost: x\r\n"
                  "Transfer-Encoding: chunked\r\n\r\n7000000\r\n",
                  413}),
    [](const ::testing::TestParamInfo<HttpFlood>& i) { return i.param.name; });

}  // namespace
}  // namespace hardening
