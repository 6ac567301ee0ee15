//go:build cgo

// This is the only file that calls into C. Every function here is a thin,
// copying wrapper: data crosses as pointer + length (the library copies
// before returning, which keeps cgo's pointer rules), and C pointers handed
// back are copied into Go memory before the next call can invalidate them.
// The link flags live in link_intree.go and link_system.go.

package sockjs

/*
#include <stdlib.h>
#include <string.h>
#include "sockjs.h"

// One per Server: the C server plus scratch arrays that belong to whoever
// holds the Go-side lock that serialises poll (events) or feed (dirty).
typedef struct gosockjs {
  sockjs_server *s;
  sockjs_event evs[64];
  sockjs_stream_id dirty[64];
} gosockjs;

static gosockjs *gosockjs_new(sockjs_server *s) {
  gosockjs *h = calloc(1, sizeof *h);
  if (h) h->s = s;
  return h;
}

static void gosockjs_free(gosockjs *h) {
  if (!h) return;
  sockjs_server_free(h->s);
  free(h);
}

static int gosockjs_poll(gosockjs *h, size_t *n) {
  h->evs[0].size = sizeof(sockjs_event);
  return sockjs_server_poll(h->s, h->evs, 64, n);
}

// output + memcpy + consume in one crossing.
static int64_t gosockjs_output(gosockjs *h, sockjs_stream_id st, void *dst,
                               size_t cap, int *wants_close) {
  const uint8_t *p = NULL;
  int64_t n = sockjs_server_output(h->s, st, &p);
  if (n < 0) return n;
  if ((uint64_t)n > cap) n = (int64_t)cap;
  if (n > 0) {
    memcpy(dst, p, (size_t)n);
    int rc = sockjs_server_output_consume(h->s, st, (size_t)n);
    if (rc != SOCKJS_OK) return rc;
  }
  int wc = sockjs_server_stream_wants_close(h->s, st);
  if (wc < 0) return wc;
  *wants_close = wc;
  return n;
}

static int gosockjs_dirty(gosockjs *h, size_t *n) {
  return sockjs_server_dirty_streams(h->s, h->dirty, 64, n);
}
*/
import "C"

import (
	"net"
	"net/http"
	"strconv"
	"strings"
	"unsafe"
)

func hp(h unsafe.Pointer) *C.gosockjs { return (*C.gosockjs)(h) }

func libVersion() (uint32, string) {
	return uint32(C.sockjs_version_num()), C.GoString(C.sockjs_version_string())
}

// headerVersion is the version of sockjs.h this package was compiled with.
const headerVersion = uint32(C.SOCKJS_VERSION_NUM)

