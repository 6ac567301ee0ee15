#include "redis_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <thread>
#include <vector>

#ifndef SOCKJS_REDIS_SERVER
#define SOCKJS_REDIS_SERVER ""
#endif

namespace sockjs_test {
namespace {

sockaddr_in loopback(uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

bool accepts(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in a = loopback(port);
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  close(fd);
  return ok;
}

bool executable(const std::string& path) {
  struct stat st;
  return !path.empty() && stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
         access(path.c_str(), X_OK) == 0;
}

}  // namespace

// A port below the kernel's ephemeral range (where outgoing connections
// take their local ports: a port found free there can be taken by one of
// the other tests' clients before the server binds it), free a moment ago.
uint16_t free_loopback_port() {
  unsigned low = 32768;  // Linux's default start of ip_local_port_range
  if (FILE* f = std::fopen("/proc/sys/net/ipv4/ip_local_port_range", "r")) {
    if (std::fscanf(f, "%u", &low) != 1) low = 32768;
    std::fclose(f);
  }
  unsigned first = low > 13024 ? low - 12000 : 1024;
  static std::mt19937 rng{std::random_device{}()};
  for (int attempt = 0; attempt < 200; ++attempt) {
    uint16_t port = static_cast<uint16_t>(first + rng() % (low - first));
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return 0;
    sockaddr_in a = loopback(port);
    bool ok = bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    close(fd);
    if (ok) return port;
  }
  return 0;
}

std::string RedisServer::binary() {
  if (executable(SOCKJS_REDIS_SERVER)) return SOCKJS_REDIS_SERVER;
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
  dirs += ":/usr/sbin:/sbin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string candidate = dirs.substr(start, end - start) + "/redis-server";
    if (executable(candidate)) return candidate;
    start = end + 1;
  }
  return "";
}

RedisServer::~RedisServer() { kill9(); }

bool RedisServer::start(std::string& error) {
  if (running()) {
    error = "already running";
    return false;
  }
  std::string bin = binary();
  if (bin.empty()) {
    error = "redis-server not found (scripts/install-deps.sh --cluster)";
    return false;
  }
  std::string port = std::to_string(port_);
  std::vector<const char*> argv = {
      bin.c_str(), "--port", port.c_str(),   "--bind", "127.0.0.1",
      "--save",    "",       "--appendonly", "no",     "--daemonize",
      "no",        "--dir",  "/tmp",         nullptr};
  pid_t pid = fork();
  if (pid < 0) {
    error = "fork failed";
    return false;
  }
  if (pid == 0) {
    // Dies with the test process, whatever happens to it.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    int devnull = open("/dev/null", O_RDWR);
    if (devnull >= 0) {
      dup2(devnull, 0);
      dup2(devnull, 1);
      dup2(devnull, 2);
    }
    execv(bin.c_str(), const_cast<char* const*>(argv.data()));
    _exit(127);
  }
  pid_ = pid;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      error = "redis-server exited at start (port " + port + " taken?)";
      return false;
    }
    if (accepts(port_)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill9();
  error = "redis-server did not accept connections within 10 s";
  return false;
}

void RedisServer::kill9() {
  if (!running()) return;
  kill(pid_, SIGKILL);
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
}

void RedisServer::pause() {
  if (!running()) return;
  kill(pid_, SIGSTOP);
  int status = 0;  // returns once it is stopped
  while (waitpid(pid_, &status, WUNTRACED) < 0 && errno == EINTR) {
  }
}

void RedisServer::resume() {
  if (running()) kill(pid_, SIGCONT);
}

}  // namespace sockjs_test
