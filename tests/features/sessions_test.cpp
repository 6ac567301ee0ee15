// Session listing and close-all (sockjs_server_list_sessions,
// sockjs_server_close_sessions), feed mode, two services.
#include <gtest/gtest.h>
#include <sockjs.h>

#include <string>
#include <vector>

#include "../engine/harness.hpp"

namespace {

using sockjs_test::Ev;
using sockjs_test::http_request;
using sockjs_test::parse_ws_frames;
using sockjs_test::WsFrame;

// /a (service 0) and /b (service 1), fed by hand.
class TwoServices {
 public:
  TwoServices() {
    EXPECT_EQ(sockjs_server_new(nullptr, &s_, nullptr), SOCKJS_OK);
    for (const char* p : {"/a", "/b"}) {
      sockjs_options* o = nullptr;
      EXPECT_EQ(sockjs_options_new(&o), SOCKJS_OK);
      sockjs_options_set_prefix(o, p);
      EXPECT_EQ(sockjs_server_add_service(s_, o, nullptr), SOCKJS_OK);
      sockjs_options_free(o);
    }
    EXPECT_EQ(sockjs_server_tick(s_, 1000), SOCKJS_OK);
  }
  ~TwoServices() { sockjs_server_free(s_); }
  sockjs_server* server() const { return s_; }

  sockjs_stream_id feed_new(const std::string& bytes) {
    sockjs_stream_id st = 0;
    EXPECT_EQ(sockjs_server_stream_open(s_, "127.0.0.1", 1, &st), SOCKJS_OK);
    sockjs_server_feed(s_, st, reinterpret_cast<const uint8_t*>(bytes.data()),
                       bytes.size());
    pump();
    return st;
  }
  sockjs_stream_id websocket(const std::string& path) {
    return feed_new(http_request("GET", path,
                                 {"Upgrade: websocket", "Connection: Upgrade",
                                  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
                                  "Sec-WebSocket-Version: 13"}));
  }
  std::string output(sockjs_stream_id st) {
    const uint8_t* p = nullptr;
    int64_t n = sockjs_server_output(s_, st, &p);
    return n > 0 ? std::string(reinterpret_cast<const char*>(p),
                               static_cast<size_t>(n))
                 : std::string();
  }
  void pump() {
    sockjs_event evs[16];
    evs[0].size = sizeof evs[0];
    size_t n = 0;
    while (sockjs_server_poll(s_, evs, 16, &n) == SOCKJS_OK)
      for (size_t i = 0; i < n; ++i)
        events.push_back(Ev{evs[i].type, evs[i].service, evs[i].conn,
                            std::string(evs[i].data, evs[i].len), evs[i].code});
  }
  std::vector<sockjs_conn_id> list(int service) {
    size_t count = 0;
    int rc = sockjs_server_list_sessions(s_, service, nullptr, 0, &count);
    EXPECT_TRUE(rc == SOCKJS_OK || rc == SOCKJS_E_LIMIT);
    std::vector<sockjs_conn_id> ids(count);
    EXPECT_EQ(sockjs_server_list_sessions(s_, service, ids.data(), ids.size(),
                                          &count),
              SOCKJS_OK);
    ids.resize(count);
    return ids;
  }
  size_t count(int type) const {
    size_t n = 0;
    for (const Ev& e : events) n += e.type == type;
    return n;
  }
  std::vector<Ev> events;