func cNew(o *Options) (unsafe.Pointer, error) {
	var so *C.sockjs_server_options
	if rc := C.sockjs_server_options_new(&so); rc != 0 {
		return nil, statusError("new", int(rc))
	}
	defer C.sockjs_server_options_free(so)
	set := func(op string, rc C.int) error { return statusError(op, int(rc)) }
	if o.MaxRequestHeadSize > 0 {
		if err := set("max_request_head_size", C.sockjs_server_options_set_max_request_head_size(so, C.size_t(o.MaxRequestHeadSize))); err != nil {
			return nil, err
		}
	}
	if o.RequestTimeout > 0 {
		if err := set("request_timeout", C.sockjs_server_options_set_request_timeout_ms(so, C.uint32_t(millis(o.RequestTimeout)))); err != nil {
			return nil, err
		}
	}
	if o.ShutdownTimeout > 0 {
		if err := set("shutdown_timeout", C.sockjs_server_options_set_shutdown_timeout_ms(so, C.uint32_t(millis(o.ShutdownTimeout)))); err != nil {
			return nil, err
		}
	}
	if o.ForwardUnmatched {
		if err := set("forward_unmatched", C.sockjs_server_options_set_forward_unmatched(so, 1)); err != nil {
			return nil, err
		}
	}
	// Counts: 0 keeps the default; negative ones are refused here, since
	// size_t cannot carry them to the library's own range check.
	counts := []struct {
		op string
		n  int
		f  func(*C.sockjs_server_options, C.size_t) C.int
	}{
		{"max_request_headers", o.MaxRequestHeaders, func(so *C.sockjs_server_options, n C.size_t) C.int {
			return C.sockjs_server_options_set_max_request_headers(so, n)
		}},
		{"max_sessions", o.MaxSessions, func(so *C.sockjs_server_options, n C.size_t) C.int {
			return C.sockjs_server_options_set_max_sessions(so, n)
		}},
		{"max_connections", o.MaxConnections, func(so *C.sockjs_server_options, n C.size_t) C.int {
			return C.sockjs_server_options_set_max_connections(so, n)
		}},
	}
	for _, c := range counts {
		if c.n < 0 {
			return nil, &Error{Code: StatusInvalidArgument, Op: c.op, Detail: "negative"}
		}
		if c.n > 0 {
			if err := set(c.op, c.f(so, C.size_t(c.n))); err != nil {
				return nil, err
			}
		}
	}
	if o.TCPKeepAlive != 0 {
		if err := set("tcp_keepalive", C.sockjs_server_options_set_tcp_keepalive_s(so, C.uint32_t(keepAliveSeconds(o.TCPKeepAlive)))); err != nil {
			return nil, err
		}
	}
	for _, cidr := range o.TrustedProxies {
		cs := C.CString(cidr)
		rc := C.sockjs_server_options_add_trusted_proxy(so, cs)
		C.free(unsafe.Pointer(cs))
		if err := set("trusted_proxy "+strconv.Quote(cidr), rc); err != nil {
			return nil, err
		}
	}
	if lv := cLogLevel(o); lv != cLogNone {
		if err := set("log_level", C.sockjs_server_options_set_log_level(so, C.int(lv))); err != nil {
			return nil, err
		}
	}
	if o.NodeID != 0 {
		if err := set("node_id", C.sockjs_server_options_set_node_id(so, C.unsigned(o.NodeID))); err != nil {
			return nil, err
		}
	}
	if o.Backplane != nil {
		if err := cBackplane(so, o.Backplane); err != nil {
			return nil, err
		}
	}
	var errbuf [C.SOCKJS_ERRBUF_SIZE]C.char
	var s *C.sockjs_server
	if rc := C.sockjs_server_new(so, &s, &errbuf[0]); rc != 0 {
		return nil, &Error{Code: Status(rc), Op: "new", Detail: C.GoString(&errbuf[0])}
	}
	h := C.gosockjs_new(s)
	if h == nil {
		C.sockjs_server_free(s)
		return nil, &Error{Code: StatusNoMem, Op: "new"}
	}
	return unsafe.Pointer(h), nil
}

func cBackplane(so *C.sockjs_server_options, b *BackplaneOptions) error {
	host, port, err := b.redisHostPort()
	if err != nil {
		return err
	}
	ch := C.CString(host)
	rc := C.sockjs_server_options_set_backplane_redis(so, ch, C.int(port))
	C.free(unsafe.Pointer(ch))
	if err := statusError("backplane RedisAddr", int(rc)); err != nil {
		return err
	}
	if b.Channel != "" {
		cc, err := cChannel("backplane Channel", b.Channel)
		if err != nil {
			return err
		}
		rc := C.sockjs_server_options_set_backplane_channel(so, cc)
		C.free(unsafe.Pointer(cc))
		if err := statusError("backplane Channel", int(rc)); err != nil {
			return err
		}
	}
	if b.BufferLimit < 0 {
		return &Error{Code: StatusInvalidArgument, Op: "backplane BufferLimit", Detail: "negative"}
	}
	if b.BufferLimit > 0 {
		if err := statusError("backplane BufferLimit", int(C.sockjs_server_options_set_backplane_buffer_limit(so, C.size_t(b.BufferLimit)))); err != nil {
			return err
		}
	}
	if b.ConnectTimeout < 0 {
		return &Error{Code: StatusInvalidArgument, Op: "backplane ConnectTimeout", Detail: "negative"}
	}
	if b.ConnectTimeout > 0 {
		if err := statusError("backplane ConnectTimeout", int(C.sockjs_server_options_set_backplane_connect_timeout_ms(so, C.uint32_t(millis(b.ConnectTimeout))))); err != nil {
			return err
		}
	}
	return nil
}

