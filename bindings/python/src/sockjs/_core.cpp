// sockjs._core: a thin pybind11 mirror of the C ABI in sockjs.h.
//
// One Python callable per C function, same names without the sockjs_
// prefix, returning the raw status integer (plus out-parameters as a
// tuple). The idiomatic layer (sockjs/__init__.py, sockjs/aio.py) turns
// statuses into exceptions. Strings and buffers the library lends are
// copied into Python objects before returning, as the header's ownership
// rule 2 asks. The GIL is released around the calls that can block (wait,
// listen, close, free); C never calls into Python.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "sockjs.h"

namespace py = pybind11;

namespace {

using gil_release = py::call_guard<py::gil_scoped_release>;

// Text the library hands out is UTF-8; keep stray bytes rather than fail.
py::str utf8_str(const char* data, size_t len) {
  PyObject* o = PyUnicode_DecodeUTF8(data, static_cast<Py_ssize_t>(len),
                                     "surrogateescape");
  if (!o) throw py::error_already_set();
  return py::reinterpret_steal<py::str>(o);
}

// A borrowed UTF-8 view of a Python str, valid while the str lives.
std::pair<const char*, size_t> utf8_view(const py::str& s) {
  Py_ssize_t len = 0;
  const char* p = PyUnicode_AsUTF8AndSize(s.ptr(), &len);
  if (!p) throw py::error_already_set();
  return {p, static_cast<size_t>(len)};
}

// A channel name for the C ABI, which takes NUL-terminated strings: a name
// with an embedded NUL would be cut short there, so it is refused here with
// the status the library gives other bad names.
bool channel_name(const py::str& name, std::string& out) {
  auto [p, len] = utf8_view(name);
  out.assign(p, len);
  return out.find('\0') == std::string::npos;
}

class Options {
 public:
  Options() {
    if (sockjs_options_new(&p_) != SOCKJS_OK) throw std::bad_alloc();
  }
  ~Options() { sockjs_options_free(p_); }
  Options(const Options&) = delete;
  Options& operator=(const Options&) = delete;
  sockjs_options* get() const { return p_; }

 private:
  sockjs_options* p_ = nullptr;
};

class ServerOptions {
 public:
  ServerOptions() {
    if (sockjs_server_options_new(&p_) != SOCKJS_OK) throw std::bad_alloc();
  }
  ~ServerOptions() { sockjs_server_options_free(p_); }
  ServerOptions(const ServerOptions&) = delete;
  ServerOptions& operator=(const ServerOptions&) = delete;
  sockjs_server_options* get() const { return p_; }

 private:
  sockjs_server_options* p_ = nullptr;
};

constexpr size_t kPollBatch = 64;

// Owns one sockjs_server*. After free() the handle is NULL, so every later
// call gets SOCKJS_E_INVALID_ARGUMENT from the C library itself.
class Server {
 public:
  explicit Server(sockjs_server* s) : s_(s) {}
  ~Server() {
    if (s_) {
      py::gil_scoped_release nogil;
      sockjs_server_free(s_);
    }
  }
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  bool alive() const { return s_ != nullptr; }

  void free() {
    sockjs_server* s = std::exchange(s_, nullptr);
    py::gil_scoped_release nogil;
    sockjs_server_free(s);
  }

  std::pair<int, int> add_service(const Options& o) {
    int id = -1;
    int rc = sockjs_server_add_service(s_, o.get(), &id);
    return {rc, id};
  }

  py::tuple listen(const std::string& host, uint16_t port) {
    uint16_t bound = 0;
    char err[SOCKJS_ERRBUF_SIZE] = "";
    int rc;
    {
      py::gil_scoped_release nogil;
      rc = sockjs_server_listen(s_, host.c_str(), port, &bound, err);
    }
    return py::make_tuple(rc, bound, std::string(err));
  }

  int close() {
    py::gil_scoped_release nogil;
    return sockjs_server_close(s_);
  }

  int event_fd() const { return sockjs_server_event_fd(s_); }

  int wait(int timeout_ms) {
    py::gil_scoped_release nogil;
    return sockjs_server_wait(s_, timeout_ms);
  }

  int wakeup() { return sockjs_server_wakeup(s_); }

