// The C ABI: the only extern "C" code. Every entry point is noexcept and
// runs inside guard(), so no C++ exception ever reaches the caller.
#include <algorithm>
#include <cstddef>
#include <cstring>
#include <mutex>
#include <new>
#include <unordered_map>

#include "codec/utf8.hpp"
#include "conn_info.hpp"
#include "http/origin.hpp"
#include "metrics.hpp"
#include "net/cidr.hpp"
#include "server.hpp"
#include "sockjs.h"

struct sockjs_options {
  sockjs::ServiceOptions o;
};

struct sockjs_server_options {
  sockjs::ServerOptions o;
};

struct sockjs_server {
  std::unique_ptr<sockjs::Server> impl;
  bool fatal = false;
  // Consumer-thread state: the events handed out by the last poll, and the
  // infos of sessions/requests that poll has announced.
  std::vector<sockjs::Event> batch;
  std::unordered_map<uint64_t, std::shared_ptr<const sockjs::ConnInfo>> infos;
  std::vector<uint64_t> drop_next_poll;
  std::mutex answered_mu;
  std::vector<uint64_t> answered;  // requests answered (any thread)
};

namespace {

using sockjs::Status;

void set_error(char* errbuf, const char* msg) {
  if (!errbuf) return;
  std::strncpy(errbuf, msg, SOCKJS_ERRBUF_SIZE - 1);
  errbuf[SOCKJS_ERRBUF_SIZE - 1] = '\0';
}

template <typename F>
int guard(sockjs_server* s, char* errbuf, F&& body) noexcept {
  if (s && s->fatal) return SOCKJS_E_INTERNAL;
  try {
    return body();
  } catch (const std::bad_alloc&) {
    set_error(errbuf, "out of memory");
    return SOCKJS_E_NOMEM;
  } catch (const std::exception& e) {
    set_error(errbuf, e.what());
    if (s) s->fatal = true;
    return SOCKJS_E_INTERNAL;
  } catch (...) {
    set_error(errbuf, "unknown internal error");
    if (s) s->fatal = true;
    return SOCKJS_E_INTERNAL;
  }
}

int code(Status st) { return static_cast<int>(st); }

bool copy_string(std::string& dst, const char* src) {
  if (!src) return false;
  dst.assign(src);
  return true;
}

// "Name: value\r\n" lines with no bare CR or LF, so a host cannot split the
// response by accident.
bool valid_header_block(const char* h) {
  if (!h) return true;
  const char* p = h;
  while (*p) {
    const char* colon = nullptr;
    const char* q = p;
    while (*q && *q != '\r' && *q != '\n') {
      if (*q == ':' && !colon) colon = q;
      ++q;
    }
    if (!colon || colon == p || q[0] != '\r' || q[1] != '\n') return false;
    p = q + 2;
  }
  return true;
}

}  // namespace

