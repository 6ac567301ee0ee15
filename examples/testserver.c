/*
 * sockjs-testserver: the services the sockjs-protocol conformance suite
 * expects (PROTOCOL.md section 12), plus sockjs-node's /ticker, /amplify and
 * /broadcast. Written against the public C API only.
 *
 *   sockjs-testserver --host 127.0.0.1 --port 8081 [--sockjs-url URL]
 *                     [--metrics] [--deflate]
 *
 * --metrics serves the server's metrics in the Prometheus text format at
 * GET /metrics (other unmatched URLs stay 404). --deflate offers
 * permessage-deflate (RFC 7692) on every service's WebSocket endpoints.
 *
 * Serves in the foreground until SIGINT or SIGTERM.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "metrics_route.h"
#include "sockjs.h"

enum { ECHO, DISABLED_WS, COOKIE, CLOSE, TICKER, AMPLIFY, BROADCAST, NSVC };

/* Open sessions of one service, for /ticker. */
typedef struct {
  sockjs_conn_id *ids;
  size_t n, cap;
} conn_set;

static void set_add(conn_set *s, sockjs_conn_id id) {
  if (s->n == s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 16;
    sockjs_conn_id *p = realloc(s->ids, cap * sizeof *p);
    if (!p) return;
    s->ids = p;
    s->cap = cap;
  }
  s->ids[s->n++] = id;
}

static void set_remove(conn_set *s, sockjs_conn_id id) {
  for (size_t i = 0; i < s->n; ++i)
    if (s->ids[i] == id) {
      s->ids[i] = s->ids[--s->n];
      return;
    }
}

static int use_deflate; /* --deflate */

static int add(sockjs_server *srv, const char *prefix, int which,
               const char *sockjs_url) {
  sockjs_options *o;
  int id = -1;
  if (sockjs_options_new(&o) != SOCKJS_OK) return -1;
  sockjs_options_set_prefix(o, prefix);
  if (sockjs_url) sockjs_options_set_sockjs_url(o, sockjs_url);
  if (which == ECHO) sockjs_options_set_response_limit(o, 4096);
  if (which == DISABLED_WS) sockjs_options_set_websocket(o, 0);
  if (which == COOKIE) sockjs_options_set_jsessionid(o, 1);
  if (use_deflate) sockjs_options_set_permessage_deflate(o, 1);
  int rc = sockjs_server_add_service(srv, o, &id);
  sockjs_options_free(o);
  return rc == SOCKJS_OK ? id : -1;
}

static void on_message(sockjs_server *srv, int svc, const sockjs_event *ev) {
  if (svc == AMPLIFY) {
    int n = atoi(ev->data);
    if (n < 1) n = 1;
    if (n > 19) n = 19;
    size_t len = (size_t)1 << n;
    char *buf = malloc(len);
    if (!buf) return;
    memset(buf, 'x', len);
    sockjs_conn_send(srv, ev->conn, buf, len);
    free(buf);
  } else if (svc == BROADCAST) {
    /* Escaped once, queued to every session of the service. */
    sockjs_server_publish(srv, BROADCAST, NULL, ev->data, ev->len);
  } else if (svc != TICKER && svc != CLOSE) {
    sockjs_conn_send(srv, ev->conn, ev->data, ev->len);
  }
}

/* GET /metrics (with --metrics); every other unmatched request is 404. */
static void on_request(sockjs_server *srv, const sockjs_event *ev) {
  if (metrics_route_matches(srv, ev)) {
    metrics_route_respond(srv, ev->conn);
    return;
  }
  static const char nf[] = "404 Error: Page not found\n";
  sockjs_request_respond(srv, ev->conn, 404, "text/plain; charset=UTF-8", NULL,
                         nf, sizeof nf - 1);
}