  // Up to max_events events as (type, service, conn, data, code) tuples;
  // data is str for MESSAGE, CLOSE (reason), OPEN (transport), REQUEST
  // (method). Returns (status, list).
  py::tuple poll(size_t max_events) {
    if (max_events == 0 || max_events > kPollBatch) max_events = kPollBatch;
    sockjs_event evs[kPollBatch];
    evs[0].size = sizeof(sockjs_event);
    size_t n = 0;
    int rc = sockjs_server_poll(s_, evs, max_events, &n);
    py::list out(rc == SOCKJS_OK ? n : 0);
    if (rc == SOCKJS_OK) {
      for (size_t i = 0; i < n; ++i) {
        const sockjs_event& e = evs[i];
        out[i] = py::make_tuple(e.type, e.service, e.conn,
                                utf8_str(e.data, e.len), e.code);
      }
    }
    return py::make_tuple(rc, std::move(out));
  }

  int conn_send(sockjs_conn_id conn, const py::str& text) {
    auto [p, len] = utf8_view(text);
    return sockjs_conn_send(s_, conn, p, len);
  }

  int conn_close(sockjs_conn_id conn, int code, const py::object& reason) {
    if (reason.is_none()) return sockjs_conn_close(s_, conn, code, nullptr);
    std::string r = reason.cast<std::string>();
    return sockjs_conn_close(s_, conn, code, r.c_str());
  }

  int conn_accept(sockjs_conn_id conn) { return sockjs_conn_accept(s_, conn); }

  int conn_reject(sockjs_conn_id conn, int code, const py::object& reason) {
    if (reason.is_none()) return sockjs_conn_reject(s_, conn, code, nullptr);
    std::string r = reason.cast<std::string>();
    return sockjs_conn_reject(s_, conn, code, r.c_str());
  }

  int conn_join(sockjs_conn_id conn, const py::str& channel) {
    std::string name;
    if (!channel_name(channel, name)) return SOCKJS_E_INVALID_ARGUMENT;
    return sockjs_conn_join(s_, conn, name.c_str());
  }

  int conn_leave(sockjs_conn_id conn, const py::str& channel) {
    std::string name;
    if (!channel_name(channel, name)) return SOCKJS_E_INVALID_ARGUMENT;
    return sockjs_conn_leave(s_, conn, name.c_str());
  }

  // channel None: every session of the service.
  int publish(int service, const py::object& channel, const py::str& text) {
    std::string name;
    if (!channel.is_none()) {
      if (!py::isinstance<py::str>(channel))
        throw py::type_error("channel must be str or None");
      if (!channel_name(py::reinterpret_borrow<py::str>(channel), name))
        return SOCKJS_E_INVALID_ARGUMENT;
    }
    auto [p, len] = utf8_view(text);
    return sockjs_server_publish(
        s_, service, channel.is_none() ? nullptr : name.c_str(), p, len);
  }

  int publish_to(sockjs_conn_id conn, const py::str& text) {
    auto [p, len] = utf8_view(text);
    return sockjs_server_publish_to(s_, conn, p, len);
  }

  // (status, ids): grows the array until the snapshot fits.
  std::pair<int, std::vector<sockjs_conn_id>> list_sessions(int service) {
    std::vector<sockjs_conn_id> ids(16);
    for (;;) {
      size_t n = 0;
      int rc =
          sockjs_server_list_sessions(s_, service, ids.data(), ids.size(), &n);
      if (rc == SOCKJS_E_LIMIT) {
        ids.resize(n);
        continue;
      }
      ids.resize(rc == SOCKJS_OK ? n : 0);
      return {rc, std::move(ids)};
    }
  }

  // (status, closed)
  std::pair<int, size_t> close_sessions(int service, int code,
                                        const py::object& reason) {
    size_t closed = 0;
    std::string r;
    if (!reason.is_none()) r = reason.cast<std::string>();
    int rc = sockjs_server_close_sessions(
        s_, service, code, reason.is_none() ? nullptr : r.c_str(), &closed);
    return {rc, closed};
  }

