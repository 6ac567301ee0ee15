#include "runner/libevent_runner.hpp"

#include <arpa/inet.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>

#include "runner/backplane_bridge.hpp"

namespace sockjs {

namespace {

uint64_t monotonic_ms() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000 +
         static_cast<uint64_t>(ts.tv_nsec) / 1000000;
}

// Blocks every signal in the calling thread for its lifetime, so that a
// thread started meanwhile inherits a full mask.
class AllSignalsBlocked {
 public:
  AllSignalsBlocked() {
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &saved_);
  }
  ~AllSignalsBlocked() { pthread_sigmask(SIG_SETMASK, &saved_, nullptr); }
  AllSignalsBlocked(const AllSignalsBlocked&) = delete;
  AllSignalsBlocked& operator=(const AllSignalsBlocked&) = delete;

 private:
  sigset_t saved_;
};

// Reads per readable event before yielding to other connections.
constexpr int kReadsPerEvent = 16;
constexpr size_t kReadBuffer = 64 * 1024;
// How long a closing connection may keep sending before we reset it.
constexpr int kLingerMs = 2000;
// TCP keepalive after the idle time: unanswered probes before the kernel
// resets the connection, and the most time between them.
constexpr int kKeepaliveProbes = 3;
constexpr int kKeepaliveMaxIntervalS = 10;

}  // namespace

LibeventRunner::LibeventRunner(const ServerOptions& sopts,
                               const std::vector<ServiceOptions>& services,
                               ConnTable& table, Metrics& metrics,
                               EventQueue& queue)
    : sopts_(sopts),
      services_(services),
      metrics_(metrics),
      engine_(sopts, services, table, metrics, this),
      queue_(queue),
      table_(table),
      max_connections_(sopts.max_connections),
      keepalive_s_(sopts.tcp_keepalive_s) {
  buf_.resize(kReadBuffer);
}

LibeventRunner::~LibeventRunner() {
  join();
  bridge_.reset();  // its Redis contexts live on base_
  for (auto& kv : conns_) {
    if (kv.second->rd) event_free(kv.second->rd);
    if (kv.second->wr) event_free(kv.second->wr);
    ::close(kv.second->fd);
  }
  conns_.clear();
  if (listener_) evconnlistener_free(listener_);
  if (timer_) event_free(timer_);
  if (cmd_ev_) event_free(cmd_ev_);
  if (cmd_fd_ >= 0) ::close(cmd_fd_);
  if (base_) event_base_free(base_);
}

