// Fuzzes the engine through the feed mode: whole HTTP connections (any
// request, WebSocket upgrades included) split at arbitrary points, with the
// clock advancing and an echoing application, on the conformance services.
#include <cstdint>
#include <cstring>
#include <vector>

#include "sockjs.h"

namespace {

void drain(sockjs_server* s, std::vector<sockjs_stream_id>& streams) {
  sockjs_event ev[32];
  ev[0].size = sizeof ev[0];
  size_t n = 0;
  while (sockjs_server_poll(s, ev, 32, &n) == SOCKJS_OK) {
    for (size_t i = 0; i < n; ++i) {
      if (ev[i].type == SOCKJS_EVENT_MESSAGE)
        sockjs_conn_send(s, ev[i].conn, ev[i].data, ev[i].len);
      if (ev[i].type == SOCKJS_EVENT_OPEN && ev[i].service == 1)
        sockjs_conn_close(s, ev[i].conn, 3000, "Go away!");
      if (ev[i].type == SOCKJS_EVENT_REQUEST)
        sockjs_request_respond(s, ev[i].conn, 200, "text/plain", nullptr, "x",
                               1);
    }
  }
  sockjs_stream_id ids[16];
  size_t k = 0;
  while (sockjs_server_dirty_streams(s, ids, 16, &k) == SOCKJS_OK && k > 0) {
    for (size_t i = 0; i < k; ++i) {
      const uint8_t* out;
      int64_t len = sockjs_server_output(s, ids[i], &out);
      if (len > 0)
        sockjs_server_output_consume(s, ids[i], static_cast<size_t>(len));
    }
  }
  (void)streams;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sockjs_server_options* so;
  sockjs_server_options_new(&so);
  sockjs_server_options_set_forward_unmatched(so, size > 0 && (data[0] & 1));
  sockjs_server* s;
  if (sockjs_server_new(so, &s, nullptr) != SOCKJS_OK) return 0;
  sockjs_server_options_free(so);
  const char* prefixes[] = {"/echo", "/close"};
  for (const char* p : prefixes) {
    sockjs_options* o;
    sockjs_options_new(&o);
    sockjs_options_set_prefix(o, p);
    sockjs_options_set_response_limit(o, 4096);
    sockjs_options_set_max_message_size(o, 65536);
    sockjs_server_add_service(s, o, nullptr);
    sockjs_options_free(o);
  }
  uint64_t now = 1000;
  sockjs_server_tick(s, now);
  std::vector<sockjs_stream_id> streams(2);
  sockjs_server_stream_open(s, "127.0.0.1", 1, &streams[0]);
  sockjs_server_stream_open(s, "127.0.0.1", 2, &streams[1]);
  // Input: a sequence of records [ctl][len][bytes...]. ctl picks the stream,
  // and whether to advance the clock or close the stream afterwards.
  size_t i = 0;
  while (i + 2 <= size) {
    uint8_t ctl = data[i];
    size_t len = data[i + 1];
    i += 2;
    if (len > size - i) len = size - i;
    sockjs_stream_id st = streams[ctl & 1];
    sockjs_server_feed(s, st, data + i, len);
    i += len;
    if (ctl & 2) {
      now += (ctl >> 2) * 1000u;
      sockjs_server_tick(s, now);
    }
    drain(s, streams);
    if ((ctl & 0xF0) == 0xF0) {
      sockjs_server_stream_close(s, st);
      sockjs_server_stream_open(s, "127.0.0.1", 3, &streams[ctl & 1]);
    }
  }
  sockjs_server_close(s);
  drain(s, streams);
  sockjs_server_free(s);
  return 0;
}
