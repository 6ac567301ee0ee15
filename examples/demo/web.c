#include "web.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics_route.h"

/* index.html, embedded at build time (see embed.cmake). */
extern const char demo_page_html[];
extern const size_t demo_page_html_len;

static char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  char *buf = NULL;
  long size = -1;
  if (fseek(f, 0, SEEK_END) == 0) size = ftell(f);
  if (size >= 0 && fseek(f, 0, SEEK_SET) == 0) buf = malloc((size_t)size + 1);
  if (buf && fread(buf, 1, (size_t)size, f) != (size_t)size) {
    free(buf);
    buf = NULL;
  }
  fclose(f);
  if (buf) *len = (size_t)size;
  return buf;
}

int web_files_load(web_files *w, const char *dir) {
  char path[4096];
  snprintf(path, sizeof path, "%s/sockjs.min.js", dir);
  w->client_js = read_file(path, &w->client_js_len);
  if (!w->client_js) {
    fprintf(stderr,
            "warning: %s not found; the page cannot connect.\n"
            "  Run scripts/install-deps.sh --browser, or pass --static DIR.\n",
            path);
    return -1;
  }
  return 0;
}

void web_files_free(web_files *w) {
  free(w->client_js);
  w->client_js = NULL;
}

static void respond_text(sockjs_server *srv, sockjs_conn_id req, int status,
                         const char *headers, const char *text) {
  sockjs_request_respond(srv, req, status, "text/plain; charset=UTF-8", headers,
                         text, strlen(text));
}

void web_answer(const web_files *w, sockjs_server *srv, sockjs_conn_id req) {
  sockjs_conn_info info;
  info.size = sizeof info;
  if (sockjs_conn_get_info(srv, req, &info) != SOCKJS_OK) return;
  if (strcmp(info.method, "GET") != 0) {
    respond_text(srv, req, 405, "Allow: GET\r\n", "Only GET here.\n");
    return;
  }
  /* The path is the URL up to any query string. */
  size_t path_len = strcspn(info.url, "?#");
  if (path_len == 1 && info.url[0] == '/') {
    sockjs_request_respond(srv, req, 200, "text/html; charset=UTF-8",
                           "Cache-Control: no-cache\r\n", demo_page_html,
                           demo_page_html_len);
  } else if (path_len == 14 && !strncmp(info.url, "/sockjs.min.js", 14) &&
             w->client_js) {
    sockjs_request_respond(
        srv, req, 200, "application/javascript; charset=UTF-8",
        "Cache-Control: max-age=3600\r\n", w->client_js, w->client_js_len);
  } else if (path_len == 8 && !strncmp(info.url, "/metrics", 8) && w->metrics) {
    metrics_route_respond(srv, req);
  } else {
    respond_text(srv, req, 404, NULL, "Not found.\n");
  }
}
