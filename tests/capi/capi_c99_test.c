/* The public header compiled as strict C99 (-std=c99 -pedantic -Werror)
 * and the C ABI exercised from C: versions, status texts, argument
 * checks, option validation, two-phase close, and one request through the
 * feed mode. */
#include <stdio.h>
#include <string.h>

#include "sockjs.h"

static int failures = 0;
#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
      ++failures;                                                              \
    }                                                                          \
  } while (0)

static void test_versions(void) {
  CHECK(sockjs_version_num() == SOCKJS_VERSION_NUM);
  CHECK(strcmp(sockjs_version_string(), SOCKJS_VERSION_STRING) == 0);
  CHECK(SOCKJS_AT_LEAST_VERSION(0, 1, 0));
  CHECK(!SOCKJS_AT_LEAST_VERSION(99, 0, 0));
}

static void test_status_texts(void) {
  CHECK(strcmp(sockjs_status_name(SOCKJS_E_CLOSED), "SOCKJS_E_CLOSED") == 0);
  CHECK(strcmp(sockjs_status_name(12345), "SOCKJS_E_UNKNOWN") == 0);
  CHECK(sockjs_strerror(SOCKJS_E_AGAIN)[0] != '\0');
  CHECK(sockjs_strerror(-777) != NULL);
}

static void test_options(void) {
  sockjs_options *o = NULL;
  CHECK(sockjs_options_new(NULL) == SOCKJS_E_INVALID_ARGUMENT);
  CHECK(sockjs_options_new(&o) == SOCKJS_OK);
  CHECK(sockjs_options_set_prefix(o, "echo") == SOCKJS_E_INVALID_ARGUMENT);
  CHECK(sockjs_options_set_prefix(o, "/echo/") == SOCKJS_OK);
  CHECK(sockjs_options_set_response_limit(o, 0) == SOCKJS_E_INVALID_ARGUMENT);
  CHECK(sockjs_options_set_transport_enabled(o, "carrier-pigeon", 1) ==
        SOCKJS_E_INVALID_ARGUMENT);
  CHECK(sockjs_options_set_transport_enabled(o, "jsonp-polling", 0) ==
        SOCKJS_OK);
  CHECK(sockjs_options_set_sockjs_url(o, "/x\"><script>") ==
        SOCKJS_E_INVALID_ARGUMENT);
  CHECK(sockjs_options_set_prefix(NULL, "/a") == SOCKJS_E_INVALID_ARGUMENT);
  sockjs_options_free(o);
  sockjs_options_free(NULL);
  sockjs_server_options_free(NULL);
}

static void test_unstarted_close(void) {
  sockjs_server *s = NULL;
  sockjs_event ev[4];
  size_t n = 0;
  char err[SOCKJS_ERRBUF_SIZE];
  CHECK(sockjs_server_new(NULL, &s, err) == SOCKJS_OK);
  CHECK(sockjs_server_add_service(s, NULL, NULL) == SOCKJS_OK);
  CHECK(sockjs_server_add_service(s, NULL, NULL) == SOCKJS_E_INVALID_ARGUMENT);
  ev[0].size = sizeof ev[0];
  CHECK(sockjs_server_poll(s, ev, 4, &n) == SOCKJS_E_AGAIN && n == 0);
  CHECK(sockjs_server_close(s) == SOCKJS_OK);
  CHECK(sockjs_server_close(s) == SOCKJS_OK); /* idempotent */
  CHECK(sockjs_server_wait(s, 1000) == SOCKJS_OK);
  CHECK(sockjs_server_poll(s, ev, 4, &n) == SOCKJS_OK && n == 1);
  CHECK(ev[0].type == SOCKJS_EVENT_SERVER_CLOSED);
  CHECK(sockjs_server_listen(s, "127.0.0.1", 0, NULL, err) == SOCKJS_E_STATE);
  CHECK(sockjs_conn_send(s, 42, "x", 1) == SOCKJS_E_UNKNOWN_CONN);
  sockjs_server_free(s);
  sockjs_server_free(NULL);
}

static void test_feed_greeting(void) {
  static const char req[] = "GET /echo HTTP/1.1\r\nHost: x\r\n\r\n";
  static const char body[] = "Welcome to SockJS!\n";
  sockjs_server *s = NULL;
  sockjs_options *o = NULL;
  sockjs_stream_id st = 0;
  const uint8_t *out = NULL;
  int64_t n;
  CHECK(sockjs_server_new(NULL, &s, NULL) == SOCKJS_OK);
  CHECK(sockjs_options_new(&o) == SOCKJS_OK);
  CHECK(sockjs_options_set_prefix(o, "/echo") == SOCKJS_OK);
  CHECK(sockjs_server_add_service(s, o, NULL) == SOCKJS_OK);
  sockjs_options_free(o);
  CHECK(sockjs_server_tick(s, 1000) == SOCKJS_OK);
  CHECK(sockjs_server_stream_open(s, "127.0.0.1", 5555, &st) == SOCKJS_OK);
  CHECK(sockjs_server_feed(s, st, (const uint8_t *)req, sizeof req - 1) ==
        (int64_t)(sizeof req - 1));
  n = sockjs_server_output(s, st, &out);
  CHECK(n > (int64_t)(sizeof body - 1));
  if (n > 0) {
    CHECK(memcmp(out, "HTTP/1.1 200 OK\r\n", 17) == 0);
    CHECK(memcmp(out + n - (sizeof body - 1), body, sizeof body - 1) == 0);
    CHECK(sockjs_server_output_consume(s, st, (size_t)n + 1) ==
          SOCKJS_E_INVALID_ARGUMENT);
    CHECK(sockjs_server_output_consume(s, st, (size_t)n) == SOCKJS_OK);
  }
  CHECK(sockjs_server_output(s, st, &out) == 0);
  CHECK(sockjs_server_stream_wants_close(s, st) == 0);
  CHECK(sockjs_server_stream_close(s, st) == SOCKJS_OK);
  CHECK(sockjs_server_stream_close(s, st) == SOCKJS_E_UNKNOWN_CONN);
  CHECK(sockjs_server_listen(s, NULL, 0, NULL, NULL) == SOCKJS_E_STATE);
  sockjs_server_free(s);
}

int main(void) {
  test_versions();
  test_status_texts();
  test_options();
  test_unstarted_close();
  test_feed_greeting();
  if (failures) {
    fprintf(stderr, "%d check(s) failed\n", failures);
    return 1;
  }
  printf("capi C99 checks passed\n");
  return 0;
}