  // (status, [(name, type, service, transport, label, code, value), ...])
  py::tuple metrics() {
    std::vector<sockjs_metric> out(64);
    size_t n = 0;
    int rc;
    for (;;) {
      out[0].size = sizeof(sockjs_metric);
      rc = sockjs_server_metrics(s_, out.data(), out.size(), &n);
      if (rc != SOCKJS_E_LIMIT) break;
      out.resize(n);
    }
    py::list list(rc == SOCKJS_OK ? n : 0);
    if (rc == SOCKJS_OK) {
      for (size_t i = 0; i < n; ++i) {
        const sockjs_metric& m = out[i];
        list[i] =
            py::make_tuple(py::str(m.name), m.type, m.service,
                           py::str(m.transport ? m.transport : ""),
                           py::str(m.label ? m.label : ""), m.code, m.value);
      }
    }
    return py::make_tuple(rc, std::move(list));
  }

  // (status, text)
  py::tuple metrics_prometheus() {
    std::string buf(16384, '\0');
    size_t needed = 0;
    int rc;
    for (;;) {
      rc =
          sockjs_server_metrics_prometheus(s_, buf.data(), buf.size(), &needed);
      if (rc != SOCKJS_E_LIMIT) break;
      buf.resize(needed + 1);
    }
    if (rc != SOCKJS_OK) return py::make_tuple(rc, py::str());
    return py::make_tuple(rc, utf8_str(buf.data(), needed));
  }

  // (status, info) where info is (service, prefix, transport, remote_addr,
  // remote_port, method, url, [(name, value), ...], query, client_addr) or
  // None.
  py::tuple conn_get_info(sockjs_conn_id conn) {
    sockjs_conn_info info{};
    info.size = sizeof info;
    int rc = sockjs_conn_get_info(s_, conn, &info);
    if (rc != SOCKJS_OK) return py::make_tuple(rc, py::none());
    py::list headers(info.n_headers);
    for (size_t i = 0; i < info.n_headers; ++i) {
      const char* v = info.header_values[i];
      headers[i] =
          py::make_tuple(py::str(info.header_names[i]),
                         utf8_str(v, std::char_traits<char>::length(v)));
    }
    auto s = [](const char* p) {
      return utf8_str(p ? p : "", p ? std::char_traits<char>::length(p) : 0);
    };
    return py::make_tuple(
        rc, py::make_tuple(info.service, s(info.prefix), s(info.transport),
                           s(info.remote_addr), info.remote_port,
                           s(info.method), s(info.url), std::move(headers),
                           s(info.query), s(info.client_addr)));
  }

  int request_respond(sockjs_conn_id request, int status,
                      const py::object& content_type, const py::object& headers,
                      const py::bytes& body) {
    std::string ct, hd;
    if (!content_type.is_none()) ct = content_type.cast<std::string>();
    if (!headers.is_none()) hd = headers.cast<std::string>();
    std::string_view b = body;
    return sockjs_request_respond(
        s_, request, status, content_type.is_none() ? nullptr : ct.c_str(),
        headers.is_none() ? nullptr : hd.c_str(), b.data(), b.size());
  }

  // ---- mode B: feeding
  std::pair<int, sockjs_stream_id> stream_open(const py::object& addr,
                                               uint16_t port) {
    std::string a;
    if (!addr.is_none()) a = addr.cast<std::string>();
    sockjs_stream_id id = 0;
    int rc = sockjs_server_stream_open(s_, addr.is_none() ? nullptr : a.c_str(),
                                       port, &id);
    return {rc, id};
  }

  int64_t feed(sockjs_stream_id st, const py::bytes& data) {
    std::string_view v = data;
    return sockjs_server_feed(
        s_, st, reinterpret_cast<const uint8_t*>(v.data()), v.size());
  }

  // (status_or_length, bytes)
  py::tuple output(sockjs_stream_id st) {
    const uint8_t* p = nullptr;
    int64_t n = sockjs_server_output(s_, st, &p);
    if (n <= 0) return py::make_tuple(n, py::bytes());
    return py::make_tuple(
        n, py::bytes(reinterpret_cast<const char*>(p), static_cast<size_t>(n)));
  }

  int output_consume(sockjs_stream_id st, size_t n) {
    return sockjs_server_output_consume(s_, st, n);
  }
  int stream_wants_close(sockjs_stream_id st) const {
    return sockjs_server_stream_wants_close(s_, st);
  }
  int stream_close(sockjs_stream_id st) {
    return sockjs_server_stream_close(s_, st);
  }

