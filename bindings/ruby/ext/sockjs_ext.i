/*
 * sockjs_ext.i - the private, low-level Ruby extension over include/sockjs.h.
 *
 * Users never touch this module (SockJS::Ext); lib/sockjs.rb builds the Ruby
 * API on top of it. Layout follows libsolv's solv.i: the opaque C structs
 * become Ruby classes through %extend, with a constructor that calls *_new and
 * a destructor (the GC free function) that calls *_free. Every negative
 * status is raised as a SockJS::Error subclass chosen by sockjs_status_name.
 *
 * Strings and ids are taken as raw VALUEs so that the checks (UTF-8, embedded
 * NULs, 64-bit ids) happen here, once, with Ruby's own errors.
 *
 * Generate with: swig -ruby -initname sockjs_ext -I<include> sockjs_ext.i
 */
%module "SockJS::Ext"

%{
#include <ruby/encoding.h>
#include <ruby/thread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "sockjs.h"

/* The Ruby-side server handle. sockjs_server_free must happen exactly once,
 * either from Server#release (explicit) or from the GC free function, so the
 * C pointer lives in a small box that release() empties. */
typedef struct sockjs_ext_server {
  sockjs_server *srv; /* NULL once released */
  pid_t owner_pid;    /* a forked child must not join the parent's thread */
} sockjs_ext_server;

/* Finds SockJS::Error.for_status(name), defined by lib/sockjs/error.rb;
 * falls back to RuntimeError when the Ruby layer is not loaded. */
static VALUE sockjs_ext_error_class(int rc) {
  ID sockjs = rb_intern("SockJS"), error = rb_intern("Error");
  if (!rb_const_defined(rb_cObject, sockjs)) return rb_eRuntimeError;
  VALUE mod = rb_const_get(rb_cObject, sockjs);
  if (!rb_const_defined(mod, error)) return rb_eRuntimeError;
  VALUE base = rb_const_get(mod, error);
  if (!rb_respond_to(base, rb_intern("for_status"))) return base;
  return rb_funcall(base, rb_intern("for_status"), 1,
                    rb_str_new_cstr(sockjs_status_name(rc)));
}

/* Raises the SockJS::Error subclass for a negative status; never returns.
 * Callers must not hold anything that needs freeing (rb_raise longjmps). */
static void sockjs_ext_raise(int rc, const char *what, const char *detail) {
  VALUE klass = sockjs_ext_error_class(rc);
  const char *text = (detail && *detail) ? detail : sockjs_strerror(rc);
  if (klass == rb_eRuntimeError)
    rb_raise(klass, "%s: %s (%s)", what, text, sockjs_status_name(rc));
  VALUE msg = rb_sprintf("%s: %s", what, text);
  rb_exc_raise(rb_funcall(klass, rb_intern("new"), 2, msg, INT2NUM(rc)));
}

static void sockjs_ext_check(int rc, const char *what) {
  if (rc < 0) sockjs_ext_raise(rc, what, NULL);
}

static sockjs_server *sockjs_ext_live(sockjs_ext_server *h) {
  if (!h || !h->srv) sockjs_ext_raise(SOCKJS_E_CLOSED, "server", "server is closed");
  return h->srv;
}

/* Text going into the library must be UTF-8; other encodings are
 * transcoded, binary strings are taken as UTF-8 and checked by the core. */
static VALUE sockjs_ext_utf8(VALUE str) {
  StringValue(str);
  rb_encoding *enc = rb_enc_get(str);
  if (enc == rb_utf8_encoding() || enc == rb_usascii_encoding() ||
      enc == rb_ascii8bit_encoding())
    return str;
  return rb_str_export_to_enc(str, rb_utf8_encoding());
}

static sockjs_conn_id sockjs_ext_id(VALUE id) {
  unsigned long long v = NUM2ULL(id);
  if (v == 0) sockjs_ext_raise(SOCKJS_E_INVALID_ARGUMENT, "id", "0 is never a valid id");
  return (sockjs_conn_id)v;
}

/* A C string option: an embedded NUL is an invalid argument (it would cut
 * the value short), not Ruby's ArgumentError. */
static const char *sockjs_ext_cstr(VALUE *v, const char *what) {
  StringValue(*v);
  if (memchr(RSTRING_PTR(*v), 0, (size_t)RSTRING_LEN(*v)))
    sockjs_ext_raise(SOCKJS_E_INVALID_ARGUMENT, what, "contains a NUL byte");
  return StringValueCStr(*v);
}

/* A channel name as the core takes it: UTF-8, 1..SOCKJS_MAX_CHANNEL_NAME
 * bytes, no NUL. Checked here so that a bad name raises an error saying
 * what a name must be, not a bare "invalid argument". */
static VALUE sockjs_ext_channel(VALUE name) {
  name = sockjs_ext_utf8(name);
  long len = RSTRING_LEN(name);
  VALUE as_utf8 = name;
  if (rb_enc_get(name) != rb_utf8_encoding()) {
    as_utf8 = rb_str_dup(name);
    rb_enc_associate(as_utf8, rb_utf8_encoding());
  }
  if (len < 1 || len > SOCKJS_MAX_CHANNEL_NAME || memchr(RSTRING_PTR(name), 0, (size_t)len) ||
      rb_enc_str_coderange(as_utf8) == ENC_CODERANGE_BROKEN)
    sockjs_ext_raise(SOCKJS_E_INVALID_ARGUMENT, "channel",
                     "a channel name is 1..255 bytes of UTF-8 without NUL");
  RB_GC_GUARD(as_utf8);
  return name;
}

static void *sockjs_ext_free_nogvl(void *srv) {
  sockjs_server_free((sockjs_server *)srv);
  return NULL;
}
%}

