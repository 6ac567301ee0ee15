// The SIGPIPE guard around hiredis writes: a write to a connection whose
// peer is gone must not end the process (SIGPIPE's default action), and a
// SIGPIPE that was not ours stays pending.
#include <gtest/gtest.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>

#include "backplane/redis_event_glue.hpp"

namespace {

bool sigpipe_pending() {
  sigset_t set;
  sigemptyset(&set);
  sigpending(&set);
  return sigismember(&set, SIGPIPE) == 1;
}

bool sigpipe_blocked() {
  sigset_t set;
  sigemptyset(&set);
  pthread_sigmask(SIG_BLOCK, nullptr, &set);
  return sigismember(&set, SIGPIPE) == 1;
}

// A socket whose peer is closed: writing to it raises SIGPIPE.
class BrokenPipe : public ::testing::Test {
 protected:
  void SetUp() override {
    struct sigaction dfl = {};
    dfl.sa_handler = SIG_DFL;
    ASSERT_EQ(sigaction(SIGPIPE, &dfl, &old_action_), 0);
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds_), 0);
    close(fds_[1]);
    ASSERT_FALSE(sigpipe_pending());
    ASSERT_FALSE(sigpipe_blocked());
  }
  void TearDown() override {
    close(fds_[0]);
    sigaction(SIGPIPE, &old_action_, nullptr);
  }
  ssize_t write_one() {
    char c = 'x';
    return write(fds_[0], &c, 1);
  }
  int fds_[2] = {-1, -1};
  struct sigaction old_action_ = {};
};

TEST_F(BrokenPipe, GuardedWriteFailsWithEpipeAndRaisesNothing) {
  {
    sockjs::SigpipeGuard guard;
    EXPECT_EQ(write_one(), -1);
    EXPECT_EQ(errno, EPIPE);
  }
  // Still alive (SIG_DFL would have ended the process), nothing left
  // pending, and the mask is what it was.
  EXPECT_FALSE(sigpipe_pending());
  EXPECT_FALSE(sigpipe_blocked());
}

TEST_F(BrokenPipe, ASigpipeAlreadyPendingIsLeftToItsOwner) {
  sigset_t pipe, old;
  sigemptyset(&pipe);
  sigaddset(&pipe, SIGPIPE);
  ASSERT_EQ(pthread_sigmask(SIG_BLOCK, &pipe, &old), 0);
  ASSERT_EQ(pthread_kill(pthread_self(), SIGPIPE), 0);
  ASSERT_TRUE(sigpipe_pending());
  {
    sockjs::SigpipeGuard guard;
    EXPECT_EQ(write_one(), -1);
  }
  EXPECT_TRUE(sigpipe_pending());
  EXPECT_TRUE(sigpipe_blocked());  // the caller's mask, restored
  const timespec zero{0, 0};
  EXPECT_EQ(sigtimedwait(&pipe, nullptr, &zero), SIGPIPE);
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

}  // namespace
