// The event fd is level-triggered: readable while events are queued, not
// once they are drained (the test thread is the consumer here).
#include <gtest/gtest.h>
#include <poll.h>

#include "harness.hpp"
#include "sockjs_frames.hpp"
#include "ws_client.hpp"

namespace loopback {
namespace {

bool readable(int fd, int timeout_ms = 0) {
  struct pollfd p = {fd, POLLIN, 0};
  return ::poll(&p, 1, timeout_ms) == 1 && (p.revents & POLLIN);
}

TEST(EventFd, ReadableExactlyWhileEventsAreQueued) {
  HarnessConfig cfg;
  cfg.app_thread = false;
  cfg.echo = false;
  Harness h(cfg);
  ASSERT_TRUE(h.ok()) << h.error();
  sockjs_server* s = h.server();
  int fd = sockjs_server_event_fd(s);
  ASSERT_GE(fd, 0);
  EXPECT_FALSE(readable(fd));
  EXPECT_EQ(sockjs_server_wait(s, 20), SOCKJS_E_AGAIN);

  WsClient ws;
  ASSERT_TRUE(ws.open(h.port(), "/echo/000/lvl/websocket"));
  ASSERT_EQ(ws.read().payload, "o");
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(ws.send_text(json_array({"m" + std::to_string(i)})));
  ASSERT_TRUE(ws.send_close(1000));
  // The close reply comes after the server has handled everything before
  // it, and events are queued before output is written: OPEN, 3 MESSAGE
  // and CLOSE are all queued now.
  ASSERT_EQ(ws.read().opcode, 8);
  ASSERT_TRUE(readable(fd, 5000));
  EXPECT_EQ(sockjs_server_wait(s, 0), SOCKJS_OK);

  std::vector<int> types;
  for (int i = 0; i < 5; ++i) {
    // Still readable before each poll, and stays readable when not polled.
    EXPECT_TRUE(readable(fd)) << i;
    EXPECT_TRUE(readable(fd)) << i;
    sockjs_event ev;
    ev.size = sizeof ev;
    size_t n = 0;
    ASSERT_EQ(sockjs_server_poll(s, &ev, 1, &n), SOCKJS_OK) << i;
    ASSERT_EQ(n, 1u);
    types.push_back(ev.type);
  }
  std::vector<int> want = {SOCKJS_EVENT_OPEN, SOCKJS_EVENT_MESSAGE,
                           SOCKJS_EVENT_MESSAGE, SOCKJS_EVENT_MESSAGE,
                           SOCKJS_EVENT_CLOSE};
  EXPECT_EQ(types, want);
  EXPECT_FALSE(readable(fd));
  EXPECT_EQ(sockjs_server_wait(s, 20), SOCKJS_E_AGAIN);
  sockjs_event ev;
  ev.size = sizeof ev;
  size_t n = 7;
  EXPECT_EQ(sockjs_server_poll(s, &ev, 1, &n), SOCKJS_E_AGAIN);
  EXPECT_EQ(n, 0u);

  // A wakeup makes it readable once, with nothing to poll.
  ASSERT_EQ(sockjs_server_wakeup(s), SOCKJS_OK);
  EXPECT_TRUE(readable(fd));
  EXPECT_EQ(sockjs_server_wait(s, 0), SOCKJS_OK);
  EXPECT_EQ(sockjs_server_poll(s, &ev, 1, &n), SOCKJS_E_AGAIN);
  EXPECT_FALSE(readable(fd));
  EXPECT_TRUE(h.close_and_wait());
}

TEST(EventFd, PollFillsABatchWithTheCallersStride) {
  HarnessConfig cfg;
  cfg.app_thread = false;
  cfg.echo = false;
  Harness h(cfg);
  ASSERT_TRUE(h.ok()) << h.error();
  WsClient ws;
  ASSERT_TRUE(ws.open(h.port(), "/echo/000/bat/websocket"));
  ASSERT_EQ(ws.read().payload, "o");
  ASSERT_TRUE(ws.send_text(json_array({"a", "b"})));
  ASSERT_TRUE(ws.send_close(1000));
  ASSERT_EQ(ws.read().opcode, 8);
  // A bigger struct than the library knows (a newer caller): the stride
  // is events[0].size, and the tail of each element is left alone.
  struct Bigger {
    sockjs_event ev;
    uint64_t canary;
  };
  Bigger evs[8];
  for (auto& b : evs) b.canary = 0x5a5a5a5a5a5a5a5aull;
  evs[0].ev.size = sizeof(Bigger);
  size_t n = 0;
  ASSERT_EQ(sockjs_server_poll(h.server(), &evs[0].ev, 8, &n), SOCKJS_OK);
  ASSERT_EQ(n, 4u);  // OPEN, MESSAGE a, MESSAGE b, CLOSE
  EXPECT_EQ(evs[0].ev.type, SOCKJS_EVENT_OPEN);
  EXPECT_EQ(std::string(evs[1].ev.data, evs[1].ev.len), "a");
  EXPECT_EQ(std::string(evs[2].ev.data, evs[2].ev.len), "b");
  EXPECT_EQ(evs[3].ev.type, SOCKJS_EVENT_CLOSE);
  EXPECT_EQ(evs[3].ev.code, 1000);
  for (auto& b : evs) EXPECT_EQ(b.canary, 0x5a5a5a5a5a5a5a5aull);
  EXPECT_TRUE(h.close_and_wait());
}

}  // namespace
}  // namespace loopback