  std::pair<int, std::vector<sockjs_stream_id>> dirty_streams(size_t max) {
    std::vector<sockjs_stream_id> ids(max ? max : 1);
    size_t n = 0;
    int rc = sockjs_server_dirty_streams(s_, ids.data(), ids.size(), &n);
    ids.resize(rc == SOCKJS_OK ? n : 0);
    return {rc, std::move(ids)};
  }

  int64_t next_timeout_ms() const { return sockjs_server_next_timeout_ms(s_); }
  int tick(uint64_t now_ms) { return sockjs_server_tick(s_, now_ms); }

 private:
  sockjs_server* s_ = nullptr;
};

// (status, Server or None, error message)
py::tuple server_new(const ServerOptions* opts) {
  sockjs_server* s = nullptr;
  char err[SOCKJS_ERRBUF_SIZE] = "";
  int rc = sockjs_server_new(opts ? opts->get() : nullptr, &s, err);
  if (rc != SOCKJS_OK) return py::make_tuple(rc, py::none(), std::string(err));
  return py::make_tuple(
      rc, py::cast(new Server(s), py::return_value_policy::take_ownership),
      std::string(err));
}

}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "Low-level mirror of the libsockjs C ABI (sockjs.h). Use sockjs.";
  m.attr("__version__") = SOCKJS_PY_VERSION;
  m.attr("VERSION_MAJOR") = SOCKJS_VERSION_MAJOR;
  m.attr("VERSION_MINOR") = SOCKJS_VERSION_MINOR;
  m.attr("VERSION_PATCH") = SOCKJS_VERSION_PATCH;
  m.attr("VERSION_NUM") = SOCKJS_VERSION_NUM;
  m.attr("ERRBUF_SIZE") = SOCKJS_ERRBUF_SIZE;
  m.attr("MAX_CHANNEL_NAME") = SOCKJS_MAX_CHANNEL_NAME;

#define STATUS(name) m.attr(#name) = static_cast<int>(SOCKJS_##name)
  STATUS(OK);
  STATUS(E_INVALID_ARGUMENT);
  STATUS(E_NOMEM);
  STATUS(E_AGAIN);
  STATUS(E_UNKNOWN_CONN);
  STATUS(E_CLOSED);
  STATUS(E_STATE);
  STATUS(E_PROTOCOL);
  STATUS(E_IO);
  STATUS(E_LIMIT);
  STATUS(E_FATAL);
  STATUS(E_INTERNAL);
  STATUS(EVENT_OPEN);
  STATUS(EVENT_MESSAGE);
  STATUS(EVENT_CLOSE);
  STATUS(EVENT_DRAIN);
  STATUS(EVENT_SERVER_CLOSED);
  STATUS(EVENT_REQUEST);
  STATUS(EVENT_LOG);
  STATUS(LOG_NONE);
  STATUS(LOG_DEBUG);
  STATUS(LOG_INFO);
  STATUS(LOG_WARNING);
  STATUS(LOG_ERROR);
  STATUS(METRIC_COUNTER);
  STATUS(METRIC_GAUGE);