/* Event kinds and status codes, as integer constants for the Ruby layer. */
%constant int EVENT_OPEN = SOCKJS_EVENT_OPEN;
%constant int EVENT_MESSAGE = SOCKJS_EVENT_MESSAGE;
%constant int EVENT_CLOSE = SOCKJS_EVENT_CLOSE;
%constant int EVENT_DRAIN = SOCKJS_EVENT_DRAIN;
%constant int EVENT_SERVER_CLOSED = SOCKJS_EVENT_SERVER_CLOSED;
%constant int EVENT_REQUEST = SOCKJS_EVENT_REQUEST;
%constant int EVENT_LOG = SOCKJS_EVENT_LOG;
%constant int LOG_NONE = SOCKJS_LOG_NONE;
%constant int LOG_DEBUG = SOCKJS_LOG_DEBUG;
%constant int LOG_INFO = SOCKJS_LOG_INFO;
%constant int LOG_WARNING = SOCKJS_LOG_WARNING;
%constant int LOG_ERROR = SOCKJS_LOG_ERROR;
%constant int METRIC_COUNTER = SOCKJS_METRIC_COUNTER;
%constant int METRIC_GAUGE = SOCKJS_METRIC_GAUGE;
%constant int MAX_CHANNEL_NAME = SOCKJS_MAX_CHANNEL_NAME;
/* Major version of the header the extension was compiled against. */
%constant int HEADER_VERSION_MAJOR = SOCKJS_VERSION_MAJOR;

/* Run-time version of the linked library (0xMMmmpp) and status texts. */
%rename(version_num) sockjs_version_num;
%rename(version_string) sockjs_version_string;
%rename(status_name) sockjs_status_name;
%rename(strerror) sockjs_strerror;
unsigned int sockjs_version_num(void);
const char *sockjs_version_string(void);
const char *sockjs_status_name(int status);
const char *sockjs_strerror(int status);

/* ------------------------------------------------------------ Options */
%nodefaultctor sockjs_options;
%nodefaultdtor sockjs_options;
%rename(Options) sockjs_options;
/* Setters become Ruby attribute writers (the C names would collide with
 * the helpers SWIG generates for %extend, <struct>_<method>). */
