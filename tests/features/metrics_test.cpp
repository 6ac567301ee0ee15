// Metrics (sockjs_server_metrics, sockjs_server_metrics_prometheus), feed
// mode: each counter and gauge moves with the traffic that should move it.
// tests/features/prometheus_test.py parses the text with a real parser.
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

std::vector<sockjs_metric> snapshot(sockjs_server* s) {
  size_t count = 0;
  EXPECT_EQ(sockjs_server_metrics(s, nullptr, 0, &count), SOCKJS_E_LIMIT);
  std::vector<sockjs_metric> out(count + 4);
  out[0].size = sizeof(sockjs_metric);
  EXPECT_EQ(sockjs_server_metrics(s, out.data(), out.size(), &count),
            SOCKJS_OK);
  out.resize(count);
  return out;
}

// The value with that name and labels; -1 when absent.
long long value(const std::vector<sockjs_metric>& ms, const std::string& name,
                const std::string& transport = "",
                const std::string& label = "", int code = 0) {
  for (const sockjs_metric& m : ms)
    if (name == m.name && transport == m.transport && label == m.label &&
        code == m.code)
      return static_cast<long long>(m.value);
  return -1;
}

std::string prometheus(sockjs_server* s) {
  size_t need = 0;
  EXPECT_EQ(sockjs_server_metrics_prometheus(s, nullptr, 0, &need),
            SOCKJS_E_LIMIT);
  std::string buf(need + 1, '\0');
  size_t need2 = 0;
  EXPECT_EQ(sockjs_server_metrics_prometheus(s, buf.data(), need, &need2),
            SOCKJS_E_LIMIT);  // no room for the NUL
  EXPECT_EQ(sockjs_server_metrics_prometheus(s, buf.data(), buf.size(), &need2),
            SOCKJS_OK);
  EXPECT_EQ(need2, need);
  buf.resize(need);
  return buf;
}

TEST(Metrics, StartAtZeroWithEveryLabelListed) {
  FeedServer f;
  auto ms = snapshot(f.server());
  EXPECT_EQ(value(ms, "sockjs_sessions_open", "websocket"), 0);
  EXPECT_EQ(value(ms, "sockjs_sessions_open", "jsonp-polling"), 0);
  EXPECT_EQ(value(ms, "sockjs_limit_hits_total", "", "request_head"), 0);
  EXPECT_EQ(value(ms, "sockjs_messages_received_total"), 0);
  EXPECT_EQ(value(ms, "sockjs_http_requests_total", "", "", 200), -1);
  EXPECT_EQ(value(ms, "sockjs_backplane_state"), 0);  // not configured
  for (const sockjs_metric& m : ms) {
    EXPECT_TRUE(m.type == SOCKJS_METRIC_COUNTER ||
                m.type == SOCKJS_METRIC_GAUGE);
    EXPECT_EQ(m.size, sizeof(sockjs_metric));
    if (std::string(m.name).rfind("sockjs_backplane_", 0) == 0)
      EXPECT_EQ(m.service, -1) << m.name;  // server-wide
    else if (std::string(m.name).find("sessions") != std::string::npos ||
        std::string(m.name).find("message") != std::string::npos ||
        std::string(m.name).find("send_refused") != std::string::npos ||
        std::string(m.name).find("publish") != std::string::npos)
      EXPECT_EQ(m.service, 0) << m.name;
    else
      EXPECT_EQ(m.service, -1) << m.name;
  }
}

TEST(Metrics, SessionsMessagesBytesAndStatuses) {
  FeedServer f;  // echoes every message
  sockjs_stream_id ws = f.websocket("/echo/000/m1/websocket");
  ASSERT_NE(ws, 0u);
  f.feed(ws, ws_client_frame(1, "[\"hello\",\"\\u00e9\"]"));  // 5 + 2 bytes
  f.request(req("GET", "/echo/info"));
  f.request(req("GET", "/nothing"));
  sockjs_stream_id poll = f.open();
  f.feed(poll, req("POST", "/echo/000/p1/xhr"));
  auto ms = snapshot(f.server());
  EXPECT_EQ(value(ms, "sockjs_sessions_open", "websocket"), 1);
  EXPECT_EQ(value(ms, "sockjs_sessions_open", "xhr-polling"), 1);
  EXPECT_EQ(value(ms, "sockjs_sessions_opened_total", "websocket"), 1);
  EXPECT_EQ(value(ms, "sockjs_messages_received_total"), 2);
  EXPECT_EQ(value(ms, "sockjs_messages_sent_total"), 2);
  EXPECT_EQ(value(ms, "sockjs_message_bytes_received_total"), 7);
  EXPECT_EQ(value(ms, "sockjs_message_bytes_sent_total"), 7);
  EXPECT_EQ(value(ms, "sockjs_http_requests_total", "", "", 101), 1);
  EXPECT_EQ(value(ms, "sockjs_http_requests_total", "", "", 404), 1);
  EXPECT_EQ(value(ms, "sockjs_http_requests_total", "", "", 200), 2);
  EXPECT_GE(value(ms, "sockjs_connections_total"), 4);
  // Closing moves open to closed.
  f.close(ws);
  ms = snapshot(f.server());
  EXPECT_EQ(value(ms, "sockjs_sessions_open", "websocket"), 0);
  EXPECT_EQ(value(ms, "sockjs_sessions_closed_total", "websocket"), 1);
  std::string text = prometheus(f.server());
  EXPECT_NE(text.find("# TYPE sockjs_sessions_open gauge\n"),
            std::string::npos);
  EXPECT_NE(text.find("sockjs_sessions_closed_total{service=\"/echo\","
                      "transport=\"websocket\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("sockjs_http_requests_total{code=\"101\"} 1\n"),
            std::string::npos);
  // Every line is a comment or "name{labels} integer".
  std::regex line(
      R"(^(# (HELP|TYPE) .*|[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? [0-9]+)$)");
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    ASSERT_NE(end, std::string::npos);
    std::string l = text.substr(start, end - start);
    EXPECT_TRUE(std::regex_match(l, line)) << l;
    start = end + 1;
  }
}

