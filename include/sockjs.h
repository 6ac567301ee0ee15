/*
 * sockjs.h - libsockjs, an embeddable SockJS server. The only public header.
 *
 * Pure C99. Every type and function is prefixed sockjs_ / SOCKJS_.
 *
 * OVERVIEW
 *   A sockjs_server hosts one or more *services* (a SockJS endpoint under a
 *   URL prefix, each with its own sockjs_options) and is driven in one of two
 *   modes, chosen by the first call that needs one:
 *     A. sockjs_server_listen(): a library-owned I/O thread runs libevent,
 *        accepts TCP connections and speaks HTTP/WebSocket on them.
 *     B. feed mode (sockjs_server_stream_*): the host owns the sockets and
 *        the clock, feeds bytes read, writes bytes the server gives back and
 *        calls sockjs_server_tick() with the time. No thread, no libevent.
 *   Both modes report application events (OPEN, MESSAGE, CLOSE, DRAIN,
 *   REQUEST, SERVER_CLOSED) through one queue, read with the non-blocking
 *   sockjs_server_poll(). sockjs_server_event_fd() is readable exactly while
 *   that queue is non-empty (level-triggered), so a host event loop can wait
 *   on it. The library never calls back into the host.
 *
 * OWNERSHIP (applies to every function unless its doc says otherwise)
 *   1. Inputs are borrowed for the duration of the call only; strings and
 *      buffers are copied before the call returns. The library never keeps
 *      a caller pointer.
 *   2. Pointers the library returns (in a sockjs_event, a sockjs_conn_info,
 *      from sockjs_server_output) belong to the server and stay valid until
 *      the next call named in that function's doc, or sockjs_server_free().
 *      Copy what you need to keep.
 *   3. Nothing returned needs freeing by the caller, except the objects made
 *      by *_new, which are released by the matching *_free.
 *   4. *_free functions accept NULL. Out-parameters are left untouched when
 *      a function fails.
 *
 * THREADS
 *   Mode A: sockjs_conn_send, sockjs_conn_close, sockjs_request_respond,
 *   sockjs_server_wakeup and sockjs_server_close may be called from any
 *   thread, concurrently. sockjs_server_poll, sockjs_server_wait and
 *   sockjs_conn_get_info belong to one consumer thread at a time.
 *   sockjs_server_free must not race any other call on that server.
 *   Mode B: the server is single-threaded (like an nghttp2 session): all
 *   calls from one owner thread at a time, except sockjs_server_wakeup.
 *   Options objects are plain values: one thread at a time.
 *   fork(): a child must not use or free a listening server inherited from
 *   its parent (they share the epoll instance; the child's teardown would
 *   unregister the parent's sockets). Leak it in the child, or exec.
 *
 * ERRORS
 *   Functions returning int return SOCKJS_OK (0) or a negative
 *   sockjs_status. Status <= SOCKJS_E_FATAL means the server is unusable and
 *   only sockjs_server_free() may follow. Environmental failures (new,
 *   listen) can also fill a caller-supplied errbuf of SOCKJS_ERRBUF_SIZE
 *   bytes with a NUL-terminated message. There is no global last-error.
 */
#ifndef SOCKJS_H
#define SOCKJS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- export */
#if defined(SOCKJS_BUILDING) && defined(__GNUC__)
#define SOCKJS_API __attribute__((visibility("default")))
#else
#define SOCKJS_API
#endif

#if defined(__GNUC__)
#define SOCKJS_DEPRECATED(msg) __attribute__((deprecated(msg)))
#else
#define SOCKJS_DEPRECATED(msg)
#endif

/* --------------------------------------------------------------- version */
/* The single source of the project version; CMake reads it from here. */
#define SOCKJS_VERSION_MAJOR 0
#define SOCKJS_VERSION_MINOR 1
#define SOCKJS_VERSION_PATCH 0
#define SOCKJS_VERSION_STRING "0.1.0"
/** 0xMMmmpp */
#define SOCKJS_VERSION_NUM                                      \
  ((SOCKJS_VERSION_MAJOR << 16) | (SOCKJS_VERSION_MINOR << 8) | \
   SOCKJS_VERSION_PATCH)
#define SOCKJS_AT_LEAST_VERSION(x, y, z) \
  (SOCKJS_VERSION_NUM >= (((x) << 16) | ((y) << 8) | (z)))

/**
 * Run-time version of the loaded library as 0xMMmmpp. Compare with
 * SOCKJS_VERSION_NUM to catch a header/library mismatch (bindings assert
 * that the major versions match).
 * Thread: any. Since: 0.1
 */
SOCKJS_API uint32_t sockjs_version_num(void);
/** Run-time version string, e.g. "0.1.0"; static storage.
 *  Thread: any. Since: 0.1 */
SOCKJS_API const char *sockjs_version_string(void);

/* ---------------------------------------------------------------- status */
typedef enum sockjs_status {
  SOCKJS_OK = 0,
  /** A NULL handle or argument, or a value out of range. */
  SOCKJS_E_INVALID_ARGUMENT = -1,
  /** Memory allocation failed. */
  SOCKJS_E_NOMEM = -2,
  /** Nothing now: no event queued (poll, wait), or the session's send
   *  buffer is full (send; wait for a DRAIN event and retry). */
  SOCKJS_E_AGAIN = -3,
  /** No such session / request / stream (never existed, or already gone). */
  SOCKJS_E_UNKNOWN_CONN = -4,
  /** The session or server is closing or closed. */
  SOCKJS_E_CLOSED = -5,
  /** The call is not allowed in the object's current state or mode (for
   *  example feed-mode calls on a listening server). */
  SOCKJS_E_STATE = -6,
  /** The peer broke the protocol. */
  SOCKJS_E_PROTOCOL = -7,
  /** An operating-system call failed (details in errbuf). */
  SOCKJS_E_IO = -8,
  /** A configured limit was hit (size, count). */
  SOCKJS_E_LIMIT = -9,
  /** At or below this value the server is unusable: only free it. */
  SOCKJS_E_FATAL = -100,
  /** A bug or an unexpected internal exception; the server is unusable. */
  SOCKJS_E_INTERNAL = -101
} sockjs_status;

/** Size of the optional error-message buffers taken by new/listen. */
#define SOCKJS_ERRBUF_SIZE 256

/** Human-readable text for a status; static, never NULL.
 *  Thread: any. Since: 0.1 */
SOCKJS_API const char *sockjs_strerror(int status);
/** The enum name of a status ("SOCKJS_E_CLOSED"), or "SOCKJS_E_UNKNOWN" for
 *  values that are not a sockjs_status; static, never NULL. Bindings map
 *  these names to their exception classes. Thread: any. Since: 0.1 */
SOCKJS_API const char *sockjs_status_name(int status);

/* ------------------------------------------------------- service options */
/**
 * Options of one service (one SockJS endpoint). Defaults follow sockjs-node
 * 0.3.24; see each setter.
 */
typedef struct sockjs_options sockjs_options;

/** Create an options object holding the defaults.
 *  @param out  owned by the caller; release with sockjs_options_free.
 *  @return SOCKJS_OK, SOCKJS_E_INVALID_ARGUMENT (out NULL), SOCKJS_E_NOMEM.
 *  Since: 0.1 */
SOCKJS_API int sockjs_options_new(sockjs_options **out);
/** Release an options object; NULL is ignored. Since: 0.1 */
SOCKJS_API void sockjs_options_free(sockjs_options *opts);

