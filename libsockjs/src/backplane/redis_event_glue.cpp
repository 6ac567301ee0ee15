#include "backplane/redis_event_glue.hpp"

#include <event2/event.h>
#include <hiredis/async.h>
#include <pthread.h>
#include <signal.h>

#include <cerrno>
#include <ctime>
#include <new>

namespace sockjs {
namespace {

bool sigpipe_pending() {
  sigset_t set;
  sigemptyset(&set);
  return sigpending(&set) == 0 && sigismember(&set, SIGPIPE) == 1;
}

}  // namespace

SigpipeGuard::SigpipeGuard() {
  sigemptyset(&pipe_);
  sigaddset(&pipe_, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
  was_pending_ = sigpipe_pending();
}

SigpipeGuard::~SigpipeGuard() {
  if (!was_pending_ && sigpipe_pending()) {
    const timespec zero{0, 0};
    while (sigtimedwait(&pipe_, nullptr, &zero) < 0 && errno == EINTR) {
    }
  }
  pthread_sigmask(SIG_SETMASK, &old_, nullptr);
}

namespace {

struct Glue {
  redisAsyncContext* ac;
  event* rd;
  event* wr;
};

void on_read(evutil_socket_t, short, void* arg) {
  redisAsyncHandleRead(static_cast<Glue*>(arg)->ac);
}

void on_write(evutil_socket_t, short, void* arg) {
  // The glue may be freed inside (a failed write frees the context); the
  // guard does not touch it.
  SigpipeGuard guard;
  redisAsyncHandleWrite(static_cast<Glue*>(arg)->ac);
}

void add_read(void* p) { event_add(static_cast<Glue*>(p)->rd, nullptr); }
void del_read(void* p) { event_del(static_cast<Glue*>(p)->rd); }
void add_write(void* p) { event_add(static_cast<Glue*>(p)->wr, nullptr); }
void del_write(void* p) { event_del(static_cast<Glue*>(p)->wr); }

void cleanup(void* p) {
  auto* g = static_cast<Glue*>(p);
  event_free(g->rd);
  event_free(g->wr);
  delete g;
}

}  // namespace

int redis_attach_libevent(redisAsyncContext* ac, event_base* base) {
  if (ac->ev.data != nullptr) return REDIS_ERR;
  auto* g = new (std::nothrow) Glue{ac, nullptr, nullptr};
  if (g == nullptr) return REDIS_ERR;
  g->rd = event_new(base, ac->c.fd, EV_READ, on_read, g);
  g->wr = event_new(base, ac->c.fd, EV_WRITE, on_write, g);
  if (g->rd == nullptr || g->wr == nullptr) {
    if (g->rd != nullptr) event_free(g->rd);
    if (g->wr != nullptr) event_free(g->wr);
    delete g;
    return REDIS_ERR;
  }
  ac->ev.addRead = add_read;
  ac->ev.delRead = del_read;
  ac->ev.addWrite = add_write;
  ac->ev.delWrite = del_write;
  ac->ev.cleanup = cleanup;
  ac->ev.data = g;
  // The first write event tells a non-blocking connect has finished.
  event_add(g->rd, nullptr);
  event_add(g->wr, nullptr);
  return REDIS_OK;
}

}  // namespace sockjs
