// sockjs-feedserver: the bench services (/echo with response_limit 4096,
// raw WebSocket on /echo/websocket, /broadcast) served by libsockjs in feed
// mode (mode B) from ONE thread: the host owns the sockets (epoll) and feeds
// the sans-IO engine. bench/compare runs it next to sockjs-testserver (mode
// A: library I/O thread + host thread) to show what the thread handoff costs.
//   sockjs-feedserver --host 127.0.0.1 --port 0
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "sockjs.h"

namespace {

constexpr uint64_t kListener = ~uint64_t(0);
enum { ECHO, BROADCAST };

uint64_t now_ms() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1000 + uint64_t(ts.tv_nsec) / 1000000;
}

volatile sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

struct Host {
  sockjs_server *srv = nullptr;
  int ep = -1;
  std::unordered_map<sockjs_stream_id, int> fds;
  std::unordered_set<sockjs_stream_id> writing;  // EPOLLOUT armed
  std::vector<sockjs_conn_id> members;           // /broadcast sessions
  std::vector<uint8_t> buf = std::vector<uint8_t>(64 * 1024);

  void drop(sockjs_stream_id id) {
    auto it = fds.find(id);
    if (it == fds.end()) return;
    close(it->second);  // also removes it from epoll
    fds.erase(it);
    writing.erase(id);
    sockjs_server_stream_close(srv, id);
  }

  void set_writing(sockjs_stream_id id, int fd, bool on) {
    if (on == (writing.count(id) != 0)) return;
    epoll_event ev{};
    ev.events = EPOLLIN | (on ? EPOLLOUT : 0u);
    ev.data.u64 = id;
    epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
    if (on) {
      writing.insert(id);
    } else {
      writing.erase(id);
    }
  }

  void flush(sockjs_stream_id id) {
    auto it = fds.find(id);
    if (it == fds.end()) return;
    int fd = it->second;
    for (;;) {
      const uint8_t *out;
      int64_t n = sockjs_server_output(srv, id, &out);
      if (n <= 0) break;
      ssize_t w = send(fd, out, size_t(n), MSG_NOSIGNAL);
      if (w > 0) {
        sockjs_server_output_consume(srv, id, size_t(w));
        continue;
      }
      if (w < 0 && errno == EINTR) continue;
      if (w < 0 && errno == EAGAIN) return set_writing(id, fd, true);
      return drop(id);
    }
    set_writing(id, fd, false);
    if (sockjs_server_stream_wants_close(srv, id) == 1) {
      shutdown(fd, SHUT_WR);
      drop(id);
    }
  }

  void accept_all(int lfd) {
    for (;;) {
      sockaddr_in sa{};
      socklen_t sl = sizeof sa;
      int fd = accept4(lfd, reinterpret_cast<sockaddr *>(&sa), &sl,
                       SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) return;
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      char addr[INET_ADDRSTRLEN] = "";
      inet_ntop(AF_INET, &sa.sin_addr, addr, sizeof addr);
      sockjs_stream_id id;
      if (sockjs_server_stream_open(srv, addr, ntohs(sa.sin_port), &id) !=
          SOCKJS_OK) {
        close(fd);
        continue;
      }
      fds[id] = fd;
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.u64 = id;
      epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    }
  }

  void readable(sockjs_stream_id id) {
    for (int i = 0; i < 16; ++i) {
      auto it = fds.find(id);
      if (it == fds.end()) return;
      ssize_t r = recv(it->second, buf.data(), buf.size(), 0);
      if (r > 0) {
        sockjs_server_feed(srv, id, buf.data(), size_t(r));
        if (size_t(r) < buf.size()) return;
        continue;
      }
      if (r < 0 && (errno == EAGAIN || errno == EINTR)) return;
      flush(id);  // a half-closed client still gets its answer
      return drop(id);
    }
  }