%rename("prefix=") sockjs_options::assign_prefix;
%rename("sockjs_url=") sockjs_options::assign_sockjs_url;
%rename("base_url=") sockjs_options::assign_base_url;
%rename("response_limit=") sockjs_options::assign_response_limit;
%rename("websocket=") sockjs_options::assign_websocket;
%rename("jsessionid=") sockjs_options::assign_jsessionid;
%rename("heartbeat_delay_ms=") sockjs_options::assign_heartbeat_delay_ms;
%rename("disconnect_delay_ms=") sockjs_options::assign_disconnect_delay_ms;
%rename("disable_cors=") sockjs_options::assign_disable_cors;
%rename("max_message_size=") sockjs_options::assign_max_message_size;
%rename("send_buffer_limit=") sockjs_options::assign_send_buffer_limit;
%rename("expose_cookies=") sockjs_options::assign_expose_cookies;
%rename("add_allowed_origin") sockjs_options::push_allowed_origin;
%rename("clear_allowed_origins") sockjs_options::reset_allowed_origins;
%rename("authorize=") sockjs_options::assign_authorize;
%rename("authorize_timeout_ms=") sockjs_options::assign_authorize_timeout_ms;
%rename("permessage_deflate=") sockjs_options::assign_permessage_deflate;
%rename("deflate_threshold=") sockjs_options::assign_deflate_threshold;
typedef struct sockjs_options {} sockjs_options;

%extend sockjs_options {
  sockjs_options() {
    sockjs_options *o = NULL;
    sockjs_ext_check(sockjs_options_new(&o), "options");
    return o;
  }
  ~sockjs_options() { sockjs_options_free($self); }

  void assign_prefix(VALUE v) {
    sockjs_ext_check(sockjs_options_set_prefix($self, StringValueCStr(v)), "prefix");
  }
  void assign_sockjs_url(VALUE v) {
    sockjs_ext_check(sockjs_options_set_sockjs_url($self, StringValueCStr(v)), "sockjs_url");
  }
  void assign_base_url(VALUE v) {
    const char *s = NIL_P(v) ? NULL : StringValueCStr(v);
    sockjs_ext_check(sockjs_options_set_base_url($self, s), "base_url");
  }
  void assign_response_limit(VALUE v) {
    sockjs_ext_check(sockjs_options_set_response_limit($self, NUM2SIZET(v)), "response_limit");
  }
  void assign_websocket(VALUE v) {
    sockjs_ext_check(sockjs_options_set_websocket($self, RTEST(v)), "websocket");
  }
  void enable_transport(VALUE name, VALUE on) {
    sockjs_ext_check(sockjs_options_set_transport_enabled($self, StringValueCStr(name), RTEST(on)),
                     "transport");
  }
  void assign_jsessionid(VALUE v) {
    sockjs_ext_check(sockjs_options_set_jsessionid($self, RTEST(v)), "jsessionid");
  }
  void assign_heartbeat_delay_ms(VALUE v) {
    sockjs_ext_check(sockjs_options_set_heartbeat_delay_ms($self, NUM2UINT(v)), "heartbeat_delay");
  }
  void assign_disconnect_delay_ms(VALUE v) {
    sockjs_ext_check(sockjs_options_set_disconnect_delay_ms($self, NUM2UINT(v)), "disconnect_delay");
  }
  void assign_disable_cors(VALUE v) {
    sockjs_ext_check(sockjs_options_set_disable_cors($self, RTEST(v)), "disable_cors");
  }
  void assign_max_message_size(VALUE v) {
    sockjs_ext_check(sockjs_options_set_max_message_size($self, NUM2SIZET(v)), "max_message_size");
  }
  void assign_send_buffer_limit(VALUE v) {
    sockjs_ext_check(sockjs_options_set_send_buffer_limit($self, NUM2SIZET(v)), "send_buffer_limit");
  }
  void assign_permessage_deflate(VALUE v) {
    sockjs_ext_check(sockjs_options_set_permessage_deflate($self, RTEST(v)), "permessage_deflate");
  }
  void assign_deflate_threshold(VALUE v) {
    sockjs_ext_check(sockjs_options_set_deflate_threshold($self, NUM2SIZET(v)), "deflate_threshold");
  }
  void assign_expose_cookies(VALUE v) {
    sockjs_ext_check(sockjs_options_set_expose_cookies($self, RTEST(v)), "expose_cookies");
  }
  void push_allowed_origin(VALUE pattern) {
    sockjs_ext_check(sockjs_options_add_allowed_origin($self, StringValueCStr(pattern)),
                     "allowed_origin");
  }
  void reset_allowed_origins() {
    sockjs_ext_check(sockjs_options_clear_allowed_origins($self), "allowed_origins");
  }
  void assign_authorize(VALUE v) {
    sockjs_ext_check(sockjs_options_set_authorize($self, RTEST(v)), "authorize");
  }
  void assign_authorize_timeout_ms(VALUE v) {
    sockjs_ext_check(sockjs_options_set_authorize_timeout_ms($self, NUM2UINT(v)),
                     "authorize_timeout");
  }
}