/** URL prefix of the service, e.g. "/echo" (default "": the root). Must be
 *  empty or start with '/'; a trailing '/' is removed. Copied.
 *  @return SOCKJS_OK, SOCKJS_E_INVALID_ARGUMENT, SOCKJS_E_NOMEM. Since: 0.1 */
SOCKJS_API int sockjs_options_set_prefix(sockjs_options *o, const char *prefix);
/** URL of the sockjs-client script that the iframe page loads (default
 *  "https://cdn.jsdelivr.net/npm/sockjs-client@1/dist/sockjs.min.js").
 *  Inserted unescaped, so it must be trusted text; it may not contain '"',
 *  '<', '>' or control characters. Copied.
 *  @return SOCKJS_OK, SOCKJS_E_INVALID_ARGUMENT, SOCKJS_E_NOMEM. Since: 0.1 */
SOCKJS_API int sockjs_options_set_sockjs_url(sockjs_options *o,
                                             const char *url);
/** Bytes per streaming response (xhr-streaming, eventsource, htmlfile)
 *  before it is ended and the client reconnects (default 131072). >= 1.
 *  @return SOCKJS_OK, SOCKJS_E_INVALID_ARGUMENT. Since: 0.1 */
SOCKJS_API int sockjs_options_set_response_limit(sockjs_options *o,
                                                 size_t bytes);
/** Turn both WebSocket endpoints (SockJS-framed and raw) on or off
 *  (default on). Also reported as "websocket" by /info.
 *  @return SOCKJS_OK, SOCKJS_E_INVALID_ARGUMENT. Since: 0.1 */
SOCKJS_API int sockjs_options_set_websocket(sockjs_options *o, int enabled);
/** Turn one transport on or off (all on by default). Names: "websocket",
 *  "websocket-raw", "xhr-polling", "xhr-streaming", "eventsource",
 *  "htmlfile", "jsonp-polling". A disabled transport's URLs answer 404.
 *  @return SOCKJS_OK, SOCKJS_E_INVALID_ARGUMENT (unknown name). Since: 0.1 */
SOCKJS_API int sockjs_options_set_transport_enabled(sockjs_options *o,
                                                    const char *name,
                                                    int enabled);
/** Set a JSESSIONID cookie on every session request, for load balancers
 *  that need it for stickiness (default off). /info reports cookie_needed.
 *  @return SOCKJS_OK, SOCKJS_E_INVALID_ARGUMENT. Since: 0.1 */
SOCKJS_API int sockjs_options_set_jsessionid(sockjs_options *o, int enabled);
/** Idle time before a heartbeat (an "h" frame, or a WebSocket ping) is
 *  sent (default 25000 ms); 0 disables heartbeats.
 *  @return SOCKJS_OK, SOCKJS_E_INVALID_ARGUMENT. Since: 0.1 */
SOCKJS_API int sockjs_options_set_heartbeat_delay_ms(sockjs_options *o,
                                                     uint32_t ms);
/** How long a session without a receiving request lives on before it is
 *  closed (default 5000 ms). >= 1.
 *  @return SOCKJS_OK, SOCKJS_E_INVALID_ARGUMENT. Since: 0.1 */
SOCKJS_API int sockjs_options_set_disconnect_delay_ms(sockjs_options *o,
                                                      uint32_t ms);
/** Send no CORS headers at all (default 0: CORS on, any Origin echoed).
 *  @return SOCKJS_OK, SOCKJS_E_INVALID_ARGUMENT. Since: 0.1 */
SOCKJS_API int sockjs_options_set_disable_cors(sockjs_options *o, int disabled);
/** A base URL reported by /info as "base_url", under which clients then
 *  open their sessions (default: none; NULL or "" clears it). Copied.
 *  @return SOCKJS_OK, SOCKJS_E_INVALID_ARGUMENT, SOCKJS_E_NOMEM. Since: 0.1 */
SOCKJS_API int sockjs_options_set_base_url(sockjs_options *o, const char *url);
/** Largest message, in bytes of UTF-8, accepted from a client (default
 *  1048576). A larger WebSocket message closes the session with 1009; a
 *  larger HTTP request body is answered 413. >= 1.
 *  @return SOCKJS_OK, SOCKJS_E_INVALID_ARGUMENT. Since: 0.1 */
SOCKJS_API int sockjs_options_set_max_message_size(sockjs_options *o,
                                                   size_t bytes);
/** Bytes of outgoing messages a session may hold unsent before
 *  sockjs_conn_send returns SOCKJS_E_AGAIN (default 1048576). A DRAIN event
 *  follows once it falls below half. >= 1.
 *  @return SOCKJS_OK, SOCKJS_E_INVALID_ARGUMENT. Since: 0.1 */
SOCKJS_API int sockjs_options_set_send_buffer_limit(sockjs_options *o,
                                                    size_t bytes);
/** Include the Cookie header in sockjs_conn_info headers (default off, as
 *  sockjs-node: cookies are a CSRF risk for authentication).
 *  @return SOCKJS_OK, SOCKJS_E_INVALID_ARGUMENT. Since: 0.1 */
SOCKJS_API int sockjs_options_set_expose_cookies(sockjs_options *o,
                                                 int enabled);
/**
 * Add a pattern to the service's Origin allow-list (default: empty, which
 * allows every origin, as sockjs-node does). Why: browsers attach cookies
 * and HTTP authentication to WebSocket handshakes and to credentialed
 * cross-origin XHR from any page, and WebSockets are exempt from the
 * same-origin policy, so without a list a foreign page the user visits can
 * open a session in the user's name (cross-site WebSocket hijacking). Set
 * one when sessions are authenticated by cookies.
 *
 * Once the list is non-empty, a request carrying an Origin header (or, for
 * old WebSocket drafts, Sec-WebSocket-Origin) that no pattern matches is
 * answered 403 "Origin not allowed" on every URL of the service except the
 * greeting and the iframe page: both WebSocket endpoints (before the
 * upgrade), the HTTP transports, their send URLs, /info and the OPTIONS
 * preflights. CORS answers echo only allowed origins. Requests without an
 * Origin (non-browser clients, script-tag JSONP) and same-origin requests
 * (an Origin whose host and port equal the Host header, as the iframe
 * transports send) are always allowed.
 *
 * Pattern forms (ASCII case ignored):
 *   "*"                       any origin (the same as no list)
 *   "null"                    the opaque origin of sandboxed frames, file:
 *   "https://example.com"     exactly that scheme and host, default port
 *   "https://example.com:8443", "http://localhost:*"   a port, any port
 *   "example.com"             that host with any scheme, default port
 *   "*.example.com"           any subdomain (any depth) of example.com,
 *                             not example.com itself, any scheme; like a
 *                             host it may follow "https://" and take a port
 *   "*://example.com:*"       any scheme and port
 *   "*:*"                     any host and port (sockjs-node's form)
 * Adding a pattern already listed is harmless. Copied.
 * @return SOCKJS_OK, SOCKJS_E_INVALID_ARGUMENT (NULL, or not one of the
 *         forms: empty, a path, whitespace, '*' elsewhere), SOCKJS_E_NOMEM.
 * Since: 0.1 */
SOCKJS_API int sockjs_options_add_allowed_origin(sockjs_options *o,
                                                 const char *pattern);