#undef STATUS

  m.def("version_num", &sockjs_version_num);
  m.def("version_string", &sockjs_version_string);
  m.def("strerror", &sockjs_strerror, py::arg("status"));
  m.def("status_name", &sockjs_status_name, py::arg("status"));

  py::class_<Options>(m, "Options")
      .def(py::init<>())
      .def("set_prefix",
           [](Options& o, const std::string& v) {
             return sockjs_options_set_prefix(o.get(), v.c_str());
           })
      .def("set_sockjs_url",
           [](Options& o, const std::string& v) {
             return sockjs_options_set_sockjs_url(o.get(), v.c_str());
           })
      .def("set_response_limit",
           [](Options& o, size_t v) {
             return sockjs_options_set_response_limit(o.get(), v);
           })
      .def("set_websocket",
           [](Options& o, bool v) {
             return sockjs_options_set_websocket(o.get(), v ? 1 : 0);
           })
      .def("set_transport_enabled",
           [](Options& o, const std::string& name, bool v) {
             return sockjs_options_set_transport_enabled(o.get(), name.c_str(),
                                                         v ? 1 : 0);
           })
      .def("set_jsessionid",
           [](Options& o, bool v) {
             return sockjs_options_set_jsessionid(o.get(), v ? 1 : 0);
           })
      .def("set_heartbeat_delay_ms",
           [](Options& o, uint32_t v) {
             return sockjs_options_set_heartbeat_delay_ms(o.get(), v);
           })
      .def("set_disconnect_delay_ms",
           [](Options& o, uint32_t v) {
             return sockjs_options_set_disconnect_delay_ms(o.get(), v);
           })
      .def("set_disable_cors",
           [](Options& o, bool v) {
             return sockjs_options_set_disable_cors(o.get(), v ? 1 : 0);
           })
      .def("set_base_url",
           [](Options& o, const py::object& v) {
             if (v.is_none())
               return sockjs_options_set_base_url(o.get(), nullptr);
             std::string s = v.cast<std::string>();
             return sockjs_options_set_base_url(o.get(), s.c_str());
           })
      .def("set_max_message_size",
           [](Options& o, size_t v) {
             return sockjs_options_set_max_message_size(o.get(), v);
           })
      .def("set_send_buffer_limit",
           [](Options& o, size_t v) {
             return sockjs_options_set_send_buffer_limit(o.get(), v);
           })
      .def("set_expose_cookies",
           [](Options& o, bool v) {
             return sockjs_options_set_expose_cookies(o.get(), v ? 1 : 0);
           })
      .def("add_allowed_origin",
           [](Options& o, const std::string& pattern) {
             return sockjs_options_add_allowed_origin(o.get(), pattern.c_str());
           })
      .def("clear_allowed_origins",
           [](Options& o) {
             return sockjs_options_clear_allowed_origins(o.get());
           })
      .def("set_authorize",
           [](Options& o, bool v) {
             return sockjs_options_set_authorize(o.get(), v ? 1 : 0);
           })
      .def("set_authorize_timeout_ms",
           [](Options& o, uint32_t v) {
             return sockjs_options_set_authorize_timeout_ms(o.get(), v);
           })
      .def("set_permessage_deflate",
           [](Options& o, bool v) {
             return sockjs_options_set_permessage_deflate(o.get(), v ? 1 : 0);
           })
      .def("set_deflate_threshold", [](Options& o, size_t v) {
        return sockjs_options_set_deflate_threshold(o.get(), v);
      });

  py::class_<ServerOptions>(m, "ServerOptions")
      .def(py::init<>())
      .def("set_max_request_head_size",
           [](ServerOptions& o, size_t v) {
             return sockjs_server_options_set_max_request_head_size(o.get(), v);
           })
      .def("set_request_timeout_ms",
           [](ServerOptions& o, uint32_t v) {
             return sockjs_server_options_set_request_timeout_ms(o.get(), v);
           })
      .def("set_shutdown_timeout_ms",
           [](ServerOptions& o, uint32_t v) {
             return sockjs_server_options_set_shutdown_timeout_ms(o.get(), v);
           })
      .def("set_forward_unmatched",
           [](ServerOptions& o, bool v) {
             return sockjs_server_options_set_forward_unmatched(o.get(),
                                                                v ? 1 : 0);
           })
      .def("set_max_request_headers",
           [](ServerOptions& o, size_t v) {
             return sockjs_server_options_set_max_request_headers(o.get(), v);
           })
      .def("set_max_sessions",
           [](ServerOptions& o, size_t v) {
             return sockjs_server_options_set_max_sessions(o.get(), v);
           })
      .def("set_max_connections",
           [](ServerOptions& o, size_t v) {
             return sockjs_server_options_set_max_connections(o.get(), v);
           })
      .def("set_tcp_keepalive_s",
           [](ServerOptions& o, uint32_t v) {
             return sockjs_server_options_set_tcp_keepalive_s(o.get(), v);
           })
      .def("add_trusted_proxy",
           [](ServerOptions& o, const std::string& cidr) {
             return sockjs_server_options_add_trusted_proxy(o.get(),
                                                            cidr.c_str());
           })
      .def("clear_trusted_proxies",
           [](ServerOptions& o) {
             return sockjs_server_options_clear_trusted_proxies(o.get());
           })
      .def("set_log_level",
           [](ServerOptions& o, int level) {
             return sockjs_server_options_set_log_level(o.get(), level);
           })
      .def("set_node_id",
           [](ServerOptions& o, int64_t v) {
             // Range-checked here: a negative number must not wrap into a
             // valid one.
             if (v < 0 || v > UINT32_MAX) return int{SOCKJS_E_INVALID_ARGUMENT};
             return sockjs_server_options_set_node_id(o.get(),
                                                      static_cast<unsigned>(v));
           })
      .def("set_backplane_redis",
           [](ServerOptions& o, const py::object& host, int port) {
             if (host.is_none())
               return sockjs_server_options_set_backplane_redis(o.get(),
                                                                nullptr, port);
             std::string h = host.cast<std::string>();
             return sockjs_server_options_set_backplane_redis(o.get(),
                                                              h.c_str(), port);
           })
      .def("set_backplane_channel",
           [](ServerOptions& o, const std::string& v) {
             return sockjs_server_options_set_backplane_channel(o.get(),
                                                                v.c_str());
           })
      .def("set_backplane_buffer_limit",
           [](ServerOptions& o, size_t v) {
             return sockjs_server_options_set_backplane_buffer_limit(o.get(),
                                                                     v);
           })
      .def("set_backplane_connect_timeout_ms",
           [](ServerOptions& o, uint32_t v) {
             return sockjs_server_options_set_backplane_connect_timeout_ms(
                 o.get(), v);
           });

  m.def("server_new", &server_new, py::arg("opts") = nullptr);

  py::class_<Server>(m, "Server")
      .def_property_readonly("alive", &Server::alive)
      .def("free", &Server::free)
      .def("add_service", &Server::add_service, py::arg("opts"))
      .def("listen", &Server::listen, py::arg("host"), py::arg("port"))
      .def("close", &Server::close)
      .def("event_fd", &Server::event_fd)
      .def("wait", &Server::wait, py::arg("timeout_ms"))
      .def("wakeup", &Server::wakeup)
      .def("poll", &Server::poll, py::arg("max_events") = kPollBatch)
      .def("conn_send", &Server::conn_send, py::arg("conn"), py::arg("text"))
      .def("conn_close", &Server::conn_close, py::arg("conn"), py::arg("code"),
           py::arg("reason") = py::none())
      .def("conn_get_info", &Server::conn_get_info, py::arg("conn"))
      .def("conn_accept", &Server::conn_accept, py::arg("conn"))
      .def("conn_reject", &Server::conn_reject, py::arg("conn"),
           py::arg("code"), py::arg("reason") = py::none())
      .def("conn_join", &Server::conn_join, py::arg("conn"), py::arg("channel"))
      .def("conn_leave", &Server::conn_leave, py::arg("conn"),
           py::arg("channel"))
      .def("publish", &Server::publish, py::arg("service"), py::arg("channel"),
           py::arg("text"))
      .def("publish_to", &Server::publish_to, py::arg("conn"), py::arg("text"))
      .def("list_sessions", &Server::list_sessions, py::arg("service"))
      .def("close_sessions", &Server::close_sessions, py::arg("service"),
           py::arg("code"), py::arg("reason") = py::none())
      .def("metrics", &Server::metrics)
      .def("metrics_prometheus", &Server::metrics_prometheus)
      .def("request_respond", &Server::request_respond, py::arg("request"),
           py::arg("status"), py::arg("content_type"), py::arg("headers"),
           py::arg("body"))
      .def("stream_open", &Server::stream_open, py::arg("remote_addr"),
           py::arg("remote_port"))
      .def("feed", &Server::feed, py::arg("stream"), py::arg("data"))
      .def("output", &Server::output, py::arg("stream"))
      .def("output_consume", &Server::output_consume, py::arg("stream"),
           py::arg("n"))
      .def("stream_wants_close", &Server::stream_wants_close, py::arg("stream"))
      .def("stream_close", &Server::stream_close, py::arg("stream"))
      .def("dirty_streams", &Server::dirty_streams, py::arg("max") = 64)
      .def("next_timeout_ms", &Server::next_timeout_ms)
      .def("tick", &Server::tick, py::arg("now_ms"));
}
