// LOG events (sockjs_server_options_set_log_level), feed mode: silent by
// default; one line per request at debug; sessions at info; limit hits and
// protocol errors at warning.
#include <gtest/gtest.h>
#include <sockjs.h>

#include <regex>
#include <string>
#include <vector>

#include "../hardening/feed_server.hpp"

namespace {

using hardening::FeedConfig;
using hardening::FeedServer;
using hardening::req;
using sockjs_test::ws_client_frame;

FeedConfig at_level(int level) {
  FeedConfig c;
  c.server = [level](sockjs_server_options* o) {
    ASSERT_EQ(sockjs_server_options_set_log_level(o, level), SOCKJS_OK);
    sockjs_server_options_set_max_request_head_size(o, 256);
  };
  return c;
}

std::vector<hardening::Ev> logs(FeedServer& f, int level = 0) {
  std::vector<hardening::Ev> out;
  for (const auto& e : f.events())
    if (e.type == SOCKJS_EVENT_LOG && (level == 0 || e.code == level))
      out.push_back(e);
  return out;
}

void traffic(FeedServer& f) {
  f.request(req("GET", "/echo/info"));
  sockjs_stream_id ws = f.websocket("/echo/000/l1/websocket");
  f.feed(ws, ws_client_frame(1, "[\"x\"]"));
  f.feed(ws, ws_client_frame(1, "not json"));  // broken framing: closed
  f.request(req("GET", "/echo/info", {"X-Pad: " + std::string(400, 'x')}));
}

TEST(Logging, SilentByDefault) {
  FeedServer f;
  traffic(f);
  EXPECT_TRUE(logs(f).empty());
}

TEST(Logging, DebugHasOneLinePerRequest) {
  FeedServer f(at_level(SOCKJS_LOG_DEBUG));
  sockjs_stream_id st = 0;
  auto r = f.request(req("GET", "/echo/info?t=1"), &st);
  ASSERT_TRUE(r);
  size_t response_bytes = f.read(st).size();
  auto debug = logs(f, SOCKJS_LOG_DEBUG);
  ASSERT_EQ(debug.size(), 1u);
  std::smatch m;
  std::regex line(
      R"(^GET /echo/info\?t=1 200 bytes=([0-9]+) ms=[0-9]+ remote=127\.0\.0\.1$)");
  ASSERT_TRUE(std::regex_match(debug[0].data, m, line)) << debug[0].data;
  EXPECT_EQ(std::stoul(m[1]), response_bytes);
  EXPECT_EQ(debug[0].service, -1);
  EXPECT_EQ(debug[0].conn, 0u);
  f.websocket("/echo/000/l2/websocket");
  debug = logs(f, SOCKJS_LOG_DEBUG);
  ASSERT_EQ(debug.size(), 2u);
  EXPECT_EQ(debug[1].data.rfind("GET /echo/000/l2/websocket 101 ", 0), 0u)
      << debug[1].data;
}

TEST(Logging, InfoForSessionsWarningsForLimitsAndProtocol) {
  FeedServer f(at_level(SOCKJS_LOG_INFO));
  traffic(f);
  EXPECT_TRUE(logs(f, SOCKJS_LOG_DEBUG).empty());
  auto info = logs(f, SOCKJS_LOG_INFO);
  ASSERT_EQ(info.size(), 2u);
  EXPECT_NE(info[0].data.find("open: service=/echo transport=websocket "
                              "client=127.0.0.1"),
            std::string::npos)
      << info[0].data;
  EXPECT_NE(info[1].data.find("closed: 3000 Broken framing."),
            std::string::npos)
      << info[1].data;
  EXPECT_EQ(info[0].service, 0);
  EXPECT_NE(info[0].conn, 0u);
  EXPECT_EQ(info[0].conn, info[1].conn);
  auto warn = logs(f, SOCKJS_LOG_WARNING);
  ASSERT_EQ(warn.size(), 2u);
  EXPECT_NE(warn[0].data.find("broken framing"), std::string::npos);
  EXPECT_NE(warn[1].data.find("limit request_head"), std::string::npos)
      << warn[1].data;
  // The LOG event never carries a NUL or a newline.
  for (const auto& e : logs(f))
    EXPECT_EQ(e.data.find_first_of(std::string("\n\0", 2)), std::string::npos);
}

TEST(Logging, WarningLevelHidesInfo) {
  FeedServer f(at_level(SOCKJS_LOG_WARNING));
  traffic(f);
  EXPECT_EQ(logs(f).size(), logs(f, SOCKJS_LOG_WARNING).size());
  EXPECT_EQ(logs(f).size(), 2u);
}

TEST(Logging, LevelIsChecked) {
  sockjs_server_options* o = nullptr;
  ASSERT_EQ(sockjs_server_options_new(&o), SOCKJS_OK);
  EXPECT_EQ(sockjs_server_options_set_log_level(o, 15),
            SOCKJS_E_INVALID_ARGUMENT);
  EXPECT_EQ(sockjs_server_options_set_log_level(o, SOCKJS_LOG_ERROR),
            SOCKJS_OK);
  EXPECT_EQ(sockjs_server_options_set_log_level(o, SOCKJS_LOG_NONE), SOCKJS_OK);
  EXPECT_EQ(sockjs_server_options_set_log_level(nullptr, SOCKJS_LOG_INFO),
            SOCKJS_E_INVALID_ARGUMENT);
  sockjs_server_options_free(o);
}

}  // namespace