/** Empty the Origin allow-list again (every origin allowed).
 *  @return SOCKJS_OK, SOCKJS_E_INVALID_ARGUMENT. Since: 0.1 */
SOCKJS_API int sockjs_options_clear_allowed_origins(sockjs_options *o);
/**
 * Decide on each new session before it opens (default off). When on, a new
 * session is reported by its OPEN event *before* anything is sent to the
 * client: the receiving request (polling, streaming) waits unanswered, a
 * WebSocket has its 101 but no "o" frame. The application looks at
 * sockjs_conn_get_info (headers, cookies with expose_cookies, query,
 * remote_addr, client_addr) and calls either
 *   sockjs_conn_accept: the "o" frame goes out, then whatever was sent with
 *     sockjs_conn_send meanwhile, then the client's messages that arrived
 *     meanwhile are reported as MESSAGE events; or
 *   sockjs_conn_reject: the client gets c[code,"reason"] instead of "o" (a
 *     raw WebSocket gets a close frame with that code), nothing it sent is
 *     ever reported, nothing queued for it is sent, and the CLOSE event
 *     carries that code and reason.
 * A session left undecided for the authorize timeout is rejected with
 * 3000 "Authorization timed out". Messages the client sends while
 * undecided are held, at most max_message_size bytes in all; beyond that
 * the session is rejected with 1009 "Message too big". sockjs_conn_close
 * on an undecided session rejects it.
 * Decide quickly: sockjs-client gives up on a transport that does not
 * open within a few round-trip times (about 300 ms plus the RTT per trip
 * measured by /info) and falls back to the next one.
 * @return SOCKJS_OK, SOCKJS_E_INVALID_ARGUMENT. Since: 0.1 */
SOCKJS_API int sockjs_options_set_authorize(sockjs_options *o, int enabled);
/** How long a session may wait for sockjs_conn_accept/reject before it is
 *  rejected with 3000 "Authorization timed out" (default 5000 ms). >= 1.
 *  @return SOCKJS_OK, SOCKJS_E_INVALID_ARGUMENT. Since: 0.1 */
SOCKJS_API int sockjs_options_set_authorize_timeout_ms(sockjs_options *o,
                                                       uint32_t ms);
/**
 * Offer permessage-deflate (RFC 7692) on both WebSocket endpoints, SockJS
 * and raw (default 0: off). When on and the client's handshake offers
 * permessage-deflate, the first acceptable offer is accepted and answered
 * with the agreed parameters: server_no_context_takeover,
 * client_no_context_takeover, server_max_window_bits (9..15; an offer of 8
 * is declined, as zlib's raw deflate has no 256-byte window) and
 * client_max_window_bits (bare or 8..15). Offers with unknown or repeated
 * parameters are declined; no acceptable offer means no compression.
 * Client messages may then be compressed (RSV1): max_message_size limits
 * the inflated size, checked while inflating (1009 "Message too big"), and
 * invalid deflate data closes with 1007. Server messages of at least the
 * deflate threshold are compressed; control frames never are. hixie-76
 * WebSockets and the HTTP transports are unaffected.
 * Memory per compressing connection, allocated on the first message of
 * each direction: the compressor (1 << (server_max_window_bits + 2)) +
 * 128 KiB + ~6 KiB (about 262 KiB at 15 bits), the decompressor
 * (1 << client_max_window_bits) + ~7 KiB (about 39 KiB at 15 bits). With
 * server_no_context_takeover (client_no_context_takeover) that side's
 * memory is freed after every message, at the cost of a zlib set-up per
 * message and a lower ratio.
 * Thread: the options' one thread.
 * @return SOCKJS_OK, SOCKJS_E_INVALID_ARGUMENT. Since: 0.1 */
SOCKJS_API int sockjs_options_set_permessage_deflate(sockjs_options *o,
                                                     int enabled);
/** With permessage-deflate negotiated, messages (frames, for the SockJS
 *  endpoint) shorter than this many bytes go out uncompressed with RSV1
 *  clear (default 128). Lower it when bytes matter more than CPU: with
 *  context takeover even short messages compress well (a chat-like load
 *  of ~120-byte frames: 19% of the plain bytes at 0, 44% at 128).
 *  0 compresses everything.
 *  Thread: the options' one thread.
 *  @return SOCKJS_OK, SOCKJS_E_INVALID_ARGUMENT. Since: 0.1 */
SOCKJS_API int sockjs_options_set_deflate_threshold(sockjs_options *o,
                                                    size_t bytes);

/* ------------------------------------------------------------ log levels */
/** Levels of SOCKJS_EVENT_LOG events (in the event's code), spaced like
 *  Python's logging levels. SOCKJS_LOG_NONE turns logging off. */
typedef enum sockjs_log_level {
  SOCKJS_LOG_NONE = 0,
  /** One line per answered HTTP request (and WebSocket upgrade):
   *  "GET /echo/info 200 bytes=345 ms=0 remote=127.0.0.1". */
  SOCKJS_LOG_DEBUG = 10,
  /** Sessions opened, closed, rejected. */
  SOCKJS_LOG_INFO = 20,
  /** Limit hits (431, 413, 408, 503, 1009, refused connections, floods),
   *  malformed requests, WebSocket protocol errors, broken framing,
   *  authorization timeouts. */
  SOCKJS_LOG_WARNING = 30,
  /** Reserved for failures of the server itself. */
  SOCKJS_LOG_ERROR = 40
} sockjs_log_level;

/* -------------------------------------------------------- server options */
/** Server-wide settings (limits of the HTTP layer, shutdown). */
typedef struct sockjs_server_options sockjs_server_options;

/** @return SOCKJS_OK, SOCKJS_E_INVALID_ARGUMENT, SOCKJS_E_NOMEM. Since: 0.1 */
SOCKJS_API int sockjs_server_options_new(sockjs_server_options **out);
/** NULL is ignored. Since: 0.1 */
SOCKJS_API void sockjs_server_options_free(sockjs_server_options *o);
/** Largest request line plus headers (default 16384 bytes); larger gets
 *  431 and the connection is closed. >= 256.
 *  @return SOCKJS_OK, SOCKJS_E_INVALID_ARGUMENT. Since: 0.1 */
SOCKJS_API int sockjs_server_options_set_max_request_head_size(
    sockjs_server_options *o, size_t bytes);
/** Time allowed for a request head to arrive completely, from its first
 *  byte or from the connection's idle start (default 30000 ms; slowloris
 *  guard). On expiry the connection is closed (408 if something arrived).
 *  >= 1. @return SOCKJS_OK, SOCKJS_E_INVALID_ARGUMENT. Since: 0.1 */
SOCKJS_API int sockjs_server_options_set_request_timeout_ms(
    sockjs_server_options *o, uint32_t ms);
/** Upper bound on how long sockjs_server_close waits for queued output to
 *  be written before it drops connections (default 2000 ms).
 *  @return SOCKJS_OK, SOCKJS_E_INVALID_ARGUMENT. Since: 0.1 */
SOCKJS_API int sockjs_server_options_set_shutdown_timeout_ms(
    sockjs_server_options *o, uint32_t ms);
/** When on, requests that match no service are not answered 404 but
 *  reported as SOCKJS_EVENT_REQUEST events, for the host to answer with
 *  sockjs_request_respond (default off). Lets a program serve its own pages
 *  on the same port.
 *  @return SOCKJS_OK, SOCKJS_E_INVALID_ARGUMENT. Since: 0.1 */
