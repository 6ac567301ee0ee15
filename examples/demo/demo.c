/*
 * sockjs-demo: two SockJS services and the web page that uses them, all on
 * one port.
 *
 *   /echo   sends every message back to its sender
 *   /chat   sends every message to every open /chat session
 *   /       the demo page (any other URL is answered by web.c too)
 *
 *   sockjs-demo [--host H] [--port P] [--static DIR] [--metrics]
 *
 * --metrics also serves the server's metrics (Prometheus text) at /metrics.
 *
 * DIR holds sockjs.min.js (sockjs-client 1.x; default: the copy that
 * scripts/install-deps.sh --browser puts under tests/browser/node_modules).
 * Port 0 picks a free port; the printed URL tells which.
 */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sockjs.h"
#include "web.h"

#ifndef SOCKJS_DEMO_STATIC_DIR
#define SOCKJS_DEMO_STATIC_DIR "."
#endif

/* The open /chat sessions: who gets a broadcast. */
typedef struct {
  sockjs_conn_id *ids;
  size_t n, cap;
} chat_room;

static void room_join(chat_room *r, sockjs_conn_id id) {
  if (r->n == r->cap) {
    size_t cap = r->cap ? r->cap * 2 : 16;
    sockjs_conn_id *ids = realloc(r->ids, cap * sizeof *ids);
    if (!ids) return; /* out of memory: this session just gets no chat */
    r->ids = ids;
    r->cap = cap;
  }
  r->ids[r->n++] = id;
}

static void room_leave(chat_room *r, sockjs_conn_id id) {
  for (size_t i = 0; i < r->n; ++i)
    if (r->ids[i] == id) {
      r->ids[i] = r->ids[--r->n];
      return;
    }
}

static void room_broadcast(sockjs_server *srv, const chat_room *r,
                           const char *msg, size_t len) {
  /* A session whose send buffer is full (SOCKJS_E_AGAIN) misses this
   * message; a real chat would queue it until SOCKJS_EVENT_DRAIN. */
  for (size_t i = 0; i < r->n; ++i) sockjs_conn_send(srv, r->ids[i], msg, len);
}

/* Adds a service at prefix; returns its id, or -1. */
static int add_service(sockjs_server *srv, const char *prefix) {
  sockjs_options *o;
  int id = -1;
  if (sockjs_options_new(&o) != SOCKJS_OK) return -1;
  sockjs_options_set_prefix(o, prefix);
  /* The iframe transports load the client library inside an iframe; point
   * it at our own copy so the demo works offline. */
  sockjs_options_set_sockjs_url(o, "/sockjs.min.js");
  if (sockjs_server_add_service(srv, o, &id) != SOCKJS_OK) id = -1;
  sockjs_options_free(o);
  return id;
}

static volatile sig_atomic_t interrupted = 0;
static void on_signal(int sig) {
  (void)sig;
  interrupted = 1;
}

int main(int argc, char **argv) {
  const char *host = "127.0.0.1", *static_dir = SOCKJS_DEMO_STATIC_DIR;
  int port = 8080, metrics = 0;
  for (int i = 1; i < argc; ++i) {
    if (!strcmp(argv[i], "--host") && i + 1 < argc)
      host = argv[++i];
    else if (!strcmp(argv[i], "--port") && i + 1 < argc)
      port = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--static") && i + 1 < argc)
      static_dir = argv[++i];
    else if (!strcmp(argv[i], "--metrics"))
      metrics = 1;
    else {
      fprintf(stderr,
              "usage: %s [--host H] [--port P] [--static DIR] [--metrics]\n",
              argv[0]);
      return 2;
    }
  }

  web_files web = {0};
  web_files_load(&web,
                 static_dir); /* warns if missing, serves the page anyway */
  web.metrics = metrics;

  /* Requests for no service come to us as SOCKJS_EVENT_REQUEST. */
  sockjs_server_options *server_opts;
  sockjs_server_options_new(&server_opts);
  sockjs_server_options_set_forward_unmatched(server_opts, 1);
  char err[SOCKJS_ERRBUF_SIZE] = "";
  sockjs_server *srv;
  int rc = sockjs_server_new(server_opts, &srv, err);
  sockjs_server_options_free(server_opts);
  if (rc != SOCKJS_OK) {
    fprintf(stderr, "sockjs_server_new: %s\n", err);
    return 1;
  }
  int echo = add_service(srv, "/echo"), chat = add_service(srv, "/chat");
  uint16_t bound = 0;
  if (echo < 0 || chat < 0 ||
      sockjs_server_listen(srv, host, (uint16_t)port, &bound, err) !=
          SOCKJS_OK) {
    fprintf(stderr, "cannot start: %s\n", err[0] ? err : "add_service failed");
    sockjs_server_free(srv);
    web_files_free(&web);
    return 1;
  }
  printf("Demo running at http://%s:%u/\n", host, bound);
  fflush(stdout);

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);

  chat_room room = {0};
  int closing = 0, closed = 0;
  while (!closed) {
    sockjs_server_wait(srv, 200); /* the timeout lets us see Ctrl-C */
    if (interrupted && !closing) {
      closing = 1;
      sockjs_server_close(srv); /* sessions get 1001; SERVER_CLOSED ends us */
    }
    sockjs_event ev[32];
    size_t n;
    ev[0].size = sizeof ev[0];
    while (sockjs_server_poll(srv, ev, 32, &n) == SOCKJS_OK) {
      for (size_t i = 0; i < n; ++i) {
        const sockjs_event *e = &ev[i];
        switch (e->type) {
          case SOCKJS_EVENT_OPEN:
            if (e->service == chat) room_join(&room, e->conn);
            break;
          case SOCKJS_EVENT_MESSAGE:
            if (e->service == echo)
              sockjs_conn_send(srv, e->conn, e->data, e->len);
            if (e->service == chat) room_broadcast(srv, &room, e->data, e->len);
            break;
          case SOCKJS_EVENT_CLOSE:
            if (e->service == chat) room_leave(&room, e->conn);
            break;
          case SOCKJS_EVENT_REQUEST:
            web_answer(&web, srv, e->conn);
            break;
          case SOCKJS_EVENT_SERVER_CLOSED:
            closed = 1;
            break;
        }
      }
    }
  }
  sockjs_server_free(srv);
  free(room.ids);
  web_files_free(&web);
  return 0;
}