extern "C" {

uint32_t sockjs_version_num(void) { return SOCKJS_VERSION_NUM; }
const char* sockjs_version_string(void) { return SOCKJS_VERSION_STRING; }

const char* sockjs_strerror(int status) {
  switch (status) {
    case SOCKJS_OK:
      return "success";
    case SOCKJS_E_INVALID_ARGUMENT:
      return "invalid argument";
    case SOCKJS_E_NOMEM:
      return "out of memory";
    case SOCKJS_E_AGAIN:
      return "try again: nothing ready, or send buffer full";
    case SOCKJS_E_UNKNOWN_CONN:
      return "unknown session, request or stream";
    case SOCKJS_E_CLOSED:
      return "closing or closed";
    case SOCKJS_E_STATE:
      return "not allowed in the current state";
    case SOCKJS_E_PROTOCOL:
      return "protocol error";
    case SOCKJS_E_IO:
      return "I/O error";
    case SOCKJS_E_LIMIT:
      return "limit exceeded";
    case SOCKJS_E_FATAL:
      return "fatal error: server unusable";
    case SOCKJS_E_INTERNAL:
      return "internal error: server unusable";
    default:
      return "unknown status";
  }
}

const char* sockjs_status_name(int status) {
  switch (status) {
    case SOCKJS_OK:
      return "SOCKJS_OK";
    case SOCKJS_E_INVALID_ARGUMENT:
      return "SOCKJS_E_INVALID_ARGUMENT";
    case SOCKJS_E_NOMEM:
      return "SOCKJS_E_NOMEM";
    case SOCKJS_E_AGAIN:
      return "SOCKJS_E_AGAIN";
    case SOCKJS_E_UNKNOWN_CONN:
      return "SOCKJS_E_UNKNOWN_CONN";
    case SOCKJS_E_CLOSED:
      return "SOCKJS_E_CLOSED";
    case SOCKJS_E_STATE:
      return "SOCKJS_E_STATE";
    case SOCKJS_E_PROTOCOL:
      return "SOCKJS_E_PROTOCOL";
    case SOCKJS_E_IO:
      return "SOCKJS_E_IO";
    case SOCKJS_E_LIMIT:
      return "SOCKJS_E_LIMIT";
    case SOCKJS_E_FATAL:
      return "SOCKJS_E_FATAL";
    case SOCKJS_E_INTERNAL:
      return "SOCKJS_E_INTERNAL";
    default:
      return "SOCKJS_E_UNKNOWN";
  }
}

// ------------------------------------------------------------- options

int sockjs_options_new(sockjs_options** out) {
  if (!out) return SOCKJS_E_INVALID_ARGUMENT;
  return guard(nullptr, nullptr, [&] {
    *out = new sockjs_options();
    return SOCKJS_OK;
  });
}

void sockjs_options_free(sockjs_options* o) { delete o; }

#define SOCKJS_CHECK(cond) \
  if (!(cond)) return SOCKJS_E_INVALID_ARGUMENT

int sockjs_options_set_prefix(sockjs_options* o, const char* prefix) {
  SOCKJS_CHECK(o && prefix);
  SOCKJS_CHECK(prefix[0] == '\0' || prefix[0] == '/');
  SOCKJS_CHECK(std::strpbrk(prefix, "?# \r\n") == nullptr);
  return guard(nullptr, nullptr, [&] {
    std::string p(prefix);
    if (!p.empty() && p.back() == '/') p.pop_back();
    o->o.prefix = std::move(p);
    return SOCKJS_OK;
  });
}

int sockjs_options_set_sockjs_url(sockjs_options* o, const char* url) {
  SOCKJS_CHECK(o && url && *url);
  for (const char* p = url; *p; ++p)
    SOCKJS_CHECK(*p != '"' && *p != '<' && *p != '>' &&
                 static_cast<unsigned char>(*p) >= 0x20);
  return guard(nullptr, nullptr, [&] {
    copy_string(o->o.sockjs_url, url);
    return SOCKJS_OK;
  });
}

int sockjs_options_set_response_limit(sockjs_options* o, size_t bytes) {
  SOCKJS_CHECK(o && bytes >= 1);
  o->o.response_limit = bytes;
  return SOCKJS_OK;
}

int sockjs_options_set_websocket(sockjs_options* o, int enabled) {
  SOCKJS_CHECK(o);
  o->o.websocket = enabled != 0;
  return SOCKJS_OK;
}

int sockjs_options_set_transport_enabled(sockjs_options* o, const char* name,
                                         int enabled) {
  SOCKJS_CHECK(o && name);
  sockjs::Transport t;
  SOCKJS_CHECK(sockjs::transport_from_name(name, t));
  o->o.transport_enabled[static_cast<int>(t)] = enabled != 0;
  return SOCKJS_OK;
}

int sockjs_options_set_jsessionid(sockjs_options* o, int enabled) {
  SOCKJS_CHECK(o);
  o->o.jsessionid = enabled != 0;
  return SOCKJS_OK;
}

int sockjs_options_set_heartbeat_delay_ms(sockjs_options* o, uint32_t ms) {
  SOCKJS_CHECK(o);
  o->o.heartbeat_delay_ms = ms;
  return SOCKJS_OK;
}

int sockjs_options_set_disconnect_delay_ms(sockjs_options* o, uint32_t ms) {
  SOCKJS_CHECK(o && ms >= 1);
  o->o.disconnect_delay_ms = ms;
  return SOCKJS_OK;
}

int sockjs_options_set_disable_cors(sockjs_options* o, int disabled) {
  SOCKJS_CHECK(o);
  o->o.disable_cors = disabled != 0;
  return SOCKJS_OK;
}

int sockjs_options_set_base_url(sockjs_options* o, const char* url) {
  SOCKJS_CHECK(o);
  return guard(nullptr, nullptr, [&] {
    o->o.base_url = url ? url : "";
    return SOCKJS_OK;
  });
}

int sockjs_options_set_max_message_size(sockjs_options* o, size_t bytes) {
  SOCKJS_CHECK(o && bytes >= 1);
  o->o.max_message_size = bytes;
  return SOCKJS_OK;
}

int sockjs_options_set_send_buffer_limit(sockjs_options* o, size_t bytes) {
  SOCKJS_CHECK(o && bytes >= 1);
  o->o.send_buffer_limit = bytes;
  return SOCKJS_OK;
}

int sockjs_options_set_expose_cookies(sockjs_options* o, int enabled) {
  SOCKJS_CHECK(o);
  o->o.expose_cookies = enabled != 0;
  return SOCKJS_OK;
}

int sockjs_options_add_allowed_origin(sockjs_options* o, const char* pattern) {
  SOCKJS_CHECK(o && pattern);
  SOCKJS_CHECK(sockjs::http::valid_origin_pattern(pattern));
  return guard(nullptr, nullptr, [&] {
    auto& list = o->o.allowed_origins;
    if (std::find(list.begin(), list.end(), pattern) == list.end())
      list.emplace_back(pattern);
    return SOCKJS_OK;
  });
}

int sockjs_options_clear_allowed_origins(sockjs_options* o) {
  SOCKJS_CHECK(o);
  o->o.allowed_origins.clear();
  return SOCKJS_OK;
}

int sockjs_options_set_authorize(sockjs_options* o, int enabled) {
  SOCKJS_CHECK(o);
  o->o.authorize = enabled != 0;
  return SOCKJS_OK;
}

int sockjs_options_set_authorize_timeout_ms(sockjs_options* o, uint32_t ms) {
  SOCKJS_CHECK(o && ms >= 1);
  o->o.authorize_timeout_ms = ms;
  return SOCKJS_OK;
}

int sockjs_options_set_permessage_deflate(sockjs_options* o, int enabled) {
  SOCKJS_CHECK(o);
  o->o.permessage_deflate = enabled != 0;
  return SOCKJS_OK;
}

int sockjs_options_set_deflate_threshold(sockjs_options* o, size_t bytes) {
  SOCKJS_CHECK(o);
  o->o.deflate_threshold = bytes;
  return SOCKJS_OK;
}

int sockjs_server_options_new(sockjs_server_options** out) {
  if (!out) return SOCKJS_E_INVALID_ARGUMENT;
  return guard(nullptr, nullptr, [&] {
    *out = new sockjs_server_options();
    return SOCKJS_OK;
  });
}

void sockjs_server_options_free(sockjs_server_options* o) { delete o; }

int sockjs_server_options_set_max_request_head_size(sockjs_server_options* o,
                                                    size_t bytes) {
  SOCKJS_CHECK(o && bytes >= 256);
  o->o.max_request_head_size = bytes;
  return SOCKJS_OK;
}

int sockjs_server_options_set_request_timeout_ms(sockjs_server_options* o,
                                                 uint32_t ms) {
  SOCKJS_CHECK(o && ms >= 1);
  o->o.request_timeout_ms = ms;
  return SOCKJS_OK;
}

int sockjs_server_options_set_shutdown_timeout_ms(sockjs_server_options* o,
                                                  uint32_t ms) {
  SOCKJS_CHECK(o);
  o->o.shutdown_timeout_ms = ms;
  return SOCKJS_OK;
}

int sockjs_server_options_set_forward_unmatched(sockjs_server_options* o,
                                                int enabled) {
  SOCKJS_CHECK(o);
  o->o.forward_unmatched = enabled != 0;
  return SOCKJS_OK;
}

int sockjs_server_options_set_max_request_headers(sockjs_server_options* o,
                                                  size_t count) {
  SOCKJS_CHECK(o && count >= 1);
  o->o.max_request_headers = count;
  return SOCKJS_OK;
}

int sockjs_server_options_set_max_sessions(sockjs_server_options* o,
                                           size_t count) {
  SOCKJS_CHECK(o);
  o->o.max_sessions = count;
  return SOCKJS_OK;
}

int sockjs_server_options_set_max_connections(sockjs_server_options* o,
                                              size_t count) {
  SOCKJS_CHECK(o);
  o->o.max_connections = count;
  return SOCKJS_OK;
}

int sockjs_server_options_add_trusted_proxy(sockjs_server_options* o,
                                            const char* cidr) {
  SOCKJS_CHECK(o && cidr);
  sockjs::net::Cidr c;
  SOCKJS_CHECK(sockjs::net::parse_cidr(cidr, c));
  return guard(nullptr, nullptr, [&] {
    o->o.trusted_proxies.push_back(c);
    return SOCKJS_OK;
  });
}

int sockjs_server_options_clear_trusted_proxies(sockjs_server_options* o) {
  SOCKJS_CHECK(o);
  o->o.trusted_proxies.clear();
  return SOCKJS_OK;
}

int sockjs_server_options_set_node_id(sockjs_server_options* o,
                                      unsigned node_id) {
  SOCKJS_CHECK(o && node_id <= 0xFFFF);
  o->o.node_id = static_cast<uint16_t>(node_id);
  return SOCKJS_OK;
}

int sockjs_server_options_set_backplane_redis(sockjs_server_options* o,
                                              const char* host, int port) {
  SOCKJS_CHECK(o && (!host || (*host && port >= 1 && port <= 65535)));
  return guard(nullptr, nullptr, [&] {
    o->o.backplane.redis_host = host ? host : "";
    o->o.backplane.redis_port = static_cast<uint16_t>(host ? port : 6379);
    return SOCKJS_OK;
  });
}

int sockjs_server_options_set_backplane_channel(sockjs_server_options* o,
                                                const char* channel) {
  SOCKJS_CHECK(o && channel && *channel && std::strlen(channel) <= 255);
  return guard(nullptr, nullptr, [&] {
    o->o.backplane.channel = channel;
    return SOCKJS_OK;
  });
}

int sockjs_server_options_set_backplane_buffer_limit(sockjs_server_options* o,
                                                     size_t bytes) {
  SOCKJS_CHECK(o && bytes >= 1);
  o->o.backplane.buffer_limit = bytes;
  return SOCKJS_OK;
}

int sockjs_server_options_set_backplane_connect_timeout_ms(
    sockjs_server_options* o, uint32_t ms) {
  SOCKJS_CHECK(o && ms >= 1 && ms <= 600000);
  o->o.backplane.connect_timeout_ms = ms;
  return SOCKJS_OK;
}

int sockjs_server_options_set_backplane_resubscribe_wait_ms(
    sockjs_server_options* o, uint32_t ms) {
  SOCKJS_CHECK(o && ms <= 600000);
  o->o.backplane.resubscribe_wait_ms = ms;
  return SOCKJS_OK;
}

int sockjs_server_options_set_io_thread_batch(sockjs_server_options* o,
                                              int enabled) {
  SOCKJS_CHECK(o);
  o->o.io_thread_batch = enabled != 0;
  return SOCKJS_OK;
}

int sockjs_server_options_set_log_level(sockjs_server_options* o, int level) {
  SOCKJS_CHECK(o);
  SOCKJS_CHECK(level == SOCKJS_LOG_NONE || level == SOCKJS_LOG_DEBUG ||
               level == SOCKJS_LOG_INFO || level == SOCKJS_LOG_WARNING ||
               level == SOCKJS_LOG_ERROR);
  o->o.log_level = level;
  return SOCKJS_OK;
}

int sockjs_server_options_set_tcp_keepalive_s(sockjs_server_options* o,
                                              uint32_t seconds) {
  SOCKJS_CHECK(o && seconds <= 32767);  // Linux's TCP_KEEPIDLE maximum
  o->o.tcp_keepalive_s = seconds;
  return SOCKJS_OK;
}

// -------------------------------------------------------------- server

int sockjs_server_new(const sockjs_server_options* opts, sockjs_server** out,
                      char* errbuf) {
  if (!out) return SOCKJS_E_INVALID_ARGUMENT;
  return guard(nullptr, errbuf, [&] {
    auto s = std::make_unique<sockjs_server>();
    try {
      s->impl = std::make_unique<sockjs::Server>(
          opts ? opts->o : sockjs::ServerOptions());
    } catch (const std::system_error& e) {
      set_error(errbuf, e.what());
      return SOCKJS_E_IO;
    }
    *out = s.release();
    return SOCKJS_OK;
  });
}

int sockjs_server_add_service(sockjs_server* s, const sockjs_options* opts,
                              int* service_id) {
  SOCKJS_CHECK(s);
  return guard(s, nullptr, [&] {
    sockjs::ServiceOptions o = opts ? opts->o : sockjs::ServiceOptions();
    return code(s->impl->add_service(o, service_id));
  });
}

int sockjs_server_listen(sockjs_server* s, const char* host, uint16_t port,
                         uint16_t* bound_port, char* errbuf) {
  SOCKJS_CHECK(s);
  return guard(s, errbuf, [&] {
    std::string err;
    Status st = s->impl->listen(host, port, bound_port, err);
    if (st != Status::ok) set_error(errbuf, err.c_str());
    return code(st);
  });
}

int sockjs_server_close(sockjs_server* s) {
  SOCKJS_CHECK(s);
  return guard(s, nullptr, [&] { return code(s->impl->close()); });
}

void sockjs_server_free(sockjs_server* s) {
  if (!s) return;
  try {
    delete s;
  } catch (...) {
    // Destructors do not throw; nothing sensible is left to do.
  }
}

int sockjs_server_poll(sockjs_server* s, sockjs_event* events,
                       size_t max_events, size_t* n_events) {
  SOCKJS_CHECK(s && events && max_events >= 1 && n_events);
  SOCKJS_CHECK(events[0].size >= sizeof(sockjs_event));
  return guard(s, nullptr, [&] {
    size_t stride = events[0].size;
    for (uint64_t id : s->drop_next_poll) s->infos.erase(id);
    s->drop_next_poll.clear();
    {
      std::lock_guard<std::mutex> lock(s->answered_mu);
      for (uint64_t id : s->answered) s->drop_next_poll.push_back(id);
      s->answered.clear();
    }
    size_t n = s->impl->queue().pop(s->batch, max_events);
    for (size_t i = 0; i < n; ++i) {
      sockjs::Event& e = s->batch[i];
      auto* ev = reinterpret_cast<sockjs_event*>(
          reinterpret_cast<char*>(events) + i * stride);
      ev->size = stride;
      ev->type = e.type;
      ev->service = e.service;
      ev->conn = e.conn;
      ev->data = e.data.c_str();
      ev->len = e.data.size();
      ev->code = e.code;
      if (e.info) s->infos[e.conn] = std::move(e.info);
      if (e.type == SOCKJS_EVENT_CLOSE) s->drop_next_poll.push_back(e.conn);
    }
    *n_events = n;
    return n ? SOCKJS_OK : SOCKJS_E_AGAIN;
  });
}

int sockjs_server_event_fd(const sockjs_server* s) {
  SOCKJS_CHECK(s);
  return s->impl->queue().fd();
}

int sockjs_server_wait(sockjs_server* s, int timeout_ms) {
  SOCKJS_CHECK(s);
  int r = s->impl->queue().wait(timeout_ms);
  if (r < 0) return SOCKJS_E_IO;
  return r ? SOCKJS_OK : SOCKJS_E_AGAIN;
}

int sockjs_server_wakeup(sockjs_server* s) {
  SOCKJS_CHECK(s);
  return guard(s, nullptr, [&] {
    s->impl->queue().wake();
    return SOCKJS_OK;
  });
}

int sockjs_conn_send(sockjs_server* s, sockjs_conn_id conn, const char* utf8,
                     size_t len) {
  SOCKJS_CHECK(s && (utf8 || len == 0));
  return guard(s, nullptr, [&] {
    return code(s->impl->send(conn, std::string_view(utf8 ? utf8 : "", len)));
  });
}

int sockjs_conn_close(sockjs_server* s, sockjs_conn_id conn, int close_code,
                      const char* reason) {
  SOCKJS_CHECK(s);
  SOCKJS_CHECK(close_code == 1000 ||
               (close_code >= 3000 && close_code <= 4999));
  const char* r = reason ? reason : "Normal closure";
  SOCKJS_CHECK(std::strlen(r) <= 123 && sockjs::codec::utf8_valid(r));
  return guard(s, nullptr,
               [&] { return code(s->impl->close_conn(conn, close_code, r)); });
}

int sockjs_conn_accept(sockjs_server* s, sockjs_conn_id conn) {
  SOCKJS_CHECK(s);
  return guard(s, nullptr,
               [&] { return code(s->impl->decide(conn, true, 0, {})); });
}

int sockjs_conn_reject(sockjs_server* s, sockjs_conn_id conn, int close_code,
                       const char* reason) {
  SOCKJS_CHECK(s);
  SOCKJS_CHECK(close_code == 1000 ||
               (close_code >= 3000 && close_code <= 4999));
  const char* r = reason ? reason : "Rejected";
  SOCKJS_CHECK(std::strlen(r) <= 123 && sockjs::codec::utf8_valid(r));
  return guard(s, nullptr, [&] {
    return code(s->impl->decide(conn, false, close_code, r));
  });
}

int sockjs_server_list_sessions(sockjs_server* s, int service,
                                sockjs_conn_id* ids, size_t cap,
                                size_t* count) {
  SOCKJS_CHECK(s && count && (ids || cap == 0));
  return guard(s, nullptr, [&] {
    std::vector<uint64_t> all;
    Status st = s->impl->list_sessions(service, all);
    if (st != Status::ok) return code(st);
    size_t n = std::min(cap, all.size());
    std::copy(all.begin(), all.begin() + static_cast<long>(n), ids);
    *count = all.size();
    return all.size() <= cap ? int{SOCKJS_OK} : int{SOCKJS_E_LIMIT};
  });
}

int sockjs_server_close_sessions(sockjs_server* s, int service, int close_code,
                                 const char* reason, size_t* closed) {
  SOCKJS_CHECK(s);
  SOCKJS_CHECK(close_code == 1000 ||
               (close_code >= 3000 && close_code <= 4999));
  const char* r = reason ? reason : "Normal closure";
  SOCKJS_CHECK(std::strlen(r) <= 123 && sockjs::codec::utf8_valid(r));
  return guard(s, nullptr, [&] {
    return code(
        s->impl->close_service_sessions(service, close_code, r, closed));
  });
}

namespace {

bool channel_name_ok(const char* name) {
  if (!name) return false;
  size_t n = std::strlen(name);
  return n >= 1 && n <= SOCKJS_MAX_CHANNEL_NAME &&
         sockjs::codec::utf8_valid(std::string_view(name, n));
}

}  // namespace

int sockjs_conn_join(sockjs_server* s, sockjs_conn_id conn,
                     const char* channel) {
  SOCKJS_CHECK(s && channel_name_ok(channel));
  return guard(s, nullptr, [&] { return code(s->impl->join(conn, channel)); });
}

int sockjs_conn_leave(sockjs_server* s, sockjs_conn_id conn,
                      const char* channel) {
  SOCKJS_CHECK(s && channel_name_ok(channel));
  return guard(s, nullptr, [&] { return code(s->impl->leave(conn, channel)); });
}

int sockjs_server_publish(sockjs_server* s, int service, const char* channel,
                          const char* utf8, size_t len) {
  SOCKJS_CHECK(s && (utf8 || len == 0));
  SOCKJS_CHECK(!channel || channel_name_ok(channel));
  return guard(s, nullptr, [&] {
    return code(s->impl->publish(service, channel ? channel : "", !channel,
                                 std::string_view(utf8 ? utf8 : "", len)));
  });
}

int sockjs_server_publish_to(sockjs_server* s, sockjs_conn_id conn,
                             const char* utf8, size_t len) {
  SOCKJS_CHECK(s && (utf8 || len == 0));
  return guard(s, nullptr, [&] {
    return code(
        s->impl->publish_to(conn, std::string_view(utf8 ? utf8 : "", len)));
  });
}

int sockjs_server_metrics(sockjs_server* s, sockjs_metric* out, size_t cap,
                          size_t* count) {
  SOCKJS_CHECK(s && count && (out || cap == 0));
  SOCKJS_CHECK(cap == 0 || out[0].size >= sizeof(sockjs_metric));
  return guard(s, nullptr, [&] {
    std::vector<sockjs::MetricSample> all;
    s->impl->metrics_snapshot(all);
    size_t stride = cap ? out[0].size : 0;
    size_t n = std::min(cap, all.size());
    for (size_t i = 0; i < n; ++i) {
      auto* m = reinterpret_cast<sockjs_metric*>(reinterpret_cast<char*>(out) +
                                                 i * stride);
      const sockjs::MetricSample& x = all[i];
      m->size = stride;
      m->name = x.name;
      m->type = x.type;
      m->service = x.service;
      m->transport = x.transport;
      m->label = x.label;
      m->code = x.code;
      m->value = x.value;
    }
    *count = all.size();
    return all.size() <= cap ? int{SOCKJS_OK} : int{SOCKJS_E_LIMIT};
  });
}

int sockjs_server_metrics_prometheus(sockjs_server* s, char* buf, size_t cap,
                                     size_t* needed) {
  SOCKJS_CHECK(s && needed && (buf || cap == 0));
  return guard(s, nullptr, [&] {
    std::string text = s->impl->metrics_prometheus();
    *needed = text.size();
    if (text.size() + 1 > cap) return int{SOCKJS_E_LIMIT};
    std::memcpy(buf, text.c_str(), text.size() + 1);
    return int{SOCKJS_OK};
  });
}

int sockjs_conn_get_info(sockjs_server* s, sockjs_conn_id conn,
                         sockjs_conn_info* info) {
  SOCKJS_CHECK(s && info && info->size >= sizeof(sockjs_conn_info));
  auto it = s->infos.find(conn);
  if (it == s->infos.end()) return SOCKJS_E_UNKNOWN_CONN;
  const sockjs::ConnInfo& ci = *it->second;
  info->service = ci.service;
  info->prefix = ci.prefix();
  info->transport = ci.transport();
  info->remote_addr = ci.remote_addr();
  info->remote_port = ci.remote_port;
  info->method = ci.method();
  info->url = ci.url();
  info->n_headers = ci.header_count();
  info->header_names = ci.header_names();
  info->header_values = ci.header_values();
  info->query = ci.query();
  info->client_addr = ci.client_addr();
  return SOCKJS_OK;
}

int sockjs_request_respond(sockjs_server* s, sockjs_conn_id request, int status,
                           const char* content_type, const char* headers,
                           const char* body, size_t body_len) {
  SOCKJS_CHECK(s && status >= 100 && status <= 599 && status != 101);
  SOCKJS_CHECK(body || body_len == 0);
  SOCKJS_CHECK(valid_header_block(headers));
  SOCKJS_CHECK(!content_type || !std::strpbrk(content_type, "\r\n"));
  return guard(s, nullptr, [&] {
    Status st = s->impl->respond(
        request, status, content_type ? content_type : "",
        headers ? headers : "", std::string_view(body ? body : "", body_len));
    if (st == Status::ok) {
      std::lock_guard<std::mutex> lock(s->answered_mu);
      s->answered.push_back(request);
    }
    return code(st);
  });
}

// ------------------------------------------------------------ feed mode

int sockjs_server_stream_open(sockjs_server* s, const char* remote_addr,
                              uint16_t remote_port, sockjs_stream_id* out) {
  SOCKJS_CHECK(s && out);
  return guard(s, nullptr, [&] {
    return code(
        s->impl->stream_open(remote_addr ? remote_addr : "", remote_port, out));
  });
}

int64_t sockjs_server_feed(sockjs_server* s, sockjs_stream_id st,
                           const uint8_t* in, size_t len) {
  SOCKJS_CHECK(s && (in || len == 0));
  int r = guard(s, nullptr, [&] { return code(s->impl->feed(st, in, len)); });
  return r == SOCKJS_OK ? static_cast<int64_t>(len) : r;
}

int64_t sockjs_server_output(sockjs_server* s, sockjs_stream_id st,
                             const uint8_t** out) {
  SOCKJS_CHECK(s && out);
  std::string_view v;
  int r = guard(s, nullptr, [&] { return code(s->impl->output(st, v)); });
  if (r != SOCKJS_OK) return r;
  *out = reinterpret_cast<const uint8_t*>(v.data());
  return static_cast<int64_t>(v.size());
}

int sockjs_server_output_consume(sockjs_server* s, sockjs_stream_id st,
                                 size_t n) {
  SOCKJS_CHECK(s);
  return guard(s, nullptr,
               [&] { return code(s->impl->output_consume(st, n)); });
}

int sockjs_server_stream_wants_close(const sockjs_server* s,
                                     sockjs_stream_id st) {
  SOCKJS_CHECK(s);
  bool w = false;
  Status r = s->impl->wants_close(st, w);
  if (r != Status::ok) return code(r);
  return w ? 1 : 0;
}

int sockjs_server_stream_close(sockjs_server* s, sockjs_stream_id st) {
  SOCKJS_CHECK(s);
  return guard(s, nullptr, [&] { return code(s->impl->stream_close(st)); });
}

int sockjs_server_dirty_streams(sockjs_server* s, sockjs_stream_id* ids,
                                size_t max, size_t* n) {
  SOCKJS_CHECK(s && n && (ids || max == 0));
  return guard(s, nullptr,
               [&] { return code(s->impl->dirty_streams(ids, max, n)); });
}

int64_t sockjs_server_next_timeout_ms(const sockjs_server* s) {
  if (!s) return SOCKJS_E_INVALID_ARGUMENT;
  return s->impl->next_timeout();
}

int sockjs_server_tick(sockjs_server* s, uint64_t now_ms) {
  SOCKJS_CHECK(s);
  return guard(s, nullptr, [&] { return code(s->impl->tick(now_ms)); });
}

}  // extern "C"