SOCKJS_API int sockjs_server_options_set_forward_unmatched(
    sockjs_server_options *o, int enabled);
/** Most header lines in one request (default 100); more gets 431 and the
 *  connection is closed. >= 1.
 *  @return SOCKJS_OK, SOCKJS_E_INVALID_ARGUMENT. Since: 0.1 */
SOCKJS_API int sockjs_server_options_set_max_request_headers(
    sockjs_server_options *o, size_t count);
/** Most sessions open at once in the whole server, all services and
 *  transports counted, until their CLOSE event (default 0: no limit).
 *  At the limit, a request that would open a session is answered 503 "Too
 *  many sessions": a WebSocket upgrade before its 101 (the connection then
 *  closes), an HTTP receiving request with CORS headers so a browser sees
 *  it. Requests to existing sessions are served as usual.
 *  @return SOCKJS_OK, SOCKJS_E_INVALID_ARGUMENT. Since: 0.1 */
SOCKJS_API int sockjs_server_options_set_max_sessions(sockjs_server_options *o,
                                                      size_t count);
/** Mode A: most TCP connections open at once (default 0: no limit).
 *  Connections accepted beyond it are closed at once, unanswered. Keep it
 *  below the process's file-descriptor limit (RLIMIT_NOFILE). Feed mode
 *  ignores it: the host owns the sockets.
 *  @return SOCKJS_OK, SOCKJS_E_INVALID_ARGUMENT. Since: 0.1 */
SOCKJS_API int sockjs_server_options_set_max_connections(
    sockjs_server_options *o, size_t count);
/** Mode A: TCP keepalive on accepted connections (default 60 s; 0 turns
 *  it off). After this many idle seconds the kernel probes the peer, 3
 *  times, every min(seconds, 10) s; a peer that vanished without a FIN
 *  (power loss, NAT timeout, cable cut) then ends in a reset, so its
 *  session gets its CLOSE (1002 "Connection interrupted") instead of
 *  lingering. Feed mode ignores it. 0..32767.
 *  @return SOCKJS_OK, SOCKJS_E_INVALID_ARGUMENT. Since: 0.1 */
SOCKJS_API int sockjs_server_options_set_tcp_keepalive_s(
    sockjs_server_options *o, uint32_t seconds);
/** Mode A: run the I/O thread under SCHED_BATCH (default on). Woken by
 *  the host's sends, it then waits for the host thread's slice instead of
 *  preempting it, so when both share a core a burst of sends is taken in
 *  one round instead of one context switch per few messages (measured: 37%
 *  fewer switches, 5-8% less CPU per message; bench/README.md). With idle
 *  cores nothing changes. 0 keeps the normal policy (SCHED_OTHER).
 *  @return SOCKJS_OK, SOCKJS_E_INVALID_ARGUMENT. Since: 0.1 */
SOCKJS_API int sockjs_server_options_set_io_thread_batch(
    sockjs_server_options *o, int enabled);
/**
 * Trust a reverse proxy: when a request comes from an address in one of
 * these ranges, sockjs_conn_info.client_addr is taken from its
 * X-Forwarded-For header (walked from the right, skipping trusted
 * addresses: the first untrusted one is the client; if all are trusted,
 * the leftmost; an entry that is not an address stops the walk at the
 * last trusted hop), or else from X-Real-IP. From any other peer those
 * headers are ignored (anyone can send them) and client_addr is the
 * peer's address. Default: no trusted proxies.
 * @param cidr  "127.0.0.1", "10.0.0.0/8", "::1", "fd00::/8". IPv4 ranges
 *              also match IPv4-mapped IPv6 peers. Copied.
 * @return SOCKJS_OK, SOCKJS_E_INVALID_ARGUMENT (NULL or not an address or
 *         range), SOCKJS_E_NOMEM.
 * Since: 0.1 */
SOCKJS_API int sockjs_server_options_add_trusted_proxy(sockjs_server_options *o,
                                                       const char *cidr);
/** Forget every trusted proxy.
 *  @return SOCKJS_OK, SOCKJS_E_INVALID_ARGUMENT. Since: 0.1 */
SOCKJS_API int sockjs_server_options_clear_trusted_proxies(
    sockjs_server_options *o);
/**
 * Report log lines as SOCKJS_EVENT_LOG events of this level and above
 * (default SOCKJS_LOG_NONE: silent). The library never writes to stderr
 * and never calls back: the host (or binding) maps each event to its own
 * logger, e.g. Python logging.log(code, data), Go slog with Debug for 10,
 * Info 20, Warn 30, Error 40, Ruby Logger#add(code / 10 - 1, data).
 * @param level  one of sockjs_log_level.
 * @return SOCKJS_OK, SOCKJS_E_INVALID_ARGUMENT. Since: 0.1 */
SOCKJS_API int sockjs_server_options_set_log_level(sockjs_server_options *o,
                                                   int level);

/**
 * This node's number in a cluster, 0..65535 (default 0). It becomes the top
 * 16 bits of every conn id the server hands out (SOCKJS_CONN_NODE reads it
 * back), so ids are unique across nodes that have distinct numbers and
 * sockjs_server_publish_to can route an id to its node. Give every node of
 * a cluster its own number.
 * @return SOCKJS_OK, SOCKJS_E_INVALID_ARGUMENT (over 65535). Since: 0.1 */
SOCKJS_API int sockjs_server_options_set_node_id(sockjs_server_options *o,
                                                 unsigned node_id);

/**
 * Join a cluster through a Redis backplane (listen mode only). Every
 * sockjs_server_publish and every sockjs_server_publish_to another node's
 * session then also goes to Redis, and what other nodes publish is
 * delivered here: each session gets a message exactly once (this node's own
 * messages are delivered locally, never again from Redis), and messages of
 * one publishing thread stay in order. sockjs_server_listen does not accept
 * connections before the node is subscribed; it fails with SOCKJS_E_IO when
 * Redis cannot be reached within the connect timeout. Later outages are
 * survived: sessions stay open, local publishing goes on, publishes for
 * other nodes are held (bounded by the buffer limit; what does not fit is
 * dropped and counted), the links reconnect with backoff and subscribe
 * again, and the held publishes go out once the other nodes have subscribed
 * again (sockjs_server_options_set_backplane_resubscribe_wait_ms). A
 * publish whose reply was lost is counted, never re-sent (it could
 * duplicate or reorder). What other nodes publish during the outage does
 * not reach this node. State and counters: the sockjs_backplane_* metrics.
 * @param host  an IP address (a name is resolved on the I/O thread at each
 *              attempt); NULL turns the backplane off (the default).
 * @param port  1..65535.
 * @return SOCKJS_OK, SOCKJS_E_INVALID_ARGUMENT, SOCKJS_E_NOMEM. Since: 0.1 */
SOCKJS_API int sockjs_server_options_set_backplane_redis(
    sockjs_server_options *o, const char *host, int port);
/** The Redis pub/sub channel the nodes of one cluster share (default
 *  "sockjs"); 1..255 bytes.
 *  @return SOCKJS_OK, SOCKJS_E_INVALID_ARGUMENT, SOCKJS_E_NOMEM. Since: 0.1 */
SOCKJS_API int sockjs_server_options_set_backplane_channel(
    sockjs_server_options *o, const char *channel);
