/*
 * sockjs-echo: the smallest complete libsockjs server. Every message a
 * client sends to /echo comes back to it.
 *
 *   sockjs-echo [HOST [PORT]]        (default 127.0.0.1 9999)
 *
 * Ctrl-C closes the server gracefully: clients get a close frame first.
 */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "sockjs.h"

static volatile sig_atomic_t interrupted = 0;
static void on_signal(int sig) {
  (void)sig;
  interrupted = 1;
}

int main(int argc, char **argv) {
  const char *host = argc > 1 ? argv[1] : "127.0.0.1";
  uint16_t port = (uint16_t)(argc > 2 ? atoi(argv[2]) : 9999);
  char err[SOCKJS_ERRBUF_SIZE] = "";

  sockjs_server *srv;
  if (sockjs_server_new(NULL, &srv, err) != SOCKJS_OK) {
    fprintf(stderr, "sockjs_server_new: %s\n", err);
    return 1;
  }
  sockjs_options *opts;
  sockjs_options_new(&opts);
  sockjs_options_set_prefix(opts, "/echo");
  sockjs_server_add_service(srv, opts, NULL); /* copies opts */
  sockjs_options_free(opts);

  if (sockjs_server_listen(srv, host, port, &port, err) != SOCKJS_OK) {
    fprintf(stderr, "listen: %s\n", err);
    sockjs_server_free(srv);
    return 1;
  }
  printf("echo server at http://%s:%u/echo\n", host, port);
  fflush(stdout);

  struct sigaction sa = {0};
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);

  int closing = 0, closed = 0;
  while (!closed) {
    /* Waits for events; the timeout lets us notice Ctrl-C promptly. */
    sockjs_server_wait(srv, 200);
    if (interrupted && !closing) {
      closing = 1;
      sockjs_server_close(srv); /* SERVER_CLOSED follows when done */
    }
    sockjs_event ev[16];
    size_t n;
    ev[0].size = sizeof ev[0];
    while (sockjs_server_poll(srv, ev, 16, &n) == SOCKJS_OK) {
      for (size_t i = 0; i < n; ++i) {
        if (ev[i].type == SOCKJS_EVENT_MESSAGE)
          sockjs_conn_send(srv, ev[i].conn, ev[i].data, ev[i].len);
        else if (ev[i].type == SOCKJS_EVENT_SERVER_CLOSED)
          closed = 1;
      }
    }
  }
  sockjs_server_free(srv);
  return 0;
}