static uint64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int main(int argc, char **argv) {
  const char *host = "127.0.0.1", *sockjs_url = NULL;
  int port = 8081, metrics = 0;
  for (int i = 1; i < argc; ++i) {
    if (!strcmp(argv[i], "--host") && i + 1 < argc)
      host = argv[++i];
    else if (!strcmp(argv[i], "--port") && i + 1 < argc)
      port = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--sockjs-url") && i + 1 < argc)
      sockjs_url = argv[++i];
    else if (!strcmp(argv[i], "--metrics"))
      metrics = 1;
    else if (!strcmp(argv[i], "--deflate"))
      use_deflate = 1;
    else {
      fprintf(stderr,
              "usage: %s [--host H] [--port P] [--sockjs-url URL] [--metrics] "
              "[--deflate]\n",
              argv[0]);
      return 2;
    }
  }
  char err[SOCKJS_ERRBUF_SIZE] = "";
  sockjs_server *srv;
  sockjs_server_options *so = NULL;
  if (metrics &&
      (sockjs_server_options_new(&so) != SOCKJS_OK ||
       sockjs_server_options_set_forward_unmatched(so, 1) != SOCKJS_OK)) {
    fprintf(stderr, "cannot set server options\n");
    return 1;
  }
  int new_rc = sockjs_server_new(so, &srv, err);
  sockjs_server_options_free(so);
  if (new_rc != SOCKJS_OK) {
    fprintf(stderr, "sockjs_server_new: %s\n", err);
    return 1;
  }
  static const char *prefixes[NSVC] = {"/echo",
                                       "/disabled_websocket_echo",
                                       "/cookie_needed_echo",
                                       "/close",
                                       "/ticker",
                                       "/amplify",
                                       "/broadcast"};
  for (int i = 0; i < NSVC; ++i)
    if (add(srv, prefixes[i], i, sockjs_url) != i) {
      fprintf(stderr, "cannot add service %s\n", prefixes[i]);
      return 1;
    }
  uint16_t bound = 0;
  if (sockjs_server_listen(srv, host, (uint16_t)port, &bound, err) !=
      SOCKJS_OK) {
    fprintf(stderr, "listen: %s\n", err);
    sockjs_server_free(srv);
    return 1;
  }
  printf("sockjs-testserver listening on http://%s:%u\n", host, bound);
  fflush(stdout);

  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGTERM);
  sigprocmask(SIG_BLOCK, &mask, NULL);
  int sfd = signalfd(-1, &mask, SFD_CLOEXEC);

  conn_set sets[NSVC];
  memset(sets, 0, sizeof sets);
  sockjs_event evs[64];
  evs[0].size = sizeof(sockjs_event);
  uint64_t next_tick = now_ms() + 1000;
  int closing = 0, done = 0;
  while (!done) {
    struct pollfd p[2] = {{sockjs_server_event_fd(srv), POLLIN, 0},
                          {sfd, POLLIN, 0}};
    uint64_t now = now_ms();
    int timeout = next_tick > now ? (int)(next_tick - now) : 0;
    if (poll(p, 2, timeout) < 0 && errno != EINTR) break;
    if (p[1].revents & POLLIN) {
      struct signalfd_siginfo si;
      if (read(sfd, &si, sizeof si) > 0 && !closing) {
        closing = 1;
        sockjs_server_close(srv);
      }
    }
    size_t n;
    while (sockjs_server_poll(srv, evs, 64, &n) == SOCKJS_OK) {
      for (size_t i = 0; i < n; ++i) {
        const sockjs_event *ev = &evs[i];
        switch (ev->type) {
          case SOCKJS_EVENT_OPEN:
            set_add(&sets[ev->service], ev->conn);
            if (ev->service == CLOSE)
              sockjs_conn_close(srv, ev->conn, 3000, "Go away!");
            break;
          case SOCKJS_EVENT_MESSAGE:
            on_message(srv, ev->service, ev);
            break;
          case SOCKJS_EVENT_CLOSE:
            set_remove(&sets[ev->service], ev->conn);
            break;
          case SOCKJS_EVENT_REQUEST:
            on_request(srv, ev);
            break;
          case SOCKJS_EVENT_SERVER_CLOSED:
            done = 1;
            break;
          default:
            break;
        }
      }
    }
    if (now_ms() >= next_tick) {
      for (size_t i = 0; i < sets[TICKER].n; ++i)
        sockjs_conn_send(srv, sets[TICKER].ids[i], "tick!", 5);
      next_tick += 1000;
    }
  }
  sockjs_server_free(srv);
  for (int i = 0; i < NSVC; ++i) free(sets[i].ids);
  close(sfd);
  return 0;
}