/** Bytes of publishes held for Redis while it is unreachable (default
 *  1 MiB; also the most bytes awaiting Redis's replies); at least 1.
 *  @return SOCKJS_OK, SOCKJS_E_INVALID_ARGUMENT. Since: 0.1 */
SOCKJS_API int sockjs_server_options_set_backplane_buffer_limit(
    sockjs_server_options *o, size_t bytes);
/** How long sockjs_server_listen waits for the backplane (default 5000 ms),
 *  and how long one connection attempt may take before it is retried;
 *  1..600000.
 *  @return SOCKJS_OK, SOCKJS_E_INVALID_ARGUMENT. Since: 0.1 */
SOCKJS_API int sockjs_server_options_set_backplane_connect_timeout_ms(
    sockjs_server_options *o, uint32_t ms);
/** After Redis is back, how long publishes held during the outage may wait
 *  for the other nodes to subscribe again (default 6000 ms: their retries
 *  come at most 5 s apart). They go out as soon as the channel has as many
 *  subscribers as before the outage, or when this time is up (a node not
 *  back by then misses them); 0 sends them as soon as this node is back.
 *  Nothing waits when nothing was held. Also how long a lower subscriber
 *  count must last before this node takes it as the new normal (counted in
 *  sockjs_backplane_underdelivered_total until then); 0..600000.
 *  @return SOCKJS_OK, SOCKJS_E_INVALID_ARGUMENT. Since: 0.1 */
SOCKJS_API int sockjs_server_options_set_backplane_resubscribe_wait_ms(
    sockjs_server_options *o, uint32_t ms);

/* ---------------------------------------------------------------- server */
typedef struct sockjs_server sockjs_server;
/** Identifies one SockJS session (or one forwarded HTTP request) within a
 *  server. Never reused by that server; 0 is never a valid id. */
typedef uint64_t sockjs_conn_id;
/** Identifies one host-owned TCP connection in feed mode. */
typedef uint64_t sockjs_stream_id;

/**
 * Create a server with no services yet.
 * @param opts    borrowed; NULL means defaults. Copied.
 * @param out     receives the server; release with sockjs_server_free.
 * @param errbuf  NULL, or SOCKJS_ERRBUF_SIZE bytes for a message.
 * @return SOCKJS_OK, SOCKJS_E_INVALID_ARGUMENT, SOCKJS_E_NOMEM, SOCKJS_E_IO
 *         (no eventfd).
 * Thread: any. Since: 0.1
 */
SOCKJS_API int sockjs_server_new(const sockjs_server_options *opts,
                                 sockjs_server **out, char *errbuf);

/**
 * Add a service. Allowed only before the server starts (listen or the first
 * stream_open). Prefixes must differ; a request goes to the service with the
 * longest matching prefix.
 * @param opts        borrowed; NULL means defaults (prefix ""). Copied.
 * @param service_id  NULL, or receives the service's id (0, 1, 2, ... in
 *                    the order added), which events report.
 * @return SOCKJS_OK, SOCKJS_E_INVALID_ARGUMENT (NULL server, duplicate
 *         prefix), SOCKJS_E_STATE (already started), SOCKJS_E_NOMEM.
 * Thread: owner, before start. Since: 0.1
 */
SOCKJS_API int sockjs_server_add_service(sockjs_server *s,
                                         const sockjs_options *opts,
                                         int *service_id);

/**
 * Mode A: bind, listen and start the library-owned I/O thread.
 * @param host        numeric IPv4/IPv6 address or name to bind, e.g.
 *                    "127.0.0.1" or "0.0.0.0"; NULL means "127.0.0.1".
 * @param port        TCP port; 0 picks a free one.
 * @param bound_port  NULL, or receives the port actually bound.
 * @param errbuf      NULL, or SOCKJS_ERRBUF_SIZE bytes for a message.
 * @return SOCKJS_OK, SOCKJS_E_INVALID_ARGUMENT, SOCKJS_E_STATE (already
 *         listening, in feed mode, or closed), SOCKJS_E_IO (resolve, bind
 *         or listen failed; errbuf says why), SOCKJS_E_NOMEM.
 * Thread: owner. Since: 0.1
 */
SOCKJS_API int sockjs_server_listen(sockjs_server *s, const char *host,
                                    uint16_t port, uint16_t *bound_port,
                                    char *errbuf);

/**
 * Request shutdown (two-phase close, like uv_close). Stops accepting,
 * closes every session with 1001 "Going away" (each gets its close frame
 * where a receiver is attached, and a CLOSE event), writes out what was
 * queued for at most the shutdown timeout, then emits one
 * SOCKJS_EVENT_SERVER_CLOSED. Calling it again is harmless.
 * In feed mode the host keeps calling output/tick until SERVER_CLOSED.
 * @return SOCKJS_OK, SOCKJS_E_INVALID_ARGUMENT, SOCKJS_E_FATAL codes.
 * Thread: any (mode A), owner (mode B). Since: 0.1
 */
SOCKJS_API int sockjs_server_close(sockjs_server *s);

/**
 * Free the server: if it was not closed, close it without waiting and
 * without events; join the I/O thread; release everything, including the
 * event fd. NULL is ignored. Must not race any other call on s.
 * Thread: owner. Since: 0.1
 */
SOCKJS_API void sockjs_server_free(sockjs_server *s);

/* ---------------------------------------------------------------- events */
typedef enum sockjs_event_type {
  /** A session opened. conn = its id; data = transport name. With the
   *  authorize option it is undecided: answer with sockjs_conn_accept or
   *  sockjs_conn_reject. */
  SOCKJS_EVENT_OPEN = 1,
  /** A message from the client. data/len = the UTF-8 text (may contain
   *  NUL bytes). */
  SOCKJS_EVENT_MESSAGE = 2,
  /** The session ended; exactly one per OPEN. code/data = why (see below).
   *  conn ids are never reused. */
  SOCKJS_EVENT_CLOSE = 3,
  /** The session's send buffer fell below half its limit after a send
   *  returned SOCKJS_E_AGAIN. */
  SOCKJS_EVENT_DRAIN = 4,
  /** Shutdown finished; no event follows. */
  SOCKJS_EVENT_SERVER_CLOSED = 5,
  /** An HTTP request that matched no service (forward_unmatched on).
   *  conn = request id for sockjs_request_respond; data = method;
   *  sockjs_conn_info gives URL and headers. */
  SOCKJS_EVENT_REQUEST = 6,
  /** A log line (sockjs_server_options_set_log_level). code = level
   *  (sockjs_log_level); data/len = the text, one line, no newline;
   *  service and conn name the session concerned, else -1 and 0. */
  SOCKJS_EVENT_LOG = 7
} sockjs_event_type;

/*
 * CLOSE codes and reasons:
 *   the application's own          sockjs_conn_close(code, reason)
 *   the client's WebSocket close   its code (1005 if none) and reason
 *   1001 "Session timed out"       no receiving request for disconnect_delay
 *   1001 "Going away"              sockjs_server_close
 *   1002 "Connection interrupted"  the client dropped the connection
 *   1009 "Message too big"         over max_message_size
 *   3000 "Broken framing."         invalid JSON over the SockJS WebSocket
 *   3000 "No response from heartbeat"  no pong within 10 s of a ping
 *   3000 "Authorization timed out"  authorize on, no decision in time
 *   the application's own          sockjs_conn_reject(code, reason)
 */