/* ------------------------------------------------------ ServerOptions */
%nodefaultctor sockjs_server_options;
%nodefaultdtor sockjs_server_options;
%rename(ServerOptions) sockjs_server_options;
%rename("max_request_head_size=") sockjs_server_options::assign_max_request_head_size;
%rename("request_timeout_ms=") sockjs_server_options::assign_request_timeout_ms;
%rename("shutdown_timeout_ms=") sockjs_server_options::assign_shutdown_timeout_ms;
%rename("forward_unmatched=") sockjs_server_options::assign_forward_unmatched;
%rename("max_request_headers=") sockjs_server_options::assign_max_request_headers;
%rename("max_sessions=") sockjs_server_options::assign_max_sessions;
%rename("max_connections=") sockjs_server_options::assign_max_connections;
%rename("tcp_keepalive_s=") sockjs_server_options::assign_tcp_keepalive_s;
%rename("add_trusted_proxy") sockjs_server_options::push_trusted_proxy;
%rename("clear_trusted_proxies") sockjs_server_options::reset_trusted_proxies;
%rename("log_level=") sockjs_server_options::assign_log_level;
%rename("node_id=") sockjs_server_options::assign_node_id;
%rename("backplane_channel=") sockjs_server_options::assign_backplane_channel;
%rename("backplane_buffer_limit=") sockjs_server_options::assign_backplane_buffer_limit;
%rename("backplane_connect_timeout_ms=") sockjs_server_options::assign_backplane_connect_timeout_ms;
%rename("backplane_redis") sockjs_server_options::use_backplane_redis;
typedef struct sockjs_server_options {} sockjs_server_options;