Status LibeventRunner::start(const char* host, uint16_t port, uint16_t* bound,
                             std::string& error) {
  base_ = event_base_new();
  if (!base_) {
    error = "event_base_new failed";
    return Status::io;
  }
  struct addrinfo hints;
  std::memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  struct addrinfo* res = nullptr;
  std::string port_text = std::to_string(port);
  int gai = getaddrinfo(host, port_text.c_str(), &hints, &res);
  if (gai != 0) {
    error = std::string("cannot resolve ") + host + ": " + gai_strerror(gai);
    return Status::io;
  }
  for (struct addrinfo* ai = res; ai && !listener_; ai = ai->ai_next) {
    listener_ = evconnlistener_new_bind(
        base_, &LibeventRunner::on_accept, this,
        // libevent's default backlog (-1) is 128: a burst of connections
        // beyond it waits for SYN retransmits. The kernel caps SOMAXCONN.
        LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC |
            // With a backplane: no session before the node is subscribed.
            (sopts_.backplane.redis_host.empty() ? 0 : LEV_OPT_DISABLED),
        SOMAXCONN, ai->ai_addr, static_cast<int>(ai->ai_addrlen));
    if (!listener_)
      error = std::string("cannot listen on ") + host + ":" + port_text + ": " +
              std::strerror(errno);
  }
  freeaddrinfo(res);
  if (!listener_) return Status::io;
  struct sockaddr_storage ss;
  socklen_t sl = sizeof ss;
  int lfd = evconnlistener_get_fd(listener_);
  if (bound &&
      getsockname(lfd, reinterpret_cast<struct sockaddr*>(&ss), &sl) == 0) {
    *bound = ss.ss_family == AF_INET6
                 ? ntohs(reinterpret_cast<struct sockaddr_in6*>(&ss)->sin6_port)
                 : ntohs(reinterpret_cast<struct sockaddr_in*>(&ss)->sin_port);
  }
  timer_ = evtimer_new(base_, &LibeventRunner::on_timer, this);
  // Other threads wake the loop through our own eventfd rather than
  // event_active: that needs libevent's locking (evthread), which would
  // then lock on every event operation of the I/O thread.
  cmd_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (cmd_fd_ < 0) {
    error = std::string("eventfd: ") + std::strerror(errno);
    return Status::io;
  }
  cmd_ev_ = event_new(base_, cmd_fd_, EV_READ | EV_PERSIST,
                      &LibeventRunner::on_command, this);
  if (cmd_ev_) event_add(cmd_ev_, nullptr);
  if (!timer_ || !cmd_ev_) {
    error = "cannot create libevent events";
    return Status::nomem;
  }
  engine_.set_now(monotonic_ms());
  if (!sopts_.backplane.redis_host.empty()) make_bridge();
  {
    // The I/O thread takes no process signals: SIGTERM and friends belong
    // to the host's threads (which may block them only after listen(), or
    // wait for them with sigwait/signalfd). It inherits this mask.
    AllSignalsBlocked blocked;
    thread_ = std::thread([this] {
      if (sopts_.io_thread_batch) {
        // No wakeup preemption: a host thread sending on this core finishes
        // its burst before we take it (sockjs_server_options_set_io_thread_
        // batch). Failure only costs speed.
        struct sched_param sp;
        sp.sched_priority = 0;
        pthread_setschedparam(pthread_self(), SCHED_BATCH, &sp);
      }
      // One libevent round handles every ready socket, timer and command;
      // only then are the events handed over and the output written, so a
      // burst costs one wakeup of the host and one write per socket.
      while (!stopped_) {
        event_base_loop(base_, EVLOOP_ONCE | EVLOOP_NO_EXIT_ON_EMPTY);
        guarded([this] { after_op(); });
      }
    });
  }
  if (bridge_) return wait_for_backplane(error);
  return Status::ok;
}

void LibeventRunner::make_bridge() {
  bridge_ = std::make_unique<BackplaneBridge>(
      base_, sopts_, services_, engine_, metrics_.backplane,
      [this](bool up) { backplane_state(up); });
  bridge_->start();  // the I/O thread does not run yet: no race on base_
}

void LibeventRunner::backplane_state(bool up) {
  const BackplaneOptions& b = sopts_.backplane;
  std::string where = b.redis_host + ":" + std::to_string(b.redis_port);
  if (up && !first_up_) {
    if (listener_) evconnlistener_enable(listener_);
    std::lock_guard<std::mutex> lock(up_mu_);
    first_up_ = true;
    up_cv_.notify_all();
  }
  if (engine_.logging(up ? Engine::kInfo : Engine::kWarning))
    engine_.log(up ? Engine::kInfo : Engine::kWarning, -1, 0,
                up ? "backplane up: subscribed at Redis " + where
                   : "backplane down: Redis " + where +
                         " unreachable; sessions stay open, publishes "
                         "for other nodes are held up to the buffer limit");
}

Status LibeventRunner::wait_for_backplane(std::string& error) {
  const BackplaneOptions& b = sopts_.backplane;
  std::unique_lock<std::mutex> lock(up_mu_);
  if (up_cv_.wait_for(lock, std::chrono::milliseconds(b.connect_timeout_ms),
                      [this] { return first_up_; }))
    return Status::ok;
  lock.unlock();
  error = "backplane: Redis at " + b.redis_host + ":" +
          std::to_string(b.redis_port) + " not reachable within " +
          std::to_string(b.connect_timeout_ms) + " ms";
  join();
  return Status::io;
}

