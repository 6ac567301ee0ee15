/*
 * The demo's own web pages, answered from SOCKJS_EVENT_REQUEST events:
 * requests that no SockJS service matched (forward_unmatched mode).
 */
#ifndef SOCKJS_DEMO_WEB_H
#define SOCKJS_DEMO_WEB_H

#include <stddef.h>

#include "sockjs.h"

typedef struct {
  char *client_js; /* sockjs.min.js, read once at start; NULL if missing */
  size_t client_js_len;
  int metrics; /* --metrics: serve GET /metrics (Prometheus text) */
} web_files;

/* Read sockjs.min.js from dir. Returns 0, or -1 (with a message on stderr)
 * when it is missing: the page is still served, but cannot connect. */
int web_files_load(web_files *w, const char *dir);
void web_files_free(web_files *w);

/* Answer one forwarded request: "/" is the page, "/sockjs.min.js" the
 * client library, "/metrics" the server's metrics (when w->metrics),
 * anything else 404. */
void web_answer(const web_files *w, sockjs_server *srv, sockjs_conn_id request);

#endif