%extend sockjs_server_options {
  sockjs_server_options() {
    sockjs_server_options *o = NULL;
    sockjs_ext_check(sockjs_server_options_new(&o), "server options");
    return o;
  }
  ~sockjs_server_options() { sockjs_server_options_free($self); }

  void assign_max_request_head_size(VALUE v) {
    sockjs_ext_check(sockjs_server_options_set_max_request_head_size($self, NUM2SIZET(v)),
                     "max_request_head_size");
  }
  void assign_request_timeout_ms(VALUE v) {
    sockjs_ext_check(sockjs_server_options_set_request_timeout_ms($self, NUM2UINT(v)),
                     "request_timeout");
  }
  void assign_shutdown_timeout_ms(VALUE v) {
    sockjs_ext_check(sockjs_server_options_set_shutdown_timeout_ms($self, NUM2UINT(v)),
                     "shutdown_timeout");
  }
  void assign_forward_unmatched(VALUE v) {
    sockjs_ext_check(sockjs_server_options_set_forward_unmatched($self, RTEST(v)),
                     "forward_unmatched");
  }
  void assign_max_request_headers(VALUE v) {
    sockjs_ext_check(sockjs_server_options_set_max_request_headers($self, NUM2SIZET(v)),
                     "max_request_headers");
  }
  void assign_max_sessions(VALUE v) {
    sockjs_ext_check(sockjs_server_options_set_max_sessions($self, NUM2SIZET(v)), "max_sessions");
  }
  void assign_max_connections(VALUE v) {
    sockjs_ext_check(sockjs_server_options_set_max_connections($self, NUM2SIZET(v)),
                     "max_connections");
  }
  void assign_tcp_keepalive_s(VALUE v) {
    sockjs_ext_check(sockjs_server_options_set_tcp_keepalive_s($self, NUM2UINT(v)),
                     "tcp_keepalive");
  }
  void push_trusted_proxy(VALUE cidr) {
    sockjs_ext_check(sockjs_server_options_add_trusted_proxy($self, StringValueCStr(cidr)),
                     "trusted_proxy");
  }
  void reset_trusted_proxies() {
    sockjs_ext_check(sockjs_server_options_clear_trusted_proxies($self), "trusted_proxies");
  }
  void assign_log_level(VALUE v) {
    sockjs_ext_check(sockjs_server_options_set_log_level($self, NUM2INT(v)), "log_level");
  }
  void assign_node_id(VALUE v) {
    sockjs_ext_check(sockjs_server_options_set_node_id($self, NUM2UINT(v)), "node_id");
  }
  /* Cluster backplane: a Redis server (nil host turns it off). */
  void use_backplane_redis(VALUE host, int port) {
    const char *h = NIL_P(host) ? NULL : sockjs_ext_cstr(&host, "backplane_redis");
    sockjs_ext_check(sockjs_server_options_set_backplane_redis($self, h, port), "backplane_redis");
  }
  void assign_backplane_channel(VALUE v) {
    const char *name = sockjs_ext_cstr(&v, "backplane_channel");
    sockjs_ext_check(sockjs_server_options_set_backplane_channel($self, name), "backplane_channel");
  }
  void assign_backplane_buffer_limit(VALUE v) {
    sockjs_ext_check(sockjs_server_options_set_backplane_buffer_limit($self, NUM2SIZET(v)),
                     "backplane_buffer_limit");
  }
  void assign_backplane_connect_timeout_ms(VALUE v) {
    sockjs_ext_check(sockjs_server_options_set_backplane_connect_timeout_ms($self, NUM2UINT(v)),
                     "backplane_connect_timeout");
  }
}

/* ------------------------------------------------------------- Server */
%nodefaultctor sockjs_ext_server;
%nodefaultdtor sockjs_ext_server;
%rename(Server) sockjs_ext_server;
%rename("released?") sockjs_ext_server::released;
typedef struct sockjs_ext_server {} sockjs_ext_server;