void LibeventRunner::post(Command&& cmd) {
  bool wake;
  {
    std::lock_guard<std::mutex> lock(cmd_mu_);
    wake = cmds_.empty();  // one wakeup per batch of commands
    cmds_.push_back(std::move(cmd));
  }
  if (wake && cmd_fd_ >= 0) {
    uint64_t one = 1;
    ssize_t r = ::write(cmd_fd_, &one, sizeof one);
    (void)r;  // EAGAIN only if the counter is huge: the loop wakes anyway
  }
}

void LibeventRunner::join() {
  if (!thread_.joinable()) return;
  Command c;
  c.kind = Command::Kind::stop;
  post(std::move(c));
  thread_.join();
}

template <typename F>
void LibeventRunner::guarded(F&& body) noexcept {
  try {
    engine_.set_now(monotonic_ms());
    body();
  } catch (...) {
    // An engine bug or out of memory: stop serving rather than corrupt
    // state. The host sees SERVER_CLOSED.
    try {
      std::vector<Event> evs(1);
      evs[0].type = 5;
      queue_.push(evs);
    } catch (...) {
    }
    stop_now();
  }
}

void LibeventRunner::on_accept(struct evconnlistener*, int fd,
                               struct sockaddr* sa, int, void* arg) noexcept {
  auto* self = static_cast<LibeventRunner*>(arg);
  self->guarded([&] { self->accept_conn(fd, sa); });
}

void LibeventRunner::accept_conn(int fd, struct sockaddr* sa) {
  if (max_connections_ != 0 && conns_.size() >= max_connections_) {
    ::close(fd);  // over the limit: refuse before spending anything on it
    engine_.limit_hit(Limit::connections,
                      "max_connections reached, connection refused");
    return;
  }
  int one = 1;
  // Frames are small and latency-sensitive; never wait for Nagle.
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (keepalive_s_ != 0) {
    // A peer that vanished (power off, NAT expiry) never sends a FIN; the
    // probes turn it into a reset, so its session ends with a CLOSE.
    int idle = static_cast<int>(keepalive_s_);
    int interval =
        idle < kKeepaliveMaxIntervalS ? idle : kKeepaliveMaxIntervalS;
    int count = kKeepaliveProbes;
    setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval);
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count);
  } else {
    // libevent's listener turns keepalive on (with the system's 2-hour
    // idle time), and accepted sockets inherit it: off means off.
    int zero = 0;
    setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &zero, sizeof zero);
  }
  char text[INET6_ADDRSTRLEN] = "";
  uint16_t port = 0;
  if (sa->sa_family == AF_INET) {
    auto* in = reinterpret_cast<struct sockaddr_in*>(sa);
    inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
    port = ntohs(in->sin_port);
  } else if (sa->sa_family == AF_INET6) {
    auto* in6 = reinterpret_cast<struct sockaddr_in6*>(sa);
    inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
    port = ntohs(in6->sin6_port);
  }
  uint64_t id = engine_.open_stream(text, port);
  auto c = std::make_unique<Conn>();
  c->runner = this;
  c->id = id;
  c->fd = fd;
  c->rd = event_new(base_, fd, EV_READ | EV_PERSIST, &LibeventRunner::on_read,
                    c.get());
  if (!c->rd) {
    ::close(fd);
    engine_.close_stream(id);
    return;
  }
  event_add(c->rd, nullptr);
  conns_.emplace(id, std::move(c));
}

void LibeventRunner::on_read(int, short, void* arg) noexcept {
  auto* c = static_cast<Conn*>(arg);
  LibeventRunner* self = c->runner;
  uint64_t id = c->id;
  self->guarded([&] { self->read_conn(id); });
}