/** One event. The caller sets size = sizeof(sockjs_event); fields are only
 *  ever added at the end. Pointers are borrowed: valid until the next
 *  sockjs_server_poll on this server, or sockjs_server_free. */
typedef struct sockjs_event {
  size_t size;
  int type;            /**< sockjs_event_type */
  int service;         /**< service id (-1 for SERVER_CLOSED, REQUEST) */
  sockjs_conn_id conn; /**< session or request id; 0 for SERVER_CLOSED */
  const char *data;    /**< see the event types; never NULL */
  size_t len;          /**< bytes at data, excluding the NUL that follows */
  int code;            /**< CLOSE: close code; otherwise 0 */
} sockjs_event;

/**
 * Take up to max_events queued events, without blocking.
 * @param events      caller array; events[0].size must be
 *                    sizeof(sockjs_event) (it is also the array stride).
 * @param max_events  >= 1.
 * @param n_events    receives how many were written.
 * @return SOCKJS_OK (n >= 1), SOCKJS_E_AGAIN (queue empty, n = 0),
 *         SOCKJS_E_INVALID_ARGUMENT.
 * Ends the validity of pointers from the previous poll and of info of
 * sessions whose CLOSE was already returned.
 * Thread: the consumer thread. Since: 0.1
 */
SOCKJS_API int sockjs_server_poll(sockjs_server *s, sockjs_event *events,
                                  size_t max_events, size_t *n_events);

/**
 * The event fd: readable exactly while events are queued (level-triggered;
 * a sockjs_server_wakeup may make it readable once with none). Owned by the
 * server; never close or read it; valid until sockjs_server_free. To wrap
 * it in an object that closes its fd (Go's os.File), dup() it first.
 * @return the fd (>= 0), or SOCKJS_E_INVALID_ARGUMENT.
 * Thread: any. Since: 0.1
 */
SOCKJS_API int sockjs_server_event_fd(const sockjs_server *s);

/**
 * Block until an event is queued, a wakeup arrives or timeout_ms passes
 * (-1: no limit). Do not hold a language lock (GIL/GVL) while in here.
 * @return SOCKJS_OK (something to poll), SOCKJS_E_AGAIN (timed out),
 *         SOCKJS_E_INVALID_ARGUMENT, SOCKJS_E_IO.
 * Thread: the consumer thread. Since: 0.1
 */
SOCKJS_API int sockjs_server_wait(sockjs_server *s, int timeout_ms);

/** Make a sockjs_server_wait in progress (or the next one) return.
 *  @return SOCKJS_OK, SOCKJS_E_INVALID_ARGUMENT. Thread: any. Since: 0.1 */
SOCKJS_API int sockjs_server_wakeup(sockjs_server *s);

/* ------------------------------------------------------------- sessions */
/**
 * Queue one message to a session. Valid UTF-8 only (NUL allowed).
 * @param utf8  borrowed; copied. May be NULL when len is 0.
 * @return SOCKJS_OK; SOCKJS_E_AGAIN (send buffer full: nothing was queued;
 *         wait for SOCKJS_EVENT_DRAIN); SOCKJS_E_UNKNOWN_CONN (no such
 *         session, or it is gone); SOCKJS_E_CLOSED (closing, or the server
 *         is closing); SOCKJS_E_INVALID_ARGUMENT (NULL server, not UTF-8);
 *         SOCKJS_E_NOMEM.
 * Thread: any (mode A), owner (mode B). Since: 0.1
 */
SOCKJS_API int sockjs_conn_send(sockjs_server *s, sockjs_conn_id conn,
                                const char *utf8, size_t len);

/**
 * Close a session with a SockJS close frame c[code,"reason"]; its CLOSE
 * event follows once the session is gone: at once for a WebSocket, but for
 * an HTTP session only disconnect_delay after its last receiving request,
 * because until then every poll must be answered with the close frame.
 * Sends are refused (SOCKJS_E_CLOSED) from this call on.
 * @param code    1000, or 3000..4999 for the application.
 * @param reason  NULL means "Normal closure"; at most 123 bytes of UTF-8.
 * @return SOCKJS_OK, SOCKJS_E_UNKNOWN_CONN, SOCKJS_E_CLOSED (already
 *         closing), SOCKJS_E_INVALID_ARGUMENT.
 * Thread: any (mode A), owner (mode B). Since: 0.1
 */
SOCKJS_API int sockjs_conn_close(sockjs_server *s, sockjs_conn_id conn,
                                 int code, const char *reason);

/** What is known of a session (or forwarded request) from the HTTP request
 *  that opened it. The caller sets size = sizeof(sockjs_conn_info); fields
 *  are only ever added at the end. Strings are NUL-terminated and borrowed. */
typedef struct sockjs_conn_info {
  size_t size;
  int service;             /**< service id; -1 for a forwarded request */
  const char *prefix;      /**< the service's prefix */
  const char *transport;   /**< "websocket", "xhr-polling", ... */
  const char *remote_addr; /**< peer IP address as text */
  uint16_t remote_port;
  const char *method; /**< "GET", "POST", ... */
  const char *url;    /**< request target: path and query */
  size_t n_headers;
  /** Lower-case names and values of the exposed request headers:
   *  referer, x-client-ip, x-forwarded-for, x-forwarded-host,
   *  x-forwarded-port, x-cluster-client-ip, via, x-real-ip,
   *  x-forwarded-proto, x-ssl, dnt, host, user-agent, accept-language,
   *  origin, and cookie only with expose_cookies (all headers for a
   *  forwarded request). */
  const char *const *header_names;
  const char *const *header_values;
  /** The URL's query string, without '?' ("" when none). Since: 0.1 */
  const char *query;
  /** The client's address: remote_addr, or from X-Forwarded-For /
   *  X-Real-IP when remote_addr is a trusted proxy (see
   *  sockjs_server_options_add_trusted_proxy). Since: 0.1 */
  const char *client_addr;
} sockjs_conn_info;

/**
 * Describe a session whose OPEN event (or a request whose REQUEST event)
 * poll has returned. Pointers stay valid until the next poll that follows
 * the return of that session's CLOSE event (for a request: the poll after
 * it was answered), or sockjs_server_free.
 * @return SOCKJS_OK, SOCKJS_E_UNKNOWN_CONN, SOCKJS_E_INVALID_ARGUMENT (NULL
 *         pointers or info->size too small).
 * Thread: the consumer thread. Since: 0.1
 */
SOCKJS_API int sockjs_conn_get_info(sockjs_server *s, sockjs_conn_id conn,
                                    sockjs_conn_info *info);

/**
 * Accept a session waiting for a decision (authorize option): its "o"
 * frame goes out, then what was sent meanwhile; the client's messages that
 * arrived meanwhile follow as MESSAGE events.
 * @return SOCKJS_OK; SOCKJS_E_STATE (not waiting: authorize is off, or it
 *         was already decided, or the authorization timeout got there
 *         first: its CLOSE event follows); SOCKJS_E_UNKNOWN_CONN (no such
 *         session, or it is gone); SOCKJS_E_INVALID_ARGUMENT.
 * Thread: any (mode A), owner (mode B). Since: 0.1
 */
SOCKJS_API int sockjs_conn_accept(sockjs_server *s, sockjs_conn_id conn);