func cAddService(h unsafe.Pointer, o *ServiceOptions) (int, error) {
	var co *C.sockjs_options
	if rc := C.sockjs_options_new(&co); rc != 0 {
		return -1, statusError("add_service", int(rc))
	}
	defer C.sockjs_options_free(co)
	str := func(op string, v string, f func(*C.sockjs_options, *C.char) C.int) error {
		cs := C.CString(v)
		defer C.free(unsafe.Pointer(cs))
		return statusError(op, int(f(co, cs)))
	}
	b := func(v bool) C.int {
		if v {
			return 1
		}
		return 0
	}
	var errs []error
	add := func(err error) { errs = append(errs, err) }
	add(str("prefix", o.Prefix, func(o *C.sockjs_options, s *C.char) C.int { return C.sockjs_options_set_prefix(o, s) }))
	if o.SockJSURL != "" {
		add(str("sockjs_url", o.SockJSURL, func(o *C.sockjs_options, s *C.char) C.int { return C.sockjs_options_set_sockjs_url(o, s) }))
	}
	if o.BaseURL != "" {
		add(str("base_url", o.BaseURL, func(o *C.sockjs_options, s *C.char) C.int { return C.sockjs_options_set_base_url(o, s) }))
	}
	for _, t := range o.DisabledTransports {
		add(str("transport "+t, t, func(o *C.sockjs_options, s *C.char) C.int { return C.sockjs_options_set_transport_enabled(o, s, 0) }))
	}
	if o.ResponseLimit > 0 {
		add(statusError("response_limit", int(C.sockjs_options_set_response_limit(co, C.size_t(o.ResponseLimit)))))
	}
	if o.DisableWebSocket {
		add(statusError("websocket", int(C.sockjs_options_set_websocket(co, 0))))
	}
	if o.JSessionID {
		add(statusError("jsessionid", int(C.sockjs_options_set_jsessionid(co, 1))))
	}
	if o.HeartbeatDelay < 0 {
		add(statusError("heartbeat_delay", int(C.sockjs_options_set_heartbeat_delay_ms(co, 0))))
	} else if o.HeartbeatDelay > 0 {
		add(statusError("heartbeat_delay", int(C.sockjs_options_set_heartbeat_delay_ms(co, C.uint32_t(millis(o.HeartbeatDelay))))))
	}
	if o.DisconnectDelay > 0 {
		add(statusError("disconnect_delay", int(C.sockjs_options_set_disconnect_delay_ms(co, C.uint32_t(millis(o.DisconnectDelay))))))
	}
	if o.DisableCORS {
		add(statusError("disable_cors", int(C.sockjs_options_set_disable_cors(co, 1))))
	}
	if o.MaxMessageSize > 0 {
		add(statusError("max_message_size", int(C.sockjs_options_set_max_message_size(co, C.size_t(o.MaxMessageSize)))))
	}
	if o.SendBufferLimit > 0 {
		add(statusError("send_buffer_limit", int(C.sockjs_options_set_send_buffer_limit(co, C.size_t(o.SendBufferLimit)))))
	}
	add(statusError("expose_cookies", int(C.sockjs_options_set_expose_cookies(co, b(o.ExposeCookies)))))
	for _, pat := range o.AllowedOrigins {
		add(str("allowed_origin "+strconv.Quote(pat), pat, func(o *C.sockjs_options, s *C.char) C.int { return C.sockjs_options_add_allowed_origin(o, s) }))
	}
	if o.Authorize {
		add(statusError("authorize", int(C.sockjs_options_set_authorize(co, 1))))
	}
	if o.AuthorizeTimeout > 0 {
		add(statusError("authorize_timeout", int(C.sockjs_options_set_authorize_timeout_ms(co, C.uint32_t(millis(o.AuthorizeTimeout))))))
	}
	if o.PermessageDeflate {
		add(statusError("permessage_deflate", int(C.sockjs_options_set_permessage_deflate(co, 1))))
	}
	if o.DeflateThreshold < 0 {
		add(statusError("deflate_threshold", int(C.sockjs_options_set_deflate_threshold(co, 0))))
	} else if o.DeflateThreshold > 0 {
		add(statusError("deflate_threshold", int(C.sockjs_options_set_deflate_threshold(co, C.size_t(o.DeflateThreshold)))))
	}
	for _, err := range errs {
		if err != nil {
			return -1, err
		}
	}
	var id C.int
	if rc := C.sockjs_server_add_service(hp(h).s, co, &id); rc != 0 {
		return -1, statusError("add_service", int(rc))
	}
	return int(id), nil
}