  void handle_events() {
    sockjs_event evs[64];
    evs[0].size = sizeof(sockjs_event);
    size_t n;
    while (sockjs_server_poll(srv, evs, 64, &n) == SOCKJS_OK) {
      for (size_t i = 0; i < n; ++i) {
        const sockjs_event &e = evs[i];
        if (e.type == SOCKJS_EVENT_OPEN && e.service == BROADCAST) {
          members.push_back(e.conn);
        } else if (e.type == SOCKJS_EVENT_CLOSE && e.service == BROADCAST) {
          for (auto &m : members)
            if (m == e.conn) {
              m = members.back();
              members.pop_back();
              break;
            }
        } else if (e.type == SOCKJS_EVENT_MESSAGE && e.service == ECHO) {
          sockjs_conn_send(srv, e.conn, e.data, e.len);
        } else if (e.type == SOCKJS_EVENT_MESSAGE && e.service == BROADCAST) {
          for (sockjs_conn_id m : members)
            sockjs_conn_send(srv, m, e.data, e.len);
        }
      }
    }
  }

  void flush_dirty() {
    sockjs_stream_id ids[256];
    size_t n;
    do {
      if (sockjs_server_dirty_streams(srv, ids, 256, &n) != SOCKJS_OK) return;
      for (size_t i = 0; i < n; ++i) flush(ids[i]);
    } while (n == 256);
  }
};

int add_service(sockjs_server *srv, const char *prefix, size_t response_limit) {
  sockjs_options *o;
  if (sockjs_options_new(&o) != SOCKJS_OK) return -1;
  sockjs_options_set_prefix(o, prefix);
  if (response_limit) sockjs_options_set_response_limit(o, response_limit);
  int id = -1;
  int rc = sockjs_server_add_service(srv, o, &id);
  sockjs_options_free(o);
  return rc == SOCKJS_OK ? id : -1;
}

}  // namespace

int main(int argc, char **argv) {
  const char *host = "127.0.0.1";
  int port = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--host"))
      host = argv[i + 1];
    else if (!std::strcmp(argv[i], "--port"))
      port = std::atoi(argv[i + 1]);
  }
  Host h;
  char err[SOCKJS_ERRBUF_SIZE] = "";
  if (sockjs_server_new(nullptr, &h.srv, err) != SOCKJS_OK) {
    std::fprintf(stderr, "sockjs_server_new: %s\n", err);
    return 1;
  }
  if (add_service(h.srv, "/echo", 4096) != ECHO ||
      add_service(h.srv, "/broadcast", 0) != BROADCAST)
    return 1;
  sockjs_server_tick(h.srv, now_ms());

  int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(uint16_t(port));
  if (inet_pton(AF_INET, host, &sa.sin_addr) != 1 ||
      bind(lfd, reinterpret_cast<sockaddr *>(&sa), sizeof sa) != 0 ||
      listen(lfd, 4096) != 0) {
    std::perror("listen");
    return 1;
  }
  socklen_t sl = sizeof sa;
  getsockname(lfd, reinterpret_cast<sockaddr *>(&sa), &sl);
  std::printf("sockjs-feedserver listening on http://%s:%u\n", host,
              ntohs(sa.sin_port));
  std::fflush(stdout);

  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  h.ep = epoll_create1(EPOLL_CLOEXEC);
  epoll_event lev{};
  lev.events = EPOLLIN;
  lev.data.u64 = kListener;
  epoll_ctl(h.ep, EPOLL_CTL_ADD, lfd, &lev);

  epoll_event evs[256];
  while (!g_stop) {
    int64_t t = sockjs_server_next_timeout_ms(h.srv);
    int timeout = (t < 0 || t > 1000) ? 1000 : int(t);
    int n = epoll_wait(h.ep, evs, 256, timeout);
    sockjs_server_tick(h.srv, now_ms());
    for (int i = 0; i < n; ++i) {
      uint64_t id = evs[i].data.u64;
      if (id == kListener) {
        h.accept_all(lfd);
        continue;
      }
      if (evs[i].events & EPOLLOUT) h.flush(id);
      if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) h.readable(id);
    }
    // Feeding queued events; answering them made streams dirty.
    h.handle_events();
    h.flush_dirty();
    h.handle_events();  // closes found while flushing
  }
  sockjs_server_free(h.srv);
  close(lfd);
  close(h.ep);
  return 0;
}
