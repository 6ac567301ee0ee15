#include "event_queue.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace sockjs {

EventQueue::EventQueue() {
  fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (fd_ < 0)
    throw std::system_error(errno, std::generic_category(), "eventfd");
}

EventQueue::~EventQueue() {
  if (fd_ >= 0) ::close(fd_);
}

bool EventQueue::claim_signal_locked() {
  if (signalled_) return false;
  signalled_ = true;
  return true;
}

void EventQueue::write_signal() {
  uint64_t one = 1;
  // The counter cannot overflow: it is reset on every transition to empty.
  ssize_t r = ::write(fd_, &one, sizeof one);
  (void)r;
}

void EventQueue::reset_locked() {
  if (!signalled_) return;
  uint64_t v;
  // EAGAIN: the producer has claimed the signal but not written it yet.
  // Then signalled_ stays set: its write makes the fd readable once more,
  // and the pop after that wakeup resets it (one spurious wakeup at most).
  if (::read(fd_, &v, sizeof v) > 0) signalled_ = false;
}

void EventQueue::push(std::vector<Event>& batch) {
  if (batch.empty()) return;
  bool signal;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& e : batch) q_.push_back(std::move(e));
    signal = claim_signal_locked();
  }
  batch.clear();
  // Outside the lock: the write may wake the consumer on this core at
  // once, and it would only block on mu_ again.
  if (signal) write_signal();
}

size_t EventQueue::pop(std::vector<Event>& out, size_t max) {
  out.clear();
  std::lock_guard<std::mutex> lock(mu_);
  while (!q_.empty() && out.size() < max) {
    out.push_back(std::move(q_.front()));
    q_.pop_front();
  }
  if (q_.empty()) reset_locked();
  return out.size();
}

void EventQueue::wake() {
  bool signal;
  {
    std::lock_guard<std::mutex> lock(mu_);
    signal = claim_signal_locked();
  }
  if (signal) write_signal();
}

int EventQueue::wait(int timeout_ms) const {
  struct pollfd p = {fd_, POLLIN, 0};
  for (;;) {
    int r = ::poll(&p, 1, timeout_ms);
    if (r >= 0) return r > 0 ? 1 : 0;
    if (errno != EINTR) return -1;
  }
}

}  // namespace sockjs