TEST(Metrics, LimitHitsAndSendRefusals) {
  FeedConfig cfg;
  cfg.echo = false;
  cfg.server = [](sockjs_server_options* o) {
    sockjs_server_options_set_max_request_head_size(o, 256);
    sockjs_server_options_set_max_sessions(o, 1);
  };
  cfg.service = [](sockjs_options* o) {
    sockjs_options_set_max_message_size(o, 16);
    sockjs_options_set_send_buffer_limit(o, 64);
  };
  FeedServer f(cfg);
  f.request(req("GET", "/echo/info", {"X-Pad: " + std::string(400, 'x')}));
  f.request(req("POST", "/echo/000/big/xhr_send", {}, std::string(100, 'x')));
  sockjs_stream_id ws = f.websocket("/echo/000/w/websocket");
  ASSERT_NE(ws, 0u);
  // The one session allowed is open: another is refused with 503.
  auto busy = f.request(req("POST", "/echo/000/second/xhr"));
  ASSERT_TRUE(busy);
  EXPECT_EQ(busy->status, 503);
  // Nobody reads the WebSocket's output: sends fill its buffer.
  sockjs_conn_id c = 0;
  for (const auto& e : f.events())
    if (e.type == SOCKJS_EVENT_OPEN) c = e.conn;
  int refused = 0;
  for (int i = 0; i < 20; ++i)
    if (sockjs_conn_send(f.server(), c, "0123456789abcdef", 16) ==
        SOCKJS_E_AGAIN)
      ++refused;
  EXPECT_GT(refused, 0);
  f.feed(ws, ws_client_frame(1, "[\"" + std::string(40, 'y') + "\"]"));
  auto ms = snapshot(f.server());
  EXPECT_EQ(value(ms, "sockjs_limit_hits_total", "", "request_head"), 1);
  EXPECT_EQ(value(ms, "sockjs_limit_hits_total", "", "request_body"), 1);
  EXPECT_EQ(value(ms, "sockjs_limit_hits_total", "", "sessions"), 1);
  EXPECT_EQ(value(ms, "sockjs_limit_hits_total", "", "message_size"), 1);
  EXPECT_EQ(value(ms, "sockjs_send_refused_total"), refused);
  EXPECT_EQ(value(ms, "sockjs_http_requests_total", "", "", 431), 1);
  EXPECT_EQ(value(ms, "sockjs_http_requests_total", "", "", 413), 1);
  EXPECT_EQ(value(ms, "sockjs_http_requests_total", "", "", 503), 1);
}

TEST(Metrics, RejectedSessionsAndRequestTimeout) {
  FeedConfig cfg;
  cfg.server = [](sockjs_server_options* o) {
    sockjs_server_options_set_request_timeout_ms(o, 500);
  };
  cfg.service = [](sockjs_options* o) { sockjs_options_set_authorize(o, 1); };
  FeedServer f(cfg);
  sockjs_stream_id ws = f.websocket("/echo/000/r/websocket");
  ASSERT_NE(ws, 0u);
  ASSERT_EQ(sockjs_conn_reject(f.server(), f.events().back().conn, 4401, "no"),
            SOCKJS_OK);
  f.pump();
  sockjs_stream_id slow = f.open();
  f.feed(slow, "GET /echo/info HTTP/1.1\r\nHost: x\r\n");
  f.advance(600);
  auto ms = snapshot(f.server());
  EXPECT_EQ(value(ms, "sockjs_sessions_rejected_total"), 1);
  EXPECT_EQ(value(ms, "sockjs_limit_hits_total", "", "request_timeout"), 1);
  EXPECT_EQ(value(ms, "sockjs_http_requests_total", "", "", 408), 1);
}

TEST(Metrics, LabelValuesAreEscaped) {
  sockjs_server* s = nullptr;
  ASSERT_EQ(sockjs_server_new(nullptr, &s, nullptr), SOCKJS_OK);
  sockjs_options* o = nullptr;
  ASSERT_EQ(sockjs_options_new(&o), SOCKJS_OK);
  ASSERT_EQ(sockjs_options_set_prefix(o, "/we\"ird\\"), SOCKJS_OK);
  ASSERT_EQ(sockjs_server_add_service(s, o, nullptr), SOCKJS_OK);
  sockjs_options_free(o);
  std::string text = prometheus(s);
  EXPECT_NE(
      text.find("sockjs_messages_sent_total{service=\"/we\\\"ird\\\\\"} 0"),
      std::string::npos)
      << text;
  size_t count = 0;
  EXPECT_EQ(sockjs_server_metrics(s, nullptr, 1, &count),
            SOCKJS_E_INVALID_ARGUMENT);
  sockjs_metric small;
  small.size = sizeof small - 1;
  EXPECT_EQ(sockjs_server_metrics(s, &small, 1, &count),
            SOCKJS_E_INVALID_ARGUMENT);
  sockjs_server_free(s);
}

}  // namespace