%extend sockjs_ext_server {
  sockjs_ext_server(sockjs_server_options *opts = NULL) {
    char err[SOCKJS_ERRBUF_SIZE] = "";
    sockjs_server *srv = NULL;
    int rc = sockjs_server_new(opts, &srv, err);
    if (rc < 0) sockjs_ext_raise(rc, "server", err);
    sockjs_ext_server *h = (sockjs_ext_server *)calloc(1, sizeof *h);
    if (!h) {
      sockjs_server_free(srv);
      rb_memerror();
    }
    h->srv = srv;
    h->owner_pid = getpid();
    return h;
  }

  /* The GC free function: touches no Ruby object, tolerates a server that
   * release() already freed, and leaks rather than join a thread that only
   * exists in the parent after fork. */
  ~sockjs_ext_server() {
    if ($self->srv && $self->owner_pid == getpid()) sockjs_server_free($self->srv);
    free($self);
  }

  /* Adds a service; returns its id (0, 1, 2, ...). */
  int add_service(sockjs_options *opts) {
    int id = -1;
    sockjs_ext_check(sockjs_server_add_service(sockjs_ext_live($self), opts, &id), "add_service");
    return id;
  }

  /* Binds and starts the I/O thread; returns the bound port. */
  int listen(VALUE host, int port) {
    char err[SOCKJS_ERRBUF_SIZE] = "";
    uint16_t bound = 0;
    if (port < 0 || port > 65535)
      sockjs_ext_raise(SOCKJS_E_INVALID_ARGUMENT, "listen", "port out of range");
    const char *h = NIL_P(host) ? NULL : StringValueCStr(host);
    int rc = sockjs_server_listen(sockjs_ext_live($self), h, (uint16_t)port, &bound, err);
    if (rc < 0) sockjs_ext_raise(rc, "listen", err);
    return bound;
  }

  /* Requests shutdown; SERVER_CLOSED follows. Harmless when repeated. */
  void close() { sockjs_ext_check(sockjs_server_close(sockjs_ext_live($self)), "close"); }

  /* Frees the server now (joining its I/O thread without the GVL). */
  void release() {
    sockjs_server *srv = $self->srv;
    $self->srv = NULL;
    if (srv) rb_thread_call_without_gvl(sockjs_ext_free_nogvl, srv, NULL, NULL);
  }
  bool released() { return $self->srv == NULL; }

  int event_fd() {
    int fd = sockjs_server_event_fd(sockjs_ext_live($self));
    sockjs_ext_check(fd, "event_fd");
    return fd;
  }

  void wakeup() { sockjs_ext_check(sockjs_server_wakeup(sockjs_ext_live($self)), "wakeup"); }

  /* Takes up to max queued events without blocking, as an Array of
   * [type, service, id, data, code]; empty when none is queued. Data is
   * copied into Ruby strings before the next poll can invalidate it. */
  VALUE poll(int max) {
    sockjs_event evs[64];
    size_t n = 0;
    if (max < 1) max = 1;
    if (max > 64) max = 64;
    evs[0].size = sizeof(sockjs_event);
    int rc = sockjs_server_poll(sockjs_ext_live($self), evs, (size_t)max, &n);
    if (rc == SOCKJS_E_AGAIN) return rb_ary_new();
    sockjs_ext_check(rc, "poll");
    VALUE out = rb_ary_new_capa((long)n);
    for (size_t i = 0; i < n; ++i) {
      const sockjs_event *e = &evs[i];
      VALUE row = rb_ary_new_capa(5);
      rb_ary_push(row, INT2NUM(e->type));
      rb_ary_push(row, INT2NUM(e->service));
      rb_ary_push(row, ULL2NUM(e->conn));
      rb_ary_push(row, rb_utf8_str_new(e->data, (long)e->len));
      rb_ary_push(row, INT2NUM(e->code));
      rb_ary_push(out, row);
    }
    return out;
  }

  /* Queues one message; raises BufferFullError when the buffer is full. */
  void conn_write(VALUE id, VALUE text) {
    sockjs_conn_id conn = sockjs_ext_id(id);
    text = sockjs_ext_utf8(text);
    int rc = sockjs_conn_send(sockjs_ext_live($self), conn, RSTRING_PTR(text),
                              (size_t)RSTRING_LEN(text));
    RB_GC_GUARD(text);
    sockjs_ext_check(rc, "write");
  }

  void conn_close(VALUE id, int code, VALUE reason) {
    sockjs_conn_id conn = sockjs_ext_id(id);
    const char *r = NIL_P(reason) ? NULL : StringValueCStr(reason);
    sockjs_ext_check(sockjs_conn_close(sockjs_ext_live($self), conn, code, r), "close session");
  }

  /* Lets a session waiting for a decision (authorize) open. */
  void conn_accept(VALUE id) {
    sockjs_conn_id conn = sockjs_ext_id(id);
    sockjs_ext_check(sockjs_conn_accept(sockjs_ext_live($self), conn), "accept");
  }

  /* Refuses a session waiting for a decision; nil reason: "Rejected". */
  void conn_reject(VALUE id, int code, VALUE reason) {
    sockjs_conn_id conn = sockjs_ext_id(id);
    const char *r = NIL_P(reason) ? NULL : StringValueCStr(reason);
    sockjs_ext_check(sockjs_conn_reject(sockjs_ext_live($self), conn, code, r), "reject");
  }

  /* Adds a session to a channel of its service. */
  void conn_join(VALUE id, VALUE channel) {
    sockjs_conn_id conn = sockjs_ext_id(id);
    channel = sockjs_ext_channel(channel);
    int rc = sockjs_conn_join(sockjs_ext_live($self), conn, StringValueCStr(channel));
    RB_GC_GUARD(channel);
    sockjs_ext_check(rc, "join");
  }

  /* Removes a session from a channel (not a member: nothing happens). */
  void conn_leave(VALUE id, VALUE channel) {
    sockjs_conn_id conn = sockjs_ext_id(id);
    channel = sockjs_ext_channel(channel);
    int rc = sockjs_conn_leave(sockjs_ext_live($self), conn, StringValueCStr(channel));
    RB_GC_GUARD(channel);
    sockjs_ext_check(rc, "leave");
  }

  /* One message to every member of a channel of a service, or (nil
   * channel) to every session of the service; never blocks. */
  void publish(int service, VALUE channel, VALUE text) {
    sockjs_server *srv = sockjs_ext_live($self);
    if (!NIL_P(channel)) channel = sockjs_ext_channel(channel);
    text = sockjs_ext_utf8(text);
    int rc = sockjs_server_publish(srv, service, NIL_P(channel) ? NULL : StringValueCStr(channel),
                                   RSTRING_PTR(text), (size_t)RSTRING_LEN(text));
    RB_GC_GUARD(channel);
    RB_GC_GUARD(text);
    sockjs_ext_check(rc, "publish");
  }

  /* One message to a session by id, on this node or (backplane) another. */
  void publish_to(VALUE id, VALUE text) {
    sockjs_conn_id conn = sockjs_ext_id(id);
    text = sockjs_ext_utf8(text);
    int rc = sockjs_server_publish_to(sockjs_ext_live($self), conn, RSTRING_PTR(text),
                                      (size_t)RSTRING_LEN(text));
    RB_GC_GUARD(text);
    sockjs_ext_check(rc, "publish_to");
  }

  /* Ids of the open sessions of a service (-1: all), ascending. The
   * scratch array is a Ruby temporary buffer, so a raise leaks nothing. */
  VALUE list_sessions(int service) {
    sockjs_server *srv = sockjs_ext_live($self);
    size_t cap = 16, n = 0;
    for (;;) {
      VALUE tmp;
      sockjs_conn_id *ids = ALLOCV_N(sockjs_conn_id, tmp, cap);
      int rc = sockjs_server_list_sessions(srv, service, ids, cap, &n);
      if (rc == SOCKJS_E_LIMIT) {
        ALLOCV_END(tmp);
        cap = n;
        continue;
      }
      sockjs_ext_check(rc, "list_sessions");
      VALUE out = rb_ary_new_capa((long)n);
      for (size_t i = 0; i < n; ++i) rb_ary_push(out, ULL2NUM(ids[i]));
      ALLOCV_END(tmp);
      return out;
    }
  }

  /* Closes every open session of a service (-1: all); returns how many. */
  VALUE close_sessions(int service, int code, VALUE reason) {
    const char *r = NIL_P(reason) ? NULL : StringValueCStr(reason);
    size_t closed = 0;
    sockjs_ext_check(sockjs_server_close_sessions(sockjs_ext_live($self), service, code, r,
                                                  &closed),
                     "close_sessions");
    return SIZET2NUM(closed);
  }

  /* The metrics as an Array of [name, type, service, transport, label,
   * code, value]. */
  VALUE metrics() {
    sockjs_server *srv = sockjs_ext_live($self);
    size_t cap = 64, n = 0;
    for (;;) {
      VALUE tmp;
      sockjs_metric *m = ALLOCV_N(sockjs_metric, tmp, cap);
      m[0].size = sizeof(sockjs_metric);
      int rc = sockjs_server_metrics(srv, m, cap, &n);
      if (rc == SOCKJS_E_LIMIT) {
        ALLOCV_END(tmp);
        cap = n;
        continue;
      }
      sockjs_ext_check(rc, "metrics");
      VALUE out = rb_ary_new_capa((long)n);
      for (size_t i = 0; i < n; ++i) {
        VALUE row = rb_ary_new_capa(7);
        rb_ary_push(row, rb_utf8_str_new_cstr(m[i].name));
        rb_ary_push(row, INT2NUM(m[i].type));
        rb_ary_push(row, INT2NUM(m[i].service));
        rb_ary_push(row, rb_utf8_str_new_cstr(m[i].transport ? m[i].transport : ""));
        rb_ary_push(row, rb_utf8_str_new_cstr(m[i].label ? m[i].label : ""));
        rb_ary_push(row, INT2NUM(m[i].code));
        rb_ary_push(row, ULL2NUM(m[i].value));
        rb_ary_push(out, row);
      }
      ALLOCV_END(tmp);
      return out;
    }
  }

  /* The metrics in the Prometheus text format, as a String. */
  VALUE metrics_prometheus() {
    sockjs_server *srv = sockjs_ext_live($self);
    size_t needed = 0;
    VALUE buf = rb_str_buf_new(16384);
    for (;;) {
      size_t cap = (size_t)rb_str_capacity(buf) + 1;
      int rc = sockjs_server_metrics_prometheus(srv, RSTRING_PTR(buf), cap, &needed);
      if (rc == SOCKJS_E_LIMIT) {
        rb_str_resize(buf, (long)needed);
        continue;
      }
      sockjs_ext_check(rc, "metrics_prometheus");
      rb_str_set_len(buf, (long)needed);
      rb_enc_associate(buf, rb_utf8_encoding());
      return buf;
    }
  }

  /* [service, prefix, transport, remote_addr, remote_port, method, url,
   *  {header => value}, query, client_addr] of a session or forwarded
   *  request. */
  VALUE conn_info(VALUE id) {
    sockjs_conn_id conn = sockjs_ext_id(id);
    sockjs_conn_info info;
    memset(&info, 0, sizeof info);
    info.size = sizeof info;
    sockjs_ext_check(sockjs_conn_get_info(sockjs_ext_live($self), conn, &info), "info");
    VALUE headers = rb_hash_new();
    for (size_t i = 0; i < info.n_headers; ++i)
      rb_hash_aset(headers, rb_utf8_str_new_cstr(info.header_names[i]),
                   rb_utf8_str_new_cstr(info.header_values[i]));
    VALUE row = rb_ary_new_capa(8);
    rb_ary_push(row, INT2NUM(info.service));
    rb_ary_push(row, rb_utf8_str_new_cstr(info.prefix ? info.prefix : ""));
    rb_ary_push(row, rb_utf8_str_new_cstr(info.transport ? info.transport : ""));
    rb_ary_push(row, rb_utf8_str_new_cstr(info.remote_addr ? info.remote_addr : ""));
    rb_ary_push(row, INT2NUM(info.remote_port));
    rb_ary_push(row, rb_utf8_str_new_cstr(info.method ? info.method : ""));
    rb_ary_push(row, rb_utf8_str_new_cstr(info.url ? info.url : ""));
    rb_ary_push(row, headers);
    rb_ary_push(row, rb_utf8_str_new_cstr(info.query ? info.query : ""));
    rb_ary_push(row, rb_utf8_str_new_cstr(info.client_addr ? info.client_addr : ""));
    return row;
  }

  /* Answers a forwarded request. headers: nil or "Name: value\r\n" lines. */
  void request_respond(VALUE id, int status, VALUE content_type, VALUE headers, VALUE body) {
    sockjs_conn_id req = sockjs_ext_id(id);
    const char *ct = NIL_P(content_type) ? NULL : StringValueCStr(content_type);
    const char *hd = NIL_P(headers) ? NULL : StringValueCStr(headers);
    StringValue(body);
    int rc = sockjs_request_respond(sockjs_ext_live($self), req, status, ct, hd,
                                    RSTRING_PTR(body), (size_t)RSTRING_LEN(body));
    RB_GC_GUARD(body);
    sockjs_ext_check(rc, "respond");
  }
}
