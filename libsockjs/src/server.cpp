#include "server.hpp"

#include <algorithm>

#include "codec/utf8.hpp"
#include "runner/libevent_runner.hpp"

namespace sockjs {

Server::Server(const ServerOptions& opts) : sopts_(opts) {}

Server::~Server() {
  // The runner joins its thread before the queue and table go away.
  runner_.reset();
  engine_.reset();
}

Status Server::add_service(const ServiceOptions& opts, int* id) {
  std::lock_guard<std::mutex> lock(mode_mu_);
  if (mode_ != Mode::unstarted || closing_) return Status::state;
  for (const auto& s : services_)
    if (s.prefix == opts.prefix) return Status::invalid_argument;
  services_.push_back(opts);
  metrics_.add_service(opts.prefix);
  if (id) *id = static_cast<int>(services_.size() - 1);
  return Status::ok;
}

Status Server::listen(const char* host, uint16_t port, uint16_t* bound,
                      std::string& error) {
  std::lock_guard<std::mutex> lock(mode_mu_);
  if (mode_ != Mode::unstarted || closing_) {
    error = "server already started or closed";
    return Status::state;
  }
  auto runner = std::make_unique<LibeventRunner>(sopts_, services_, table_,
                                                 metrics_, queue_);
  Status st = runner->start(host ? host : "127.0.0.1", port, bound, error);
  if (st != Status::ok) return st;
  runner_ = std::move(runner);
  mode_ = Mode::listening;
  return Status::ok;
}

Status Server::close() {
  std::lock_guard<std::mutex> lock(mode_mu_);
  if (closing_) return Status::ok;
  closing_ = true;
  switch (mode_) {
    case Mode::listening: {
      Command c;
      c.kind = Command::Kind::shutdown;
      runner_->post(std::move(c));
      break;
    }
    case Mode::feeding:
      engine_->shutdown();
      settle();
      break;
    case Mode::unstarted: {
      // Nothing ever ran: the shutdown is complete at once.
      std::vector<Event> evs(1);
      evs[0].type = 5;
      queue_.push(evs);
      break;
    }
  }
  return Status::ok;
}

Status Server::send(uint64_t conn, std::string_view text) {
  if (!codec::utf8_valid(text)) return Status::invalid_argument;
  std::shared_ptr<ConnShared> c = table_.find(conn);
  if (!c || c->is_request) return Status::unknown_conn;
  if (!c->open.load(std::memory_order_relaxed)) return Status::closed;
  if (c->pending() >= static_cast<int64_t>(c->limit)) {
    c->want_drain.store(true, std::memory_order_relaxed);
    // Re-check: the engine may have drained between the two loads.
    if (c->pending() >= static_cast<int64_t>(c->limit)) {
      metrics_.service(c->service)
          .send_refused.fetch_add(1, std::memory_order_relaxed);
      return Status::again;
    }
  }
  if (mode_ == Mode::listening) {
    if (closing_) return Status::closed;
    c->in_flight.fetch_add(static_cast<int64_t>(text.size()),
                           std::memory_order_relaxed);
    Command cmd;
    cmd.kind = Command::Kind::send;
    cmd.id = conn;
    cmd.a.assign(text);
    runner_->post(std::move(cmd));
    return Status::ok;
  }
  if (!engine_) return Status::unknown_conn;
  Status st = engine_->send(conn, text);
  settle();
  return st;
}

Status Server::close_conn(uint64_t conn, int code, std::string_view reason) {
  std::shared_ptr<ConnShared> c = table_.find(conn);
  if (!c || c->is_request) return Status::unknown_conn;
  // Exactly one close wins; later ones see a closing session.
  bool expected = true;
  if (!c->open.compare_exchange_strong(expected, false)) return Status::closed;
  if (mode_ == Mode::listening) {
    Command cmd;
    cmd.kind = Command::Kind::close_conn;
    cmd.id = conn;
    cmd.code = code;
    cmd.a.assign(reason);
    runner_->post(std::move(cmd));
    return Status::ok;
  }
  if (!engine_) return Status::unknown_conn;
  Status st = engine_->close_conn(conn, code, reason);
  if (st == Status::closed) st = Status::ok;  // we flipped the flag above
  settle();
  return st;
}

Status Server::respond(uint64_t request, int status,
                       std::string_view content_type, std::string_view headers,
                       std::string_view body) {
  std::shared_ptr<ConnShared> c = table_.find(request);
  if (!c || !c->is_request) return Status::unknown_conn;
  bool expected = true;
  if (!c->open.compare_exchange_strong(expected, false))
    return Status::unknown_conn;  // already answered
  if (mode_ == Mode::listening) {
    Command cmd;
    cmd.kind = Command::Kind::respond;
    cmd.id = request;
    cmd.code = status;
    cmd.a.assign(content_type);
    cmd.b.assign(headers);
    cmd.c.assign(body);
    runner_->post(std::move(cmd));
    return Status::ok;
  }
  if (!engine_) return Status::unknown_conn;
  Status st = engine_->respond(request, status, content_type, headers, body);
  settle();
  return st;
}

Status Server::decide(uint64_t conn, bool accept, int code,
                      std::string_view reason) {
  std::shared_ptr<ConnShared> c = table_.find(conn);
  if (!c || c->is_request) return Status::unknown_conn;
  // Exactly one decision wins (the authorization timeout competes too).
  bool expected = true;
  if (!c->undecided.compare_exchange_strong(expected, false))
    return Status::state;
  if (!accept) c->open.store(false, std::memory_order_relaxed);
  if (mode_ == Mode::listening) {
    Command cmd;
    cmd.kind = accept ? Command::Kind::accept : Command::Kind::reject;
    cmd.id = conn;
    cmd.code = code;
    cmd.a.assign(reason);
    runner_->post(std::move(cmd));
    return Status::ok;
  }
  if (!engine_) return Status::unknown_conn;
  Status st = engine_->decide(conn, accept, code, reason);
  settle();
  return st;
}

Status Server::join(uint64_t conn, std::string_view channel) {
  return membership(true, conn, channel);
}

Status Server::leave(uint64_t conn, std::string_view channel) {
  return membership(false, conn, channel);
}

Status Server::membership(bool join, uint64_t conn, std::string_view channel) {
  std::shared_ptr<ConnShared> c = table_.find(conn);
  if (!c || c->is_request) return Status::unknown_conn;
  if (join && !c->open.load(std::memory_order_relaxed)) return Status::closed;
  if (mode_ == Mode::listening) {
    if (closing_) return Status::closed;
    // A command, so that it is ordered with this thread's sends and
    // publishes.
    Command cmd;
    cmd.kind = join ? Command::Kind::join : Command::Kind::leave;
    cmd.id = conn;
    cmd.a.assign(channel);
    runner_->post(std::move(cmd));
    return Status::ok;
  }
  if (!engine_) return Status::unknown_conn;
  Status st =
      join ? engine_->join(conn, channel) : engine_->leave(conn, channel);
  settle();
  return st;
}

Status Server::publish(int service, std::string_view channel,
                       bool whole_service, std::string_view text) {
  if (service < 0 || service >= static_cast<int>(services_.size()))
    return Status::invalid_argument;
  if (!codec::utf8_valid(text)) return Status::invalid_argument;
  if (mode_ == Mode::listening) {
    if (closing_) return Status::closed;
    Command cmd;
    cmd.kind = Command::Kind::publish;
    cmd.id = whole_service ? 1 : 0;
    cmd.code = service;
    cmd.a.assign(channel);
    cmd.b.assign(text);
    runner_->post(std::move(cmd));
    return Status::ok;
  }
  if (mode_ != Mode::feeding) return Status::ok;  // no sessions yet
  engine_->publish(service, channel, whole_service, text);
  settle();
  return Status::ok;
}

Status Server::publish_to(uint64_t conn, std::string_view text) {
  if ((conn >> 48) == sopts_.node_id) return send(conn, text);
  // Another node's session: only the backplane can reach it.
  if (sopts_.backplane.redis_host.empty() || mode_ != Mode::listening)
    return Status::unknown_conn;
  if (!codec::utf8_valid(text)) return Status::invalid_argument;
  if (closing_) return Status::closed;
  Command cmd;
  cmd.kind = Command::Kind::publish_to;
  cmd.id = conn;
  cmd.b.assign(text);
  runner_->post(std::move(cmd));
  return Status::ok;
}

Status Server::list_sessions(int service, std::vector<uint64_t>& out) const {
  if (service < -1 || service >= static_cast<int>(services_.size()))
    return Status::invalid_argument;
  table_.list_open(service, out);
  return Status::ok;
}

Status Server::close_service_sessions(int service, int code,
                                      std::string_view reason, size_t* closed) {
  std::vector<uint64_t> ids;
  if (Status st = list_sessions(service, ids); st != Status::ok) return st;
  size_t n = 0;
  for (uint64_t id : ids)
    if (close_conn(id, code, reason) == Status::ok) ++n;
  if (closed) *closed = n;
  return Status::ok;
}

void Server::metrics_snapshot(std::vector<MetricSample>& out) const {
  std::lock_guard<std::mutex> lock(mode_mu_);  // services_ may still grow
  metrics_.snapshot(out);
}

std::string Server::metrics_prometheus() const {
  std::lock_guard<std::mutex> lock(mode_mu_);
  return metrics_.prometheus();
}

// ------------------------------------------------------------- feed mode

Status Server::ensure_feed_mode() {
  std::lock_guard<std::mutex> lock(mode_mu_);
  if (mode_ == Mode::feeding) return Status::ok;
  if (mode_ != Mode::unstarted || closing_) return Status::state;
  // The backplane lives on the runner's loop: listen mode only.
  if (!sopts_.backplane.redis_host.empty()) return Status::state;
  engine_ =
      std::make_unique<Engine>(sopts_, services_, table_, metrics_, nullptr);
  engine_->set_now(clock_);
  mode_ = Mode::feeding;
  return Status::ok;
}

void Server::settle() {
  engine_->finish_operation();
  queue_.push(engine_->events());
}

Status Server::stream_open(std::string_view addr, uint16_t port,
                           uint64_t* out) {
  if (Status st = ensure_feed_mode(); st != Status::ok) return st;
  if (closing_) return Status::state;
  *out = engine_->open_stream(std::string(addr), port);
  settle();
  return Status::ok;
}

Status Server::feed(uint64_t st, const uint8_t* data, size_t len) {
  if (mode_ != Mode::feeding) return Status::state;
  if (!engine_->has_stream(st)) return Status::unknown_conn;
  engine_->feed(st, reinterpret_cast<const char*>(data), len);
  settle();
  return Status::ok;
}

Status Server::output(uint64_t st, std::string_view& out) {
  if (mode_ != Mode::feeding) return Status::state;
  if (!engine_->has_stream(st)) return Status::unknown_conn;
  out = engine_->output(st);
  return Status::ok;
}

Status Server::output_consume(uint64_t st, size_t n) {
  if (mode_ != Mode::feeding) return Status::state;
  if (!engine_->has_stream(st)) return Status::unknown_conn;
  if (n > engine_->output(st).size()) return Status::invalid_argument;
  engine_->consume(st, n);
  settle();
  return Status::ok;
}

Status Server::wants_close(uint64_t st, bool& out) const {
  if (mode_ != Mode::feeding) return Status::state;
  if (!engine_->has_stream(st)) return Status::unknown_conn;
  out = engine_->wants_close(st);
  return Status::ok;
}

Status Server::stream_close(uint64_t st) {
  if (mode_ != Mode::feeding) return Status::state;
  if (!engine_->has_stream(st)) return Status::unknown_conn;
  engine_->close_stream(st);
  settle();
  return Status::ok;
}

Status Server::dirty_streams(uint64_t* ids, size_t max, size_t* n) {
  if (mode_ != Mode::feeding) {
    *n = 0;
    return mode_ == Mode::unstarted ? Status::ok : Status::state;
  }
  // The engine keeps the list (each stream once); the host takes chunks.
  engine_->take_dirty(dirty_scratch_, max);
  std::copy(dirty_scratch_.begin(), dirty_scratch_.end(), ids);
  *n = dirty_scratch_.size();
  return Status::ok;
}

int64_t Server::next_timeout() const {
  if (mode_ != Mode::feeding) return -1;
  return engine_->next_timeout();
}

Status Server::tick(uint64_t now_ms) {
  if (now_ms < clock_) return Status::invalid_argument;
  clock_ = now_ms;
  if (mode_ == Mode::listening) return Status::state;
  if (mode_ != Mode::feeding) return Status::ok;
  engine_->set_now(now_ms);
  engine_->run_timers();
  settle();
  return Status::ok;
}

}  // namespace sockjs