void LibeventRunner::read_conn(uint64_t id) {
  for (int i = 0; i < kReadsPerEvent; ++i) {
    auto it = conns_.find(id);
    if (it == conns_.end()) return;
    ssize_t n = ::recv(it->second->fd, buf_.data(), buf_.size(), 0);
    if (it->second->lingering) {  // discard until the client closes
      if (n > 0 || (n < 0 && errno == EINTR)) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
      drop_conn(id, false);
      return;
    }
    if (n > 0) {
      engine_.feed(id, buf_.data(), static_cast<size_t>(n));
      if (static_cast<size_t>(n) < buf_.size()) return;
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n < 0 && errno == EINTR) continue;
    // EOF or reset. A client that half-closes right after its request
    // (printf | nc) still gets the answer that request produced.
    if (n == 0) write_pending(id);
    drop_conn(id, true);
    return;
  }
}

void LibeventRunner::on_write(int, short, void* arg) noexcept {
  auto* c = static_cast<Conn*>(arg);
  LibeventRunner* self = c->runner;
  uint64_t id = c->id;
  self->guarded([&] { self->flush_conn(id); });
}

void LibeventRunner::flush_conn(uint64_t id) {
  auto it = conns_.find(id);
  if (it == conns_.end()) return;
  Conn& c = *it->second;
  if (c.lingering) return;
  for (;;) {
    std::string_view out = engine_.output(id);
    if (out.empty()) break;
    ssize_t n = ::send(c.fd, out.data(), out.size(), MSG_NOSIGNAL);
    if (n > 0) {
      engine_.consume(id, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!c.wr) {
        c.wr = event_new(base_, c.fd, EV_WRITE | EV_PERSIST,
                         &LibeventRunner::on_write, &c);
        if (!c.wr) throw std::bad_alloc();
      }
      if (!c.writing) {
        event_add(c.wr, nullptr);
        c.writing = true;
      }
      if (engine_.shutdown_done()) drop_conn(id, true);
      return;
    }
    drop_conn(id, true);  // EPIPE, ECONNRESET, ...
    return;
  }
  if (c.writing) {
    event_del(c.wr);
    c.writing = false;
  }
  if (engine_.shutdown_done()) {
    drop_conn(id, true);
  } else if (engine_.wants_close(id)) {
    start_linger(c);
  }
}

// Closing a socket that still has unread input makes the kernel send a
// reset, which can destroy the response we just wrote (a 413 sent while
// the client is still uploading). So: send FIN, discard what the client
// still sends until it closes too, and give up after kLingerMs.
void LibeventRunner::start_linger(Conn& c) {
  if (c.lingering) return;
  c.lingering = true;
  ::shutdown(c.fd, SHUT_WR);
  engine_.close_stream(c.id);  // the engine is done with this connection
  if (c.writing) {
    event_del(c.wr);
    c.writing = false;
  }
  if (!c.wr) c.wr = event_new(base_, -1, 0, &LibeventRunner::on_write, &c);
  if (!c.wr) {
    drop_conn(c.id, false);
    return;
  }
  event_assign(c.wr, base_, -1, 0, &LibeventRunner::on_linger_timeout, &c);
  struct timeval tv = {kLingerMs / 1000, (kLingerMs % 1000) * 1000};
  event_add(c.wr, &tv);
}

void LibeventRunner::on_linger_timeout(int, short, void* arg) noexcept {
  auto* c = static_cast<Conn*>(arg);
  LibeventRunner* self = c->runner;
  uint64_t id = c->id;
  self->guarded([&] { self->drop_conn(id, false); });
}

void LibeventRunner::write_pending(uint64_t id) {
  engine_.finish_operation();
  auto it = conns_.find(id);
  if (it == conns_.end()) return;
  std::string_view out = engine_.output(id);
  while (!out.empty()) {
    ssize_t n = ::send(it->second->fd, out.data(), out.size(),
                       MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n <= 0) break;
    engine_.consume(id, static_cast<size_t>(n));
    out = engine_.output(id);
  }
}

