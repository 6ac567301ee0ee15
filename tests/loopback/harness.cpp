#include "harness.hpp"

#include <chrono>

#include "net_client.hpp"

namespace loopback {

bool InfoCopy::has_header(const std::string& name) const {
  for (const auto& h : headers)
    if (h.first == name) return true;
  return false;
}

std::string InfoCopy::header(const std::string& name) const {
  for (const auto& h : headers)
    if (h.first == name) return h.second;
  return "";
}

bool copy_info(sockjs_server* s, uint64_t conn, InfoCopy& out) {
  sockjs_conn_info info;
  info.size = sizeof info;
  if (sockjs_conn_get_info(s, conn, &info) != SOCKJS_OK) return false;
  out.service = info.service;
  out.prefix = info.prefix;
  out.transport = info.transport;
  out.remote_addr = info.remote_addr;
  out.remote_port = info.remote_port;
  out.method = info.method;
  out.url = info.url;
  out.headers.clear();
  for (size_t i = 0; i < info.n_headers; ++i)
    out.headers.emplace_back(info.header_names[i], info.header_values[i]);
  return true;
}

long fill_until_stuck(sockjs_server* s, uint64_t conn, const std::string& msg,
                      int stuck_ms, long max_sends) {
  long accepted = 0;
  int64_t stuck_since = 0;
  for (long i = 0; i < max_sends; ++i) {
    int rc = sockjs_conn_send(s, conn, msg.data(), msg.size());
    if (rc == SOCKJS_OK) {
      ++accepted;
      stuck_since = 0;
      continue;
    }
    if (rc != SOCKJS_E_AGAIN) return -1;
    if (stuck_since == 0) stuck_since = now_ms();
    if (now_ms() - stuck_since >= stuck_ms) return accepted;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return -1;
}

Harness::Harness(HarnessConfig cfg) : cfg_(std::move(cfg)) {
  char err[SOCKJS_ERRBUF_SIZE] = "";
  sockjs_server_options* so = nullptr;
  if (sockjs_server_options_new(&so) != SOCKJS_OK) {
    error_ = "server_options_new failed";
    return;
  }
  if (cfg_.server_tweak) cfg_.server_tweak(so);
  int rc = sockjs_server_new(so, &server_, err);
  sockjs_server_options_free(so);
  if (rc != SOCKJS_OK) {
    error_ = std::string("server_new: ") + err;
    server_ = nullptr;
    return;
  }
  for (const ServiceSpec& spec : cfg_.services) {
    sockjs_options* o = nullptr;
    if (sockjs_options_new(&o) != SOCKJS_OK ||
        sockjs_options_set_prefix(o, spec.prefix.c_str()) != SOCKJS_OK) {
      error_ = "options for " + spec.prefix;
      sockjs_options_free(o);
      return;
    }
    if (spec.tweak) spec.tweak(o);
    rc = sockjs_server_add_service(server_, o, nullptr);
    sockjs_options_free(o);
    if (rc != SOCKJS_OK) {
      error_ = std::string("add_service: ") + sockjs_status_name(rc);
      return;
    }
  }
  rc = sockjs_server_listen(server_, "127.0.0.1", 0, &port_, err);
  if (rc != SOCKJS_OK) {
    error_ = std::string("listen: ") + err;
    port_ = 0;
    return;
  }
  if (cfg_.app_thread) app_ = std::thread([this] { run_app(); });
}

Harness::~Harness() {
  if (server_) {
    if (port_ != 0) close_and_wait();
    stop_app();
    sockjs_server_free(server_);
    server_ = nullptr;
  }
}

void Harness::record(sockjs_server* s, const sockjs_event& e) {
  RecordedEvent r;
  r.type = e.type;
  r.service = e.service;
  r.conn = e.conn;
  r.data.assign(e.data, e.len);
  r.code = e.code;
  if (e.type == SOCKJS_EVENT_OPEN || e.type == SOCKJS_EVENT_REQUEST)
    r.has_info = copy_info(s, e.conn, r.info);
  // Recorded before echoing, so a client that sees the echo also finds
  // the event in the record.
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (e.type == SOCKJS_EVENT_SERVER_CLOSED) server_closed_ = true;
    events_.push_back(r);
    cv_.notify_all();
  }
  if (cfg_.echo && e.type == SOCKJS_EVENT_MESSAGE) {
    int rc = sockjs_conn_send(s, e.conn, e.data, e.len);
    if (rc != SOCKJS_OK) {
      std::lock_guard<std::mutex> lock(mu_);
      ++echo_failures_;
    }
  }
  if (cfg_.on_event) cfg_.on_event(s, r);
}

size_t Harness::poll_once(size_t max) {
  std::vector<sockjs_event> evs(max);
  evs[0].size = sizeof(sockjs_event);
  size_t n = 0;
  if (sockjs_server_poll(server_, evs.data(), max, &n) != SOCKJS_OK) return 0;
  for (size_t i = 0; i < n; ++i) record(server_, evs[i]);
  return n;
}

void Harness::run_app() {
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stop_ || server_closed_) return;
    }
    sockjs_server_wait(server_, 100);
    while (poll_once() > 0) {
    }
  }
}

