#include "loop.hpp"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

namespace bench {

uint64_t now_us() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1000000u + uint64_t(ts.tv_nsec) / 1000u;
}

Conn::~Conn() { close_now(); }

bool Conn::connect_to(const sockaddr_in &server, uint32_t source) {
  fd_ = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return false;
  int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (source) {
    // Let the kernel pick the port per (source, destination) pair.
    setsockopt(fd_, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    sockaddr_in local{};
    local.sin_family = AF_INET;
    local.sin_addr.s_addr = htonl(source);
    if (bind(fd_, reinterpret_cast<sockaddr *>(&local), sizeof local) != 0) {
      close_now();
      return false;
    }
  }
  int rc = ::connect(fd_, reinterpret_cast<const sockaddr *>(&server),
                     sizeof server);
  if (rc != 0 && errno != EINPROGRESS) {
    close_now();
    return false;
  }
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP;
  ev.data.ptr = this;
  want_write_ = true;
  epoll_ctl(loop_.epfd(), EPOLL_CTL_ADD, fd_, &ev);
  return true;
}

void Conn::close_now() {
  if (fd_ < 0) return;
  epoll_ctl(loop_.epfd(), EPOLL_CTL_DEL, fd_, nullptr);
  ::close(fd_);
  loop_.note_closed(this);
  fd_ = -1;
  connected_ = false;
  out_.clear();
  out_off_ = 0;
  in_.clear();
}

void Conn::write(const char *p, size_t n) {
  if (out_off_ == out_.size()) {
    out_.clear();
    out_off_ = 0;
  }
  out_.append(p, n);
  if (connected_ && !want_write_) flush();
}

void Conn::flush() {
  while (fd_ >= 0 && out_off_ < out_.size()) {
    ssize_t w = ::send(fd_, out_.data() + out_off_, out_.size() - out_off_,
                       MSG_NOSIGNAL);
    if (w > 0) {
      out_off_ += size_t(w);
    } else if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
      break;
    } else {
      close_now();
      on_closed("send failed");
      return;
    }
  }
  if (out_off_ == out_.size()) {
    out_.clear();
    out_off_ = 0;
  }
  update_interest();
}

void Conn::update_interest() {
  if (fd_ < 0) return;
  bool want = out_off_ < out_.size();
  if (want == want_write_) return;
  want_write_ = want;
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLRDHUP | (want ? EPOLLOUT : 0u);
  ev.data.ptr = this;
  epoll_ctl(loop_.epfd(), EPOLL_CTL_MOD, fd_, &ev);
}

void Conn::handle(uint32_t events) {
  if (fd_ < 0) return;
  if (!connected_ && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) {
      close_now();
      on_closed(strerror(err));
      return;
    }
    connected_ = true;
    on_connected();
    if (fd_ < 0) return;
  }
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
    char buf[65536];
    bool eof = false;
    for (;;) {
      ssize_t r = ::recv(fd_, buf, sizeof buf, 0);
      if (r > 0) {
        in_.append(buf, size_t(r));
        if (size_t(r) < sizeof buf) break;
      } else if (r == 0) {
        eof = true;
        break;
      } else {
        if (errno != EAGAIN && errno != EINTR) eof = true;
        break;
      }
    }
    if (!in_.empty()) on_data();
    if (eof && fd_ >= 0) {
      close_now();
      on_closed("closed by server");
      return;
    }
  }
  if (fd_ >= 0 && (events & EPOLLOUT)) flush();
}

Loop::Loop() : epfd_(epoll_create1(EPOLL_CLOEXEC)) {
  if (epfd_ < 0) throw std::runtime_error("epoll_create1 failed");
}

Loop::~Loop() { ::close(epfd_); }

bool Loop::run(const std::function<bool()> &done, uint64_t deadline_us) {
  epoll_event evs[256];
  while (!done()) {
    uint64_t now = now_us();
    if (now >= deadline_us) return false;
    uint64_t wait_ms = (deadline_us - now + 999) / 1000;
    if (wait_ms > 50) wait_ms = 50;  // re-check done() and the deadline often
    int n = epoll_wait(epfd_, evs, 256, int(wait_ms));
    closed_in_batch_.clear();
    for (int i = 0; i < n; ++i) {
      auto *c = static_cast<Conn *>(evs[i].data.ptr);
      bool stale = false;
      for (Conn *x : closed_in_batch_) stale |= (x == c);
      if (!stale) c->handle(evs[i].events);
    }
    closed_in_batch_.clear();
  }
  return true;
}

void raise_fd_limit() {
  rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}

}  // namespace bench