void LibeventRunner::drop_conn(uint64_t id, bool tell_engine) {
  auto it = conns_.find(id);
  if (it == conns_.end()) return;
  std::unique_ptr<Conn> c = std::move(it->second);
  conns_.erase(it);
  if (c->rd) event_free(c->rd);
  if (c->wr) event_free(c->wr);
  ::close(c->fd);
  if (tell_engine && !c->lingering) engine_.close_stream(id);
}

bool LibeventRunner::stream_alive(uint64_t stream) {
  auto it = conns_.find(stream);
  if (it == conns_.end()) return false;
  char c;
  ssize_t n = ::recv(it->second->fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n > 0) return true;
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
    return true;
  return false;  // EOF or error: the peer is gone
}

void LibeventRunner::on_timer(int, short, void* arg) noexcept {
  auto* self = static_cast<LibeventRunner*>(arg);
  self->guarded([&] { self->engine_.run_timers(); });
}

void LibeventRunner::on_command(int, short, void* arg) noexcept {
  auto* self = static_cast<LibeventRunner*>(arg);
  self->guarded([&] { self->run_commands(); });
}

void LibeventRunner::run_commands() {
  uint64_t n;
  ssize_t r = ::read(cmd_fd_, &n, sizeof n);  // reset before taking the batch
  (void)r;
  {
    std::lock_guard<std::mutex> lock(cmd_mu_);
    cmds_work_.swap(cmds_);
  }
  for (Command& c : cmds_work_) {
    switch (c.kind) {
      case Command::Kind::send: {
        if (auto sh = table_.find(c.id))
          sh->in_flight.fetch_sub(static_cast<int64_t>(c.a.size()),
                                  std::memory_order_relaxed);
        engine_.send(c.id, c.a);
        break;
      }
      case Command::Kind::close_conn:
        engine_.close_conn(c.id, c.code, c.a);
        break;
      case Command::Kind::respond:
        engine_.respond(c.id, c.code, c.a, c.b, c.c);
        break;
      case Command::Kind::accept:
        engine_.decide(c.id, true, 0, {});
        break;
      case Command::Kind::reject:
        engine_.decide(c.id, false, c.code, c.a);
        break;
      case Command::Kind::join:
        engine_.join(c.id, c.a);
        break;
      case Command::Kind::leave:
        engine_.leave(c.id, c.a);
        break;
      case Command::Kind::publish:
        engine_.publish(c.code, c.a, c.id != 0, c.b);
        if (bridge_) bridge_->share_publish(c.code, c.a, c.id != 0, c.b);
        break;
      case Command::Kind::publish_to:
        if (bridge_) bridge_->share_publish_to(c.id, c.b);
        break;

      case Command::Kind::shutdown:
        if (listener_) {
          evconnlistener_free(listener_);
          listener_ = nullptr;
        }
        engine_.shutdown();
        break;
      case Command::Kind::stop:
        stop_now();
        break;
    }
  }
  cmds_work_.clear();
}

void LibeventRunner::stop_now() {
  stopped_ = true;
  event_base_loopbreak(base_);
}

void LibeventRunner::after_op() {
  if (stopped_) return;
  for (int round = 0; round < 64; ++round) {
    engine_.finish_operation();
    queue_.push(engine_.events());
    engine_.take_dirty(dirty_);
    if (dirty_.empty()) break;
    std::vector<uint64_t> work;
    work.swap(dirty_);
    for (uint64_t id : work) flush_conn(id);
  }
  if (engine_.shutdown_done()) {
    // Whatever could not be written in time is dropped now.
    std::vector<uint64_t> ids;
    for (auto& kv : conns_) ids.push_back(kv.first);
    for (uint64_t id : ids) drop_conn(id, true);
    engine_.finish_operation();
    queue_.push(engine_.events());
    stop_now();
    return;
  }
  int64_t t = engine_.next_timeout();
  if (t < 0) {
    evtimer_del(timer_);
  } else {
    struct timeval tv;
    tv.tv_sec = static_cast<long>(t / 1000);
    tv.tv_usec = static_cast<long>((t % 1000) * 1000);
    evtimer_add(timer_, &tv);
  }
}

}  // namespace sockjs
