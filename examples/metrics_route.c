#include "metrics_route.h"

#include <stdlib.h>
#include <string.h>

int metrics_route_matches(sockjs_server *srv, const sockjs_event *ev) {
  sockjs_conn_info info;
  info.size = sizeof info;
  if (sockjs_conn_get_info(srv, ev->conn, &info) != SOCKJS_OK) return 0;
  size_t path_len = strcspn(info.url, "?#");
  return !strcmp(info.method, "GET") && path_len == 8 &&
         !strncmp(info.url, "/metrics", 8);
}

void metrics_route_respond(sockjs_server *srv, sockjs_conn_id request) {
  size_t need = 0;
  char *buf = NULL;
  int rc = sockjs_server_metrics_prometheus(srv, NULL, 0, &need);
  while (rc == SOCKJS_E_LIMIT) { /* grows between calls: retry */
    char *p = realloc(buf, need + 1);
    if (!p) break;
    buf = p;
    rc = sockjs_server_metrics_prometheus(srv, buf, need + 1, &need);
  }
  if (rc == SOCKJS_OK) {
    sockjs_request_respond(srv, request, 200,
                           "text/plain; version=0.0.4; charset=utf-8",
                           "Cache-Control: no-cache\r\n", buf, need);
  } else {
    static const char msg[] = "Metrics unavailable.\n";
    sockjs_request_respond(srv, request, 500, "text/plain; charset=UTF-8", NULL,
                           msg, sizeof msg - 1);
  }
  free(buf);
}
