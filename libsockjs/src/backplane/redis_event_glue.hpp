// Runs a hiredis async context on a libevent base.
//
// Our own few lines instead of <hiredis/adapters/libevent.h>, for one
// reason: hiredis 0.14 writes with write(2), which raises SIGPIPE when Redis
// has gone away, and the default action of SIGPIPE ends the process. The
// runner sends with MSG_NOSIGNAL so that hosts need not ignore SIGPIPE; this
// glue keeps that promise by blocking SIGPIPE on the I/O thread around each
// hiredis write and discarding one that the write raised.
#pragma once
#include <signal.h>

struct event_base;
struct redisAsyncContext;

namespace sockjs {

// Blocks SIGPIPE in this thread while it lives. A SIGPIPE raised meanwhile
// (a write to a connection Redis has closed) is taken off the pending set
// before the old mask comes back, unless one was pending already (then it
// is not ours to take).
class SigpipeGuard {
 public:
  SigpipeGuard();
  ~SigpipeGuard();
  SigpipeGuard(const SigpipeGuard&) = delete;
  SigpipeGuard& operator=(const SigpipeGuard&) = delete;

 private:
  sigset_t pipe_;
  sigset_t old_;
  bool was_pending_ = false;
};

// REDIS_OK, or REDIS_ERR (already attached, or out of memory). Once attached,
// hiredis owns the glue and frees it (ev.cleanup) with the context.
int redis_attach_libevent(redisAsyncContext* ac, event_base* base);

}  // namespace sockjs