func cListen(h unsafe.Pointer, host string, port int) (int, error) {
	ch := C.CString(host)
	defer C.free(unsafe.Pointer(ch))
	var bound C.uint16_t
	var errbuf [C.SOCKJS_ERRBUF_SIZE]C.char
	if rc := C.sockjs_server_listen(hp(h).s, ch, C.uint16_t(port), &bound, &errbuf[0]); rc != 0 {
		return 0, &Error{Code: Status(rc), Op: "listen", Detail: C.GoString(&errbuf[0])}
	}
	return int(bound), nil
}

func cShutdown(h unsafe.Pointer) error {
	return statusError("shutdown", int(C.sockjs_server_close(hp(h).s)))
}

func cFree(h unsafe.Pointer) { C.gosockjs_free(hp(h)) }

func cEventFD(h unsafe.Pointer) int { return int(C.sockjs_server_event_fd(hp(h).s)) }

// cPoll appends what one poll returns to out (nothing when the queue is
// empty). OPEN and REQUEST events carry a copy of their conn info.
func cPoll(h unsafe.Pointer, out []rawEvent) ([]rawEvent, error) {
	var n C.size_t
	rc := C.gosockjs_poll(hp(h), &n)
	if rc == C.SOCKJS_E_AGAIN {
		return out, nil
	}
	if rc != 0 {
		return out, statusError("poll", int(rc))
	}
	for i := 0; i < int(n); i++ {
		ev := &hp(h).evs[i]
		r := rawEvent{
			typ:     EventType(ev._type),
			service: int(ev.service),
			conn:    uint64(ev.conn),
			code:    int(ev.code),
		}
		if ev.len > 0 {
			r.data = C.GoBytes(unsafe.Pointer(ev.data), C.int(ev.len))
		}
		if r.typ == EventOpen || r.typ == EventRequest {
			r.info = cInfo(h, ev.conn)
		}
		out = append(out, r)
	}
	return out, nil
}

func cInfo(h unsafe.Pointer, id C.sockjs_conn_id) *sessionInfo {
	var ci C.sockjs_conn_info
	ci.size = C.sizeof_sockjs_conn_info
	if C.sockjs_conn_get_info(hp(h).s, id, &ci) != 0 {
		return nil
	}
	info := &sessionInfo{
		service:   int(ci.service),
		prefix:    C.GoString(ci.prefix),
		transport: C.GoString(ci.transport),
		remote:    net.JoinHostPort(C.GoString(ci.remote_addr), strconv.Itoa(int(ci.remote_port))),
		method:    C.GoString(ci.method),
		url:       C.GoString(ci.url),
		header:    make(http.Header, int(ci.n_headers)),
		query:     C.GoString(ci.query),
		client:    C.GoString(ci.client_addr),
	}
	if ci.n_headers > 0 {
		names := unsafe.Slice((**C.char)(unsafe.Pointer(ci.header_names)), int(ci.n_headers))
		values := unsafe.Slice((**C.char)(unsafe.Pointer(ci.header_values)), int(ci.n_headers))
		for i := range names {
			info.header.Add(C.GoString(names[i]), C.GoString(values[i]))
		}
	}
	return info
}

func bytesPtr(b []byte) *C.char {
	if len(b) == 0 {
		return nil
	}
	return (*C.char)(unsafe.Pointer(unsafe.SliceData(b)))
}

func cSend(h unsafe.Pointer, id uint64, msg []byte) error {
	return statusError("send", int(C.sockjs_conn_send(hp(h).s, C.sockjs_conn_id(id), bytesPtr(msg), C.size_t(len(msg)))))
}

// stringPtr passes a string's bytes without a copy ("" is NULL).
func stringPtr(msg string) *C.char {
	if len(msg) == 0 {
		return nil
	}
	return (*C.char)(unsafe.Pointer(unsafe.StringData(msg)))
}

func cSendString(h unsafe.Pointer, id uint64, msg string) error {
	return statusError("send", int(C.sockjs_conn_send(hp(h).s, C.sockjs_conn_id(id), stringPtr(msg), C.size_t(len(msg)))))
}

// cRespond answers a forwarded request; "" content type or headers pass
// NULL (none).
func cRespond(h unsafe.Pointer, id uint64, status int, contentType, headers string, body []byte) error {
	var ct, hd *C.char
	if contentType != "" {
		ct = C.CString(contentType)
		defer C.free(unsafe.Pointer(ct))
	}
	if headers != "" {
		hd = C.CString(headers)
		defer C.free(unsafe.Pointer(hd))
	}
	return statusError("respond", int(C.sockjs_request_respond(hp(h).s, C.sockjs_conn_id(id), C.int(status), ct, hd, bytesPtr(body), C.size_t(len(body)))))
}

