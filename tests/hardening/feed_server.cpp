#include "feed_server.hpp"

#include <set>

namespace hardening {

FeedServer::FeedServer(FeedConfig cfg) : cfg_(std::move(cfg)) {
  sockjs_server_options* so = nullptr;
  EXPECT_EQ(sockjs_server_options_new(&so), SOCKJS_OK);
  if (cfg_.server) cfg_.server(so);
  char err[SOCKJS_ERRBUF_SIZE] = {0};
  EXPECT_EQ(sockjs_server_new(so, &srv_, err), SOCKJS_OK) << err;
  sockjs_server_options_free(so);
  sockjs_options* o = nullptr;
  EXPECT_EQ(sockjs_options_new(&o), SOCKJS_OK);
  EXPECT_EQ(sockjs_options_set_prefix(o, "/echo"), SOCKJS_OK);
  if (cfg_.service) cfg_.service(o);
  EXPECT_EQ(sockjs_server_add_service(srv_, o, nullptr), SOCKJS_OK);
  sockjs_options_free(o);
  EXPECT_EQ(sockjs_server_tick(srv_, now_), SOCKJS_OK);
}

FeedServer::~FeedServer() { sockjs_server_free(srv_); }

sockjs_stream_id FeedServer::open() {
  sockjs_stream_id st = 0;
  EXPECT_EQ(sockjs_server_stream_open(srv_, "127.0.0.1", 40000, &st),
            SOCKJS_OK);
  return st;
}

void FeedServer::feed(sockjs_stream_id st, std::string_view bytes,
                      size_t step) {
  if (step == 0) step = bytes.size();
  while (!bytes.empty()) {
    size_t n = std::min(step, bytes.size());
    int64_t r = sockjs_server_feed(
        srv_, st, reinterpret_cast<const uint8_t*>(bytes.data()), n);
    if (r == SOCKJS_E_UNKNOWN_CONN) return;  // closed by the host already
    EXPECT_EQ(r, static_cast<int64_t>(n));
    bytes.remove_prefix(n);
    pump();
  }
}

const std::string& FeedServer::read(sockjs_stream_id st) {
  std::string& buf = received_[st];
  const uint8_t* out = nullptr;
  int64_t n = sockjs_server_output(srv_, st, &out);
  if (n > 0) {
    buf.append(reinterpret_cast<const char*>(out), static_cast<size_t>(n));
    EXPECT_EQ(sockjs_server_output_consume(srv_, st, static_cast<size_t>(n)),
              SOCKJS_OK);
    pump();
  }
  return buf;
}

bool FeedServer::wants_close(sockjs_stream_id st) const {
  return sockjs_server_stream_wants_close(srv_, st) == 1;
}

void FeedServer::close(sockjs_stream_id st) {
  read(st);
  EXPECT_EQ(sockjs_server_stream_close(srv_, st), SOCKJS_OK);
  pump();
}

void FeedServer::advance(uint64_t ms) {
  now_ += ms;
  EXPECT_EQ(sockjs_server_tick(srv_, now_), SOCKJS_OK);
  pump();
}

void FeedServer::pump() {
  std::vector<Ev> batch;
  while (sockjs_test::poll_copy(srv_, batch)) {
    for (const Ev& e : batch) {
      events_.push_back(e);
      if (e.type == SOCKJS_EVENT_MESSAGE && cfg_.echo) {
        int rc2 = sockjs_conn_send(srv_, e.conn, e.data.data(), e.data.size());
        EXPECT_TRUE(rc2 == SOCKJS_OK || rc2 == SOCKJS_E_CLOSED ||
                    rc2 == SOCKJS_E_UNKNOWN_CONN || rc2 == SOCKJS_E_AGAIN)
            << sockjs_status_name(rc2);
      }
    }
  }
}

std::optional<Response> FeedServer::request(std::string_view raw,
                                            sockjs_stream_id* st) {
  sockjs_stream_id id = open();
  if (st) *st = id;
  feed(id, raw);
  return sockjs_test::parse_response(read(id), wants_close(id));
}

sockjs_stream_id FeedServer::websocket(
    const std::string& path, const std::vector<std::string>& headers) {
  std::vector<std::string> h = {"Upgrade: websocket", "Connection: Upgrade",
                                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
                                "Sec-WebSocket-Version: 13"};
  h.insert(h.end(), headers.begin(), headers.end());
  sockjs_stream_id st = 0;
  auto r = request(req("GET", path, h), &st);
  if (!r || r->status != 101) return 0;
  ws_start_[st] = r->consumed;
  return st;
}

std::vector<WsFrame> FeedServer::frames(sockjs_stream_id st) {
  std::vector<WsFrame> out;
  const std::string& all = read(st);
  sockjs_test::parse_ws_frames(std::string_view(all).substr(ws_start_[st]),
                               out);
  return out;
}

size_t FeedServer::count(int type) const {
  size_t n = 0;
  for (const Ev& e : events_) n += e.type == type;
  return n;
}

void FeedServer::expect_one_close_per_open(bool all_closed) const {
  std::set<sockjs_conn_id> open, closed;
  for (const Ev& e : events_) {
    if (e.type == SOCKJS_EVENT_OPEN) {
      EXPECT_TRUE(open.insert(e.conn).second) << "two OPENs for " << e.conn;
    } else if (e.type == SOCKJS_EVENT_CLOSE) {
      EXPECT_TRUE(open.count(e.conn)) << "CLOSE without OPEN " << e.conn;
      EXPECT_TRUE(closed.insert(e.conn).second) << "two CLOSEs for " << e.conn;
    }
  }
  if (all_closed) {
    EXPECT_EQ(open.size(), closed.size());
  }
}

std::string req(std::string_view method, std::string_view target,
                std::vector<std::string> headers,
                std::optional<std::string> body) {
  return sockjs_test::http_request(method, target, std::move(headers),
                                   std::move(body));
}

}  // namespace hardening
