// A feed-mode (sans-IO) server for the hardening tests: one "/echo" service
// whose options and server options each test sets, a fake clock, and the
// response and frame parsers of tests/engine/harness.hpp.
#pragma once
#include <gtest/gtest.h>
#include <sockjs.h>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../engine/harness.hpp"

namespace hardening {

using sockjs_test::Ev;
using sockjs_test::Response;
using sockjs_test::WsFrame;

struct FeedConfig {
  std::function<void(sockjs_server_options*)> server;  // extra settings
  std::function<void(sockjs_options*)> service;        // for "/echo"
  bool echo = true;  // MESSAGE events are sent back
};

class FeedServer {
 public:
  explicit FeedServer(FeedConfig cfg = FeedConfig());
  ~FeedServer();
  FeedServer(const FeedServer&) = delete;
  FeedServer& operator=(const FeedServer&) = delete;

  sockjs_server* server() const { return srv_; }
  sockjs_stream_id open();
  // Feeds bytes (in pieces of `step` bytes; 0: all at once), then plays
  // the application.
  void feed(sockjs_stream_id st, std::string_view bytes, size_t step = 0);
  // Everything the server wrote to the stream so far.
  const std::string& read(sockjs_stream_id st);
  bool wants_close(sockjs_stream_id st) const;
  // The peer closed (or reset) the connection.
  void close(sockjs_stream_id st);
  void advance(uint64_t ms);
  void pump();
  // Opens a stream, sends raw, parses the first response (nullopt: none).
  std::optional<Response> request(std::string_view raw,
                                  sockjs_stream_id* st = nullptr);
  // Opens an RFC 6455 WebSocket on path; returns the stream (0 on failure)
  // and leaves only the bytes after the 101 in read().
  sockjs_stream_id websocket(const std::string& path,
                             const std::vector<std::string>& headers = {});
  // Frames received on a WebSocket stream after its handshake.
  std::vector<WsFrame> frames(sockjs_stream_id st);

  std::vector<Ev>& events() { return events_; }
  size_t count(int type) const;
  // Every CLOSE belongs to an OPEN, at most one per conn; with all_closed
  // every OPEN has its CLOSE.
  void expect_one_close_per_open(bool all_closed = true) const;

 private:
  FeedConfig cfg_;
  sockjs_server* srv_ = nullptr;
  uint64_t now_ = 1000;
  std::vector<Ev> events_;
  std::map<sockjs_stream_id, std::string> received_;
  std::map<sockjs_stream_id, size_t> ws_start_;
};

// A request head (and body) as bytes; headers are full lines without CRLF.
std::string req(std::string_view method, std::string_view target,
                std::vector<std::string> headers = {},
                std::optional<std::string> body = std::nullopt);

}  // namespace hardening