func cCloseConn(h unsafe.Pointer, id uint64, code int, reason string) error {
	cr := C.CString(reason)
	defer C.free(unsafe.Pointer(cr))
	return statusError("close", int(C.sockjs_conn_close(hp(h).s, C.sockjs_conn_id(id), C.int(code), cr)))
}

func cAccept(h unsafe.Pointer, id uint64) error {
	return statusError("accept", int(C.sockjs_conn_accept(hp(h).s, C.sockjs_conn_id(id))))
}

// cReject passes "" as NULL (the library's "Rejected").
func cReject(h unsafe.Pointer, id uint64, code int, reason string) error {
	var cr *C.char
	if reason != "" {
		cr = C.CString(reason)
		defer C.free(unsafe.Pointer(cr))
	}
	return statusError("reject", int(C.sockjs_conn_reject(hp(h).s, C.sockjs_conn_id(id), C.int(code), cr)))
}

// cListSessions grows the array until the snapshot fits.
func cListSessions(h unsafe.Pointer, service int) ([]ConnID, error) {
	ids := make([]C.sockjs_conn_id, 16)
	for {
		var n C.size_t
		rc := C.sockjs_server_list_sessions(hp(h).s, C.int(service), unsafe.SliceData(ids), C.size_t(len(ids)), &n)
		if rc == C.SOCKJS_E_LIMIT {
			ids = make([]C.sockjs_conn_id, int(n))
			continue
		}
		if rc != 0 {
			return nil, statusError("list_sessions", int(rc))
		}
		out := make([]ConnID, int(n))
		for i := range out {
			out[i] = ConnID(ids[i])
		}
		return out, nil
	}
}

func cCloseSessions(h unsafe.Pointer, service, code int, reason string) (int, error) {
	var cr *C.char
	if reason != "" {
		cr = C.CString(reason)
		defer C.free(unsafe.Pointer(cr))
	}
	var closed C.size_t
	rc := C.sockjs_server_close_sessions(hp(h).s, C.int(service), C.int(code), cr, &closed)
	return int(closed), statusError("close_sessions", int(rc))
}

func cMetrics(h unsafe.Pointer) ([]Metric, error) {
	ms := make([]C.sockjs_metric, 64)
	for {
		ms[0].size = C.sizeof_sockjs_metric
		var n C.size_t
		rc := C.sockjs_server_metrics(hp(h).s, unsafe.SliceData(ms), C.size_t(len(ms)), &n)
		if rc == C.SOCKJS_E_LIMIT {
			ms = make([]C.sockjs_metric, int(n))
			continue
		}
		if rc != 0 {
			return nil, statusError("metrics", int(rc))
		}
		out := make([]Metric, int(n))
		for i := range out {
			m := &ms[i]
			out[i] = Metric{
				Name: C.GoString(m.name), Type: MetricType(m._type), Service: int(m.service),
				Transport: C.GoString(m.transport), Label: C.GoString(m.label),
				Code: int(m.code), Value: uint64(m.value),
			}
		}
		return out, nil
	}
}

func cMetricsPrometheus(h unsafe.Pointer) (string, error) {
	buf := make([]byte, 16384)
	for {
		var needed C.size_t
		rc := C.sockjs_server_metrics_prometheus(hp(h).s, (*C.char)(unsafe.Pointer(unsafe.SliceData(buf))), C.size_t(len(buf)), &needed)
		if rc == C.SOCKJS_E_LIMIT {
			buf = make([]byte, int(needed)+1)
			continue
		}
		if rc != 0 {
			return "", statusError("metrics_prometheus", int(rc))
		}
		return string(buf[:int(needed)]), nil
	}
}

// cChannel is a channel name as a C string; the library checks length and
// UTF-8, this refuses what a C string cannot carry (a NUL would cut it).
func cChannel(op, channel string) (*C.char, error) {
	if strings.IndexByte(channel, 0) >= 0 {
		return nil, &Error{Code: StatusInvalidArgument, Op: op, Detail: "NUL in channel name"}
	}
	return C.CString(channel), nil
}