 private:
  sockjs_server* s_ = nullptr;
};

TEST(Sessions, ListBeforeAnySessionIsEmpty) {
  TwoServices t;
  size_t count = 99;
  EXPECT_EQ(sockjs_server_list_sessions(t.server(), -1, nullptr, 0, &count),
            SOCKJS_OK);
  EXPECT_EQ(count, 0u);
}

TEST(Sessions, ListByServiceAscendingWithCapacity) {
  TwoServices t;
  t.websocket("/a/1/x1/websocket");
  t.feed_new(http_request("POST", "/a/1/p1/xhr"));
  t.websocket("/b/1/y1/websocket");
  t.websocket("/a/1/x2/websocket");
  ASSERT_EQ(t.count(SOCKJS_EVENT_OPEN), 4u);
  std::vector<sockjs_conn_id> a, b, all;
  for (const Ev& e : t.events)
    if (e.type == SOCKJS_EVENT_OPEN) {
      (e.service == 0 ? a : b).push_back(e.conn);
      all.push_back(e.conn);
    }
  EXPECT_EQ(t.list(0), a);
  EXPECT_EQ(t.list(1), b);
  EXPECT_EQ(t.list(-1), all);
  // Too small: the lowest ids, the full count and SOCKJS_E_LIMIT.
  sockjs_conn_id one = 0;
  size_t count = 0;
  EXPECT_EQ(sockjs_server_list_sessions(t.server(), 0, &one, 1, &count),
            SOCKJS_E_LIMIT);
  EXPECT_EQ(count, 3u);
  EXPECT_EQ(one, a[0]);
  // Bad arguments.
  EXPECT_EQ(sockjs_server_list_sessions(t.server(), 2, nullptr, 0, &count),
            SOCKJS_E_INVALID_ARGUMENT);
  EXPECT_EQ(sockjs_server_list_sessions(t.server(), -2, nullptr, 0, &count),
            SOCKJS_E_INVALID_ARGUMENT);
  EXPECT_EQ(sockjs_server_list_sessions(t.server(), 0, nullptr, 1, &count),
            SOCKJS_E_INVALID_ARGUMENT);
  EXPECT_EQ(sockjs_server_list_sessions(t.server(), 0, &one, 1, nullptr),
            SOCKJS_E_INVALID_ARGUMENT);
  // A closing session is no longer listed.
  ASSERT_EQ(sockjs_conn_close(t.server(), a[1], 3000, "bye"), SOCKJS_OK);
  t.pump();
  EXPECT_EQ(t.list(0), (std::vector<sockjs_conn_id>{a[0], a[2]}));
}

TEST(Sessions, CloseAllOfOneService) {
  TwoServices t;
  sockjs_stream_id w1 = t.websocket("/a/1/x1/websocket");
  sockjs_stream_id w2 = t.websocket("/a/1/x2/websocket");
  sockjs_stream_id wb = t.websocket("/b/1/y1/websocket");
  ASSERT_EQ(t.count(SOCKJS_EVENT_OPEN), 3u);
  size_t closed = 0;
  ASSERT_EQ(
      sockjs_server_close_sessions(t.server(), 0, 3003, "maintenance", &closed),
      SOCKJS_OK);
  t.pump();
  EXPECT_EQ(closed, 2u);
  for (sockjs_stream_id st : {w1, w2}) {
    std::string out = t.output(st);
    EXPECT_NE(out.find("c[3003,\"maintenance\"]"), std::string::npos);
    EXPECT_EQ(sockjs_server_stream_wants_close(t.server(), st), 1);
  }
  EXPECT_EQ(t.output(wb).find("c[3003"), std::string::npos);
  EXPECT_EQ(t.count(SOCKJS_EVENT_CLOSE), 2u);
  EXPECT_TRUE(t.list(0).empty());
  EXPECT_EQ(t.list(1).size(), 1u);
  // Again: nothing left to close on /a; -1 closes /b too.
  EXPECT_EQ(sockjs_server_close_sessions(t.server(), 0, 1000, nullptr, &closed),
            SOCKJS_OK);
  EXPECT_EQ(closed, 0u);
  EXPECT_EQ(
      sockjs_server_close_sessions(t.server(), -1, 1000, nullptr, &closed),
      SOCKJS_OK);
  EXPECT_EQ(closed, 1u);
  t.pump();
  EXPECT_EQ(t.count(SOCKJS_EVENT_CLOSE), 3u);
  EXPECT_EQ(sockjs_server_close_sessions(t.server(), 0, 2000, nullptr, nullptr),
            SOCKJS_E_INVALID_ARGUMENT);
  EXPECT_EQ(sockjs_server_close_sessions(t.server(), 5, 1000, nullptr, nullptr),
            SOCKJS_E_INVALID_ARGUMENT);
}

}  // namespace