/**
 * Reject a session waiting for a decision: the client gets
 * c[code,"reason"] instead of the "o" frame on every transport (a raw
 * WebSocket a close frame with that code), no MESSAGE event is ever
 * reported for it, and its CLOSE event carries code and reason.
 * @param code    1000, or 3000..4999 for the application (4401 and 4403
 *                read well for unauthenticated / forbidden).
 * @param reason  NULL means "Rejected"; at most 123 bytes of UTF-8.
 * @return SOCKJS_OK, SOCKJS_E_STATE (not waiting, see sockjs_conn_accept),
 *         SOCKJS_E_UNKNOWN_CONN, SOCKJS_E_INVALID_ARGUMENT.
 * Thread: any (mode A), owner (mode B). Since: 0.1
 */
SOCKJS_API int sockjs_conn_reject(sockjs_server *s, sockjs_conn_id conn,
                                  int code, const char *reason);

/**
 * The sessions of a service that are open (not closing; undecided ones
 * included), as one consistent snapshot, ascending by id. A session is
 * listed from its creation, so its OPEN event may still be queued; use
 * sockjs_conn_get_info on the consumer thread once it was polled.
 * @param service  a service id, or -1 for every service.
 * @param ids      caller array of cap entries (NULL when cap is 0).
 * @param count    receives the number of open sessions (which may exceed
 *                 cap: then the cap lowest ids were written).
 * @return SOCKJS_OK (all fit), SOCKJS_E_LIMIT (more than cap: grow the
 *         array to *count and call again), SOCKJS_E_INVALID_ARGUMENT
 *         (NULL, or no such service).
 * Thread: any (mode A), owner (mode B). Since: 0.1
 */
SOCKJS_API int sockjs_server_list_sessions(sockjs_server *s, int service,
                                           sockjs_conn_id *ids, size_t cap,
                                           size_t *count);

/**
 * Close every open session of a service (-1: of every service) as
 * sockjs_conn_close does, e.g. before taking a service down or after a
 * credentials change. Undecided sessions are rejected with the code.
 * Sessions opened after the snapshot stay open.
 * @param code    1000, or 3000..4999.
 * @param reason  NULL means "Normal closure"; at most 123 bytes of UTF-8.
 * @param closed  NULL, or receives how many sessions this call closed.
 * @return SOCKJS_OK, SOCKJS_E_INVALID_ARGUMENT (bad code, reason or
 *         service).
 * Thread: any (mode A), owner (mode B). Since: 0.1
 */
SOCKJS_API int sockjs_server_close_sessions(sockjs_server *s, int service,
                                            int code, const char *reason,
                                            size_t *closed);

/* ------------------------------------------------------------- channels */
/** The node number (sockjs_server_options_set_node_id) in a conn id. */
#define SOCKJS_CONN_NODE(conn) ((unsigned)((conn) >> 48))
/** Longest channel name, in bytes. */
#define SOCKJS_MAX_CHANNEL_NAME 255

/**
 * Add a session to a named channel of its service (joining twice is one
 * membership). It leaves every channel when it closes. Membership changes
 * are ordered with this thread's sends and publishes: a publish made after
 * the join returns reaches the session, one made before does not.
 * @param channel  1..SOCKJS_MAX_CHANNEL_NAME bytes of UTF-8, NUL-terminated.
 * @return SOCKJS_OK, SOCKJS_E_UNKNOWN_CONN (no such session, or it is gone,
 *         or the id names a forwarded request), SOCKJS_E_CLOSED (closing),
 *         SOCKJS_E_INVALID_ARGUMENT (bad name).
 * Thread: any (mode A), owner (mode B). Since: 0.1
 */
SOCKJS_API int sockjs_conn_join(sockjs_server *s, sockjs_conn_id conn,
                                const char *channel);

/**
 * Remove a session from a channel (not a member: nothing happens).
 * @return SOCKJS_OK, SOCKJS_E_UNKNOWN_CONN, SOCKJS_E_INVALID_ARGUMENT.
 * Thread: any (mode A), owner (mode B). Since: 0.1
 */
SOCKJS_API int sockjs_conn_leave(sockjs_server *s, sockjs_conn_id conn,
                                 const char *channel);

/**
 * Send one message to every member of a channel of a service, or (channel
 * NULL) to every session of the service. The message is JSON-escaped once
 * for all members. A member whose send buffer is full misses it (counted in
 * sockjs_publish_dropped_total) instead of failing the publish. With a
 * backplane (sockjs_server_options_set_backplane_redis) it also reaches the
 * members on every other node, where the service with the same prefix
 * delivers it; each session gets it exactly once. Messages of one
 * publishing thread arrive in the order they were published.
 * @param channel  NULL, or 1..SOCKJS_MAX_CHANNEL_NAME bytes of UTF-8.
 * @param utf8     borrowed; copied. Valid UTF-8. NULL when len is 0.
 * @return SOCKJS_OK (also when nobody is a member), SOCKJS_E_CLOSED (the
 *         server is closing), SOCKJS_E_INVALID_ARGUMENT (no such service,
 *         bad channel name, not UTF-8).
 * Thread: any (mode A), owner (mode B). Since: 0.1
 */
SOCKJS_API int sockjs_server_publish(sockjs_server *s, int service,
                                     const char *channel, const char *utf8,
                                     size_t len);

/**
 * Send one message to a session by id, wherever it lives. A session of
 * this node (SOCKJS_CONN_NODE(conn) is this node's number) gets it as with
 * sockjs_conn_send, with the same results. An id of another node goes
 * through the backplane; SOCKJS_OK then means it was handed to the
 * backplane (that node drops it if the session is gone).
 * @return as sockjs_conn_send; SOCKJS_E_UNKNOWN_CONN also for another
 *         node's id when no backplane is configured.
 * Thread: any (mode A), owner (mode B). Since: 0.1
 */
SOCKJS_API int sockjs_server_publish_to(sockjs_server *s, sockjs_conn_id conn,
                                        const char *utf8, size_t len);

/**
 * Answer a forwarded request (SOCKJS_EVENT_REQUEST).
 * @param status        100..599 (not 101).
 * @param content_type  NULL for none. Copied.
 * @param headers       NULL, or extra header lines, each "Name: value\r\n".
 * @param body          borrowed; copied. NULL when body_len is 0.
 * @return SOCKJS_OK, SOCKJS_E_UNKNOWN_CONN (no such request, or already
 *         answered, or its connection dropped), SOCKJS_E_INVALID_ARGUMENT.
 * Thread: any (mode A), owner (mode B). Since: 0.1
 */
SOCKJS_API int sockjs_request_respond(sockjs_server *s, sockjs_conn_id request,
                                      int status, const char *content_type,
                                      const char *headers, const char *body,
                                      size_t body_len);

/* ---------------------------------------------------------------- metrics */
typedef enum sockjs_metric_type {
  SOCKJS_METRIC_COUNTER = 1, /**< only ever grows */
  SOCKJS_METRIC_GAUGE = 2    /**< goes up and down */
} sockjs_metric_type;