void Harness::stop_app() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  if (app_.joinable()) {
    sockjs_server_wakeup(server_);
    app_.join();
  }
}

std::vector<RecordedEvent> Harness::events() const {
  std::lock_guard<std::mutex> lock(mu_);
  return events_;
}

bool Harness::wait_for(
    const std::function<bool(const std::vector<RecordedEvent>&)>& pred,
    int timeout_ms) const {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                      [&] { return pred(events_); });
}

uint64_t Harness::wait_open(size_t index, int timeout_ms) const {
  uint64_t conn = 0;
  wait_for(
      [&](const std::vector<RecordedEvent>& evs) {
        size_t seen = 0;
        for (const auto& e : evs) {
          if (e.type != SOCKJS_EVENT_OPEN) continue;
          if (seen++ == index) {
            conn = e.conn;
            return true;
          }
        }
        return false;
      },
      timeout_ms);
  return conn;
}

RecordedEvent Harness::open_event(uint64_t conn) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& e : events_)
    if (e.type == SOCKJS_EVENT_OPEN && e.conn == conn) return e;
  return RecordedEvent();
}

bool Harness::wait_close(uint64_t conn, int timeout_ms) const {
  return wait_for(
      [&](const std::vector<RecordedEvent>& evs) {
        for (const auto& e : evs)
          if (e.type == SOCKJS_EVENT_CLOSE && e.conn == conn) return true;
        return false;
      },
      timeout_ms);
}

size_t Harness::count(int type, uint64_t conn) const {
  std::lock_guard<std::mutex> lock(mu_);
  size_t n = 0;
  for (const auto& e : events_)
    if (e.type == type && (conn == 0 || e.conn == conn)) ++n;
  return n;
}

int Harness::echo_failures() const {
  std::lock_guard<std::mutex> lock(mu_);
  return echo_failures_;
}

bool Harness::close_and_wait(int timeout_ms) {
  if (!server_ || port_ == 0) return false;
  if (sockjs_server_close(server_) != SOCKJS_OK) return false;
  bool got;
  if (cfg_.app_thread) {
    got = wait_for(
        [](const std::vector<RecordedEvent>& evs) {
          return !evs.empty() && evs.back().type == SOCKJS_EVENT_SERVER_CLOSED;
        },
        timeout_ms);
    stop_app();
  } else {
    int64_t deadline_steps = timeout_ms / 50;
    got = false;
    for (int64_t i = 0; i < deadline_steps && !got; ++i) {
      sockjs_server_wait(server_, 50);
      while (poll_once() > 0) {
      }
      std::lock_guard<std::mutex> lock(mu_);
      got = server_closed_;
    }
  }
  port_ = 0;  // closed: the destructor only frees
  if (!got) return false;
  // Nothing may follow SERVER_CLOSED.
  sockjs_event ev;
  ev.size = sizeof ev;
  size_t n = 0;
  bool quiet = sockjs_server_poll(server_, &ev, 1, &n) == SOCKJS_E_AGAIN;
  std::lock_guard<std::mutex> lock(mu_);
  return quiet && events_.back().type == SOCKJS_EVENT_SERVER_CLOSED;
}

void Harness::free_now() {
  stop_app();
  sockjs_server_free(server_);
  server_ = nullptr;
  port_ = 0;
}

}  // namespace loopback
