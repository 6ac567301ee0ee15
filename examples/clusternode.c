/*
 * sockjs-clusternode: one node of a libsockjs cluster, joined to the others
 * through a Redis backplane. Run several behind nginx or HAProxy (see
 * docs/deployment.md and deploy/).
 *
 *   NODE_ID=1 sockjs-clusternode --host 127.0.0.1 --port 8081 \
 *       --redis-port 6379 [--redis-host 127.0.0.1] [--sockjs-url URL] \
 *       [--metrics]
 *
 * NODE_ID (1..65535) names the node: it is the node number in every
 * session id (sockjs_server_options_set_node_id). The sockjs-client URL for
 * the iframe page comes from --sockjs-url or $SOCKJS_URL.
 *
 * Services:
 *   /echo       every message comes back to its sender;
 *   /close      every session is closed at once with 3000 "Go away!";
 *   /broadcast  every message goes to every /broadcast session of every
 *               node, through the backplane, exactly once each.
 * On /echo and /broadcast, a message that is exactly
 *   "whoami"         is answered to that session only: "whoami:<NODE_ID>";
 *   "id"             is answered "id:<session id>" (decimal);
 *   "to:<id>:<text>" sends <text> to session <id>, on whichever node.
 * --metrics serves the Prometheus metrics (sockjs_backplane_* included) at
 * GET /metrics. SIGINT or SIGTERM closes the node gracefully.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "metrics_route.h"
#include "sockjs.h"

enum { ECHO, CLOSE, BROADCAST, NSVC };

static char node_name[16];

static int add(sockjs_server *srv, const char *prefix, const char *url) {
  sockjs_options *o;
  int id = -1;
  if (sockjs_options_new(&o) != SOCKJS_OK) return -1;
  sockjs_options_set_prefix(o, prefix);
  if (url) sockjs_options_set_sockjs_url(o, url);
  int rc = sockjs_server_add_service(srv, o, &id);
  sockjs_options_free(o);
  return rc == SOCKJS_OK ? id : -1;
}

static void reply(sockjs_server *srv, sockjs_conn_id conn, const char *text) {
  sockjs_conn_send(srv, conn, text, strlen(text));
}

/* The commands of the header comment; 1 when the message was one. */
static int command(sockjs_server *srv, const sockjs_event *ev) {
  char buf[64];
  if (ev->len == 6 && !memcmp(ev->data, "whoami", 6)) {
    snprintf(buf, sizeof buf, "whoami:%s", node_name);
    reply(srv, ev->conn, buf);
    return 1;
  }
  if (ev->len == 2 && !memcmp(ev->data, "id", 2)) {
    snprintf(buf, sizeof buf, "id:%" PRIu64, (uint64_t)ev->conn);
    reply(srv, ev->conn, buf);
    return 1;
  }
  if (ev->len > 3 && !memcmp(ev->data, "to:", 3)) {
    char *end = NULL;
    errno = 0;
    unsigned long long to = strtoull(ev->data + 3, &end, 10);
    if (errno || end == ev->data + 3 || *end != ':') return 0;
    const char *text = end + 1;
    size_t len = ev->len - (size_t)(text - ev->data);
    int rc = sockjs_server_publish_to(srv, (sockjs_conn_id)to, text, len);
    if (rc != SOCKJS_OK) {
      snprintf(buf, sizeof buf, "error:%s", sockjs_status_name(rc));
      reply(srv, ev->conn, buf);
    }
    return 1;
  }
  return 0;
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

static int usage(const char *argv0) {
  fprintf(stderr,
          "usage: NODE_ID=<1..65535> %s --port P --redis-port R [--host H] "
          "[--redis-host H] [--sockjs-url URL] [--metrics]\n",
          argv0);
  return 2;
}

int main(int argc, char **argv) {
  const char *host = "127.0.0.1", *redis_host = "127.0.0.1";
  const char *url = getenv("SOCKJS_URL");
  int port = -1, redis_port = -1, metrics = 0;
  for (int i = 1; i < argc; ++i) {
    if (!strcmp(argv[i], "--host") && i + 1 < argc)
      host = argv[++i];
    else if (!strcmp(argv[i], "--port") && i + 1 < argc)
      port = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--redis-host") && i + 1 < argc)
      redis_host = argv[++i];
    else if (!strcmp(argv[i], "--redis-port") && i + 1 < argc)
      redis_port = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--sockjs-url") && i + 1 < argc)
      url = argv[++i];
    else if (!strcmp(argv[i], "--metrics"))
      metrics = 1;
    else
      return usage(argv[0]);
  }
  const char *node = getenv("NODE_ID");
  char *end = NULL;
  long node_id = node ? strtol(node, &end, 10) : 0;
  if (!node || *end || node_id < 1 || node_id > 65535 || port < 0 ||
      port > 65535 || redis_port < 1 || redis_port > 65535)
    return usage(argv[0]);
  snprintf(node_name, sizeof node_name, "%ld", node_id);

  /* SIGINT/SIGTERM are read from a signalfd, so they must be blocked in
   * every thread: block them before the server starts its I/O thread
   * (sockjs_server_listen), which inherits this mask. Blocked later, in
   * this thread only, they would be delivered to the I/O thread, whose
   * default action ends the process without a graceful close. */
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGTERM);
  sigprocmask(SIG_BLOCK, &mask, NULL);

  char err[SOCKJS_ERRBUF_SIZE] = "";
  sockjs_server_options *so = NULL;
  sockjs_server *srv = NULL;
  if (sockjs_server_options_new(&so) != SOCKJS_OK ||
      sockjs_server_options_set_node_id(so, (unsigned)node_id) != SOCKJS_OK ||
      sockjs_server_options_set_backplane_redis(so, redis_host, redis_port) !=
          SOCKJS_OK ||
      sockjs_server_options_set_forward_unmatched(so, metrics) != SOCKJS_OK ||
      sockjs_server_new(so, &srv, err) != SOCKJS_OK) {
    fprintf(stderr, "cannot create the server: %s\n", err);
    return 1;
  }
  sockjs_server_options_free(so);
  if (add(srv, "/echo", url) != ECHO || add(srv, "/close", url) != CLOSE ||
      add(srv, "/broadcast", url) != BROADCAST) {
    fprintf(stderr, "cannot add the services\n");
    return 1;
  }
  uint16_t bound = 0;
  if (sockjs_server_listen(srv, host, (uint16_t)port, &bound, err) !=
      SOCKJS_OK) {
    fprintf(stderr, "listen: %s\n", err);
    sockjs_server_free(srv);
    return 1;
  }
  printf("sockjs-clusternode %s listening on http://%s:%u (Redis %s:%d)\n",
         node_name, host, bound, redis_host, redis_port);
  fflush(stdout);

  int sfd = signalfd(-1, &mask, SFD_CLOEXEC);

  sockjs_event evs[64];
  evs[0].size = sizeof(sockjs_event);
  int closing = 0, done = 0;
  while (!done) {
    struct pollfd p[2] = {{sockjs_server_event_fd(srv), POLLIN, 0},
                          {sfd, POLLIN, 0}};
    if (poll(p, 2, -1) < 0 && errno != EINTR) break;
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
        if (ev->type == SOCKJS_EVENT_OPEN && ev->service == CLOSE) {
          sockjs_conn_close(srv, ev->conn, 3000, "Go away!");
        } else if (ev->type == SOCKJS_EVENT_MESSAGE && ev->service != CLOSE) {
          if (command(srv, ev)) continue;
          if (ev->service == BROADCAST)
            sockjs_server_publish(srv, BROADCAST, NULL, ev->data, ev->len);
          else
            sockjs_conn_send(srv, ev->conn, ev->data, ev->len);
        } else if (ev->type == SOCKJS_EVENT_REQUEST) {
          on_request(srv, ev);
        } else if (ev->type == SOCKJS_EVENT_SERVER_CLOSED) {
          done = 1;
        }
      }
    }
  }
  sockjs_server_free(srv);
  close(sfd);
  return 0;
}