/**
 * One value of the server's metrics. The caller sets size =
 * sizeof(sockjs_metric) in the first element (also the array stride);
 * fields are only ever added at the end. All strings are static.
 *
 * Names (and their labels):
 *   sockjs_connections_open               gauge    TCP connections now
 *   sockjs_connections_total              counter  TCP connections accepted
 *   sockjs_http_requests_total            counter  responses by code
 *                                                  (101: WebSocket upgrades)
 *   sockjs_limit_hits_total               counter  by label: request_head
 *       (431), request_body (413), request_timeout (408), sessions (503),
 *       connections (refused sockets), message_size (1009),
 *       input_buffer (pipelined flood: connection dropped)
 *   sockjs_sessions_open                  gauge    by service, transport
 *   sockjs_sessions_opened_total          counter  by service, transport
 *   sockjs_sessions_closed_total          counter  by service, transport
 *   sockjs_sessions_rejected_total        counter  by service
 *   sockjs_messages_received_total        counter  by service
 *   sockjs_messages_sent_total            counter  by service
 *   sockjs_message_bytes_received_total   counter  by service (UTF-8 bytes)
 *   sockjs_message_bytes_sent_total       counter  by service
 *   sockjs_send_refused_total             counter  by service: sends that
 *                                                  returned SOCKJS_E_AGAIN
 * http_requests_total lists only codes seen so far; the others list every
 * label value, zeros included.
 */
typedef struct sockjs_metric {
  size_t size;
  const char *name;      /**< e.g. "sockjs_sessions_open" */
  int type;              /**< sockjs_metric_type */
  int service;           /**< service id, or -1 when not per service */
  const char *transport; /**< transport name, or "" */
  const char *label;     /**< limit name for sockjs_limit_hits_total, or "" */
  int code;              /**< HTTP status for http_requests_total, else 0 */
  uint64_t value;
} sockjs_metric;

/**
 * Copy the metrics out. Each value is read atomically; the set is not one
 * instant (a session may show as opened but not yet as open). Counting
 * costs a few relaxed atomic additions per message; it is always on.
 * @param out    caller array of cap entries, out[0].size set (NULL when
 *               cap is 0).
 * @param count  receives the number of values there are.
 * @return SOCKJS_OK (all fit), SOCKJS_E_LIMIT (more than cap: the first
 *         cap were written; call again with *count), or
 *         SOCKJS_E_INVALID_ARGUMENT.
 * Thread: any. Since: 0.1
 */
SOCKJS_API int sockjs_server_metrics(sockjs_server *s, sockjs_metric *out,
                                     size_t cap, size_t *count);

/**
 * Render the metrics in the Prometheus text exposition format 0.0.4
 * (HELP and TYPE lines; labels service = the service's prefix, transport,
 * limit, code), for a /metrics page with Content-Type
 * "text/plain; version=0.0.4; charset=utf-8".
 * @param buf     caller buffer of cap bytes; receives the NUL-terminated
 *                text when it fits.
 * @param needed  receives the text's length without the NUL.
 * @return SOCKJS_OK, SOCKJS_E_LIMIT (cap < *needed + 1: nothing written;
 *         call again with a larger buffer), SOCKJS_E_INVALID_ARGUMENT,
 *         SOCKJS_E_NOMEM.
 * Thread: any. Since: 0.1
 */
SOCKJS_API int sockjs_server_metrics_prometheus(sockjs_server *s, char *buf,
                                                size_t cap, size_t *needed);

/* ------------------------------------------------------ mode B: feeding */
/**
 * Register a new host-owned connection. Puts the server in feed mode.
 * @param remote_addr  NULL or the peer address text (for conn info). Copied.
 * @return SOCKJS_OK, SOCKJS_E_INVALID_ARGUMENT, SOCKJS_E_STATE (listening or
 *         closed, or a backplane is configured: it needs listen mode),
 *         SOCKJS_E_NOMEM.
 * Thread: owner. Since: 0.1
 */
SOCKJS_API int sockjs_server_stream_open(sockjs_server *s,
                                         const char *remote_addr,
                                         uint16_t remote_port,
                                         sockjs_stream_id *out);

/**
 * Feed bytes read from the connection. All bytes are always taken (the
 * server buffers what it cannot process yet, within its limits).
 * @return bytes consumed (== len), or SOCKJS_E_UNKNOWN_CONN,
 *         SOCKJS_E_INVALID_ARGUMENT, SOCKJS_E_STATE (not feed mode), or a
 *         fatal status.
 * Thread: owner. Since: 0.1
 */
SOCKJS_API int64_t sockjs_server_feed(sockjs_server *s, sockjs_stream_id st,
                                      const uint8_t *in, size_t len);

/**
 * Peek at the bytes waiting to be written to the connection.
 * @param out  receives a pointer valid until the next call on this server
 *             that touches this stream.
 * @return the number of bytes at *out (0 when none), or
 *         SOCKJS_E_UNKNOWN_CONN, SOCKJS_E_INVALID_ARGUMENT, SOCKJS_E_STATE.
 * Thread: owner. Since: 0.1
 */
SOCKJS_API int64_t sockjs_server_output(sockjs_server *s, sockjs_stream_id st,
                                        const uint8_t **out);

/** Tell the server that n bytes of the output were written.
 *  @return SOCKJS_OK, SOCKJS_E_UNKNOWN_CONN, SOCKJS_E_INVALID_ARGUMENT (n
 *  larger than the output), SOCKJS_E_STATE. Thread: owner. Since: 0.1 */
SOCKJS_API int sockjs_server_output_consume(sockjs_server *s,
                                            sockjs_stream_id st, size_t n);

/** 1 when the server is done with the connection: the host should write
 *  the remaining output, then close it and call stream_close. 0 otherwise;
 *  or SOCKJS_E_UNKNOWN_CONN, SOCKJS_E_INVALID_ARGUMENT.
 *  Thread: owner. Since: 0.1 */
SOCKJS_API int sockjs_server_stream_wants_close(const sockjs_server *s,
                                                sockjs_stream_id st);

/** The connection is gone (EOF, reset, or closed by the host after
 *  wants_close). Frees the stream; its id becomes invalid.
 *  @return SOCKJS_OK, SOCKJS_E_UNKNOWN_CONN, SOCKJS_E_INVALID_ARGUMENT.
 *  Thread: owner. Since: 0.1 */
SOCKJS_API int sockjs_server_stream_close(sockjs_server *s,
                                          sockjs_stream_id st);

/**
 * Streams that got output or want closing since the last call (each listed
 * once). Call after feed, tick, send, close and respond, then write out
 * what sockjs_server_output gives for each.
 * @return SOCKJS_OK (n may be 0), SOCKJS_E_INVALID_ARGUMENT, SOCKJS_E_STATE.
 *         If more than max are dirty, the rest stay listed for the next
 *         call. Thread: owner. Since: 0.1
 */
SOCKJS_API int sockjs_server_dirty_streams(sockjs_server *s,
                                           sockjs_stream_id *ids, size_t max,
                                           size_t *n);

/** Milliseconds from the last tick's time until the next timer is due, or
 *  -1 when none is pending. Thread: owner. Since: 0.1 */
SOCKJS_API int64_t sockjs_server_next_timeout_ms(const sockjs_server *s);

/** Set the clock (any monotonic milliseconds, never decreasing) and run
 *  the timers that are due. Call before the first stream_open, and again
 *  when next_timeout_ms says.
 *  @return SOCKJS_OK, SOCKJS_E_INVALID_ARGUMENT, SOCKJS_E_STATE.
 *  Thread: owner. Since: 0.1 */
SOCKJS_API int sockjs_server_tick(sockjs_server *s, uint64_t now_ms);

#ifdef __cplusplus
}
#endif
#endif /* SOCKJS_H */