func cMembership(h unsafe.Pointer, join bool, id uint64, channel string) error {
	op := "leave"
	if join {
		op = "join"
	}
	cc, err := cChannel(op, channel)
	if err != nil {
		return err
	}
	defer C.free(unsafe.Pointer(cc))
	if join {
		return statusError(op, int(C.sockjs_conn_join(hp(h).s, C.sockjs_conn_id(id), cc)))
	}
	return statusError(op, int(C.sockjs_conn_leave(hp(h).s, C.sockjs_conn_id(id), cc)))
}

// cPublish publishes p[:n] (Go memory holding no pointers, so cgo may pass
// it; the library copies it). wholeService ignores channel (NULL).
func cPublish(h unsafe.Pointer, service int, channel string, wholeService bool, p *C.char, n int) error {
	var cc *C.char
	if !wholeService {
		var err error
		if cc, err = cChannel("publish", channel); err != nil {
			return err
		}
		defer C.free(unsafe.Pointer(cc))
	}
	return statusError("publish", int(C.sockjs_server_publish(hp(h).s, C.int(service), cc, p, C.size_t(n))))
}

func cPublishBytes(h unsafe.Pointer, service int, channel string, wholeService bool, msg []byte) error {
	return cPublish(h, service, channel, wholeService, bytesPtr(msg), len(msg))
}

func cPublishString(h unsafe.Pointer, service int, channel string, wholeService bool, msg string) error {
	return cPublish(h, service, channel, wholeService, stringPtr(msg), len(msg))
}

func cPublishTo(h unsafe.Pointer, id uint64, p *C.char, n int) error {
	return statusError("publish_to", int(C.sockjs_server_publish_to(hp(h).s, C.sockjs_conn_id(id), p, C.size_t(n))))
}

func cPublishToBytes(h unsafe.Pointer, id uint64, msg []byte) error {
	return cPublishTo(h, id, bytesPtr(msg), len(msg))
}

func cPublishToString(h unsafe.Pointer, id uint64, msg string) error {
	return cPublishTo(h, id, stringPtr(msg), len(msg))
}

func cStreamOpen(h unsafe.Pointer, addr string, port int) (uint64, error) {
	ca := C.CString(addr)
	defer C.free(unsafe.Pointer(ca))
	var st C.sockjs_stream_id
	if rc := C.sockjs_server_stream_open(hp(h).s, ca, C.uint16_t(port), &st); rc != 0 {
		return 0, statusError("stream_open", int(rc))
	}
	return uint64(st), nil
}

func cFeed(h unsafe.Pointer, st uint64, b []byte) error {
	if len(b) == 0 {
		return nil
	}
	rc := C.sockjs_server_feed(hp(h).s, C.sockjs_stream_id(st), (*C.uint8_t)(unsafe.Pointer(unsafe.SliceData(b))), C.size_t(len(b)))
	return statusError("feed", int(rc))
}

// cOutput copies up to len(dst) bytes of pending output into dst and marks
// them written.
func cOutput(h unsafe.Pointer, st uint64, dst []byte) (int, bool, error) {
	var wc C.int
	n := C.gosockjs_output(hp(h), C.sockjs_stream_id(st), unsafe.Pointer(unsafe.SliceData(dst)), C.size_t(len(dst)), &wc)
	if n < 0 {
		return 0, false, statusError("output", int(n))
	}
	return int(n), wc != 0, nil
}

func cStreamClose(h unsafe.Pointer, st uint64) error {
	return statusError("stream_close", int(C.sockjs_server_stream_close(hp(h).s, C.sockjs_stream_id(st))))
}

// cDirty appends the streams with news to out.
func cDirty(h unsafe.Pointer, out []uint64) ([]uint64, error) {
	for {
		var n C.size_t
		if rc := C.gosockjs_dirty(hp(h), &n); rc != 0 {
			return out, statusError("dirty_streams", int(rc))
		}
		for i := 0; i < int(n); i++ {
			out = append(out, uint64(hp(h).dirty[i]))
		}
		if n < 64 {
			return out, nil
		}
	}
}

func cNextTimeout(h unsafe.Pointer) int64 {
	return int64(C.sockjs_server_next_timeout_ms(hp(h).s))
}

func cTick(h unsafe.Pointer, ms uint64) error {
	return statusError("tick", int(C.sockjs_server_tick(hp(h).s, C.uint64_t(ms))))
}
