// The one queue through which both drive modes hand application events to
// the host, with an eventfd that is readable exactly while the queue is
// non-empty (level-triggered; written only on the empty -> non-empty edge,
// so a burst of events costs one wakeup).
#pragma once
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace sockjs {

class ConnInfo;

struct Event {
  int type = 0;  // sockjs_event_type
  int service = -1;
  uint64_t conn = 0;
  std::string data;
  int code = 0;
  std::shared_ptr<const ConnInfo> info;  // OPEN and REQUEST only
};

class EventQueue {
 public:
  EventQueue();  // throws std::system_error when no eventfd can be made
  ~EventQueue();
  EventQueue(const EventQueue&) = delete;
  EventQueue& operator=(const EventQueue&) = delete;

  int fd() const { return fd_; }
  // Appends the events (moved out of `batch`, which is left empty).
  void push(std::vector<Event>& batch);
  // Moves up to max events into out (cleared first); resets the fd when
  // the queue becomes empty. Returns the count.
  size_t pop(std::vector<Event>& out, size_t max);
  // Makes the fd readable once without an event (sockjs_server_wakeup).
  void wake();
  // Blocks until the fd is readable or timeout_ms passes (-1: forever).
  // Returns 1 when readable, 0 on timeout, -1 on error.
  int wait(int timeout_ms) const;

 private:
  // True when the caller must write the fd (after unlocking).
  bool claim_signal_locked();
  void write_signal();
  void reset_locked();

  std::mutex mu_;
  std::deque<Event> q_;
  bool signalled_ = false;
  int fd_ = -1;
};

}  // namespace sockjs
