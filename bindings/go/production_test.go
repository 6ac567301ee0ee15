//go:build cgo

package sockjs

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// nextOf returns the next event of type typ, skipping others.
func nextOf(t *testing.T, srv *Server, typ EventType) Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		ev, err := srv.Next(ctx)
		if err != nil {
			t.Fatalf("waiting for %v: %v", typ, err)
		}
		if ev.Type == typ {
			return ev
		}
	}
}

func listenOn(t *testing.T, opts Options) (*Server, string) {
	t.Helper()
	srv, err := NewServer(opts)
	if err != nil {
		t.Fatalf("NewServer: %v", err)
	}
	t.Cleanup(func() { srv.Close() })
	addr, err := srv.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatalf("Listen: %v", err)
	}
	return srv, "http://" + addr.String()
}

func authOptions() Options {
	return Options{Services: []ServiceOptions{{Prefix: "/auth", HeartbeatDelay: -1, Authorize: true, AuthorizeTimeout: 5 * time.Second,
		// A closed xhr session reports EventClose after lingering this long.
		DisconnectDelay: 300 * time.Millisecond}}}
}

func TestAuthorizeWebSocket(t *testing.T) {
	srv, base := listenOn(t, authOptions())
	ws, err := dialWS(wsURL(sessionURL(base+"/auth")) + "/websocket?token=good")
	if err != nil {
		t.Fatal(err)
	}
	defer ws.close()
	sess := nextOf(t, srv, EventOpen).Session
	if sess.Query() != "token=good" || sess.ClientAddr() != "127.0.0.1" {
		t.Fatalf("query %q client %q", sess.Query(), sess.ClientAddr())
	}
	sess.SendString("early")
	if err := sess.Accept(); err != nil {
		t.Fatal(err)
	}
	if err := sess.Accept(); !isStatus(err, StatusState) {
		t.Fatalf("second Accept: %v", err)
	}
	for _, want := range []string{"o", `a["early"]`} {
		if got, err := ws.recv(); err != nil || got != want {
			t.Fatalf("got %q %v, want %q", got, err, want)
		}
	}

	ws2, err := dialWS(wsURL(sessionURL(base+"/auth")) + "/websocket")
	if err != nil {
		t.Fatal(err)
	}
	defer ws2.close()
	sess2 := nextOf(t, srv, EventOpen).Session
	if err := sess2.Reject(4403, "Forbidden"); err != nil {
		t.Fatal(err)
	}
	if got, err := ws2.recv(); err != nil || got != `c[4403,"Forbidden"]` {
		t.Fatalf("rejected client got %q %v", got, err)
	}
	ev := nextOf(t, srv, EventClose)
	if ev.Session.ID() != sess2.ID() || ev.Code != 4403 || ev.Reason != "Forbidden" {
		t.Fatalf("close event %v", ev)
	}
}

func isStatus(err error, st Status) bool {
	e, ok := err.(*Error)
	return ok && e.Code == st
}

func TestAuthorizeXHRPolling(t *testing.T) {
	srv, base := listenOn(t, authOptions())
	authorizeXHR(t, srv, base)
}

// Feed mode (Server.Handler under net/http): the decision must also push
// the held response out through the ResponseWriter.
func TestAuthorizeHandlerMode(t *testing.T) {
	srv, err := NewServer(authOptions())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	mux := http.NewServeMux()
	mux.Handle("/auth/", srv.Handler())
	hs := httptest.NewServer(mux)
	t.Cleanup(hs.Close)
	authorizeXHR(t, srv, hs.URL)
	ws, err := dialWS(wsURL(sessionURL(hs.URL+"/auth")) + "/websocket?t=1")
	if err != nil {
		t.Fatal(err)
	}
	defer ws.close()
	sess := nextOf(t, srv, EventOpen).Session
	if sess.Query() != "t=1" {
		t.Fatalf("query %q", sess.Query())
	}
	if err := sess.Reject(4403, "Forbidden"); err != nil {
		t.Fatal(err)
	}
	if got, err := ws.recv(); err != nil || got != `c[4403,"Forbidden"]` {
		t.Fatalf("rejected client got %q %v", got, err)
	}
	if ev := nextOf(t, srv, EventClose); ev.Code != 4403 {
		t.Fatalf("close %v", ev)
	}
}

func authorizeXHR(t *testing.T, srv *Server, base string) {
	t.Helper()
	for _, accept := range []bool{true, false} {
		u := sessionURL(base + "/auth")
		var wg sync.WaitGroup
		var body string
		wg.Add(1)
		go func() { // the first poll waits, unanswered, for the decision
			defer wg.Done()
			resp, err := client.Post(u+"/xhr", "text/plain", nil)
			if err == nil {
				var b bytes.Buffer
				b.ReadFrom(resp.Body)
				resp.Body.Close()
				body = b.String()
			}
		}()
		sess := nextOf(t, srv, EventOpen).Session
		if sess.Transport() != "xhr-polling" {
			t.Fatalf("transport %q", sess.Transport())
		}
		if accept {
			if err := sess.Accept(); err != nil {
				t.Fatal(err)
			}
			wg.Wait()
			if body != "o\n" {
				t.Fatalf("accepted poll got %q", body)
			}
			sess.Close(1000, "done")
			nextOf(t, srv, EventClose)
		} else {
			if err := sess.Reject(4401, "Unauthorized"); err != nil {
				t.Fatal(err)
			}
			wg.Wait()
			if body != "c[4401,\"Unauthorized\"]\n" {
				t.Fatalf("rejected poll got %q", body)
			}
			if ev := nextOf(t, srv, EventClose); ev.Code != 4401 || ev.Reason != "Unauthorized" {
				t.Fatalf("close event %v", ev)
			}
		}
	}
}

func TestClientAddrThroughTrustedProxy(t *testing.T) {
	for _, trusted := range []bool{true, false} {
		opts := Options{Services: []ServiceOptions{{Prefix: "/echo", HeartbeatDelay: -1}}}
		want := "127.0.0.1"
		if trusted {
			opts.TrustedProxies = []string{"127.0.0.0/8"}
			want = "203.0.113.7"
		}
		srv, base := listenOn(t, opts)
		ws, err := dialWSExtra(wsURL(sessionURL(base+"/echo"))+"/websocket", "", "X-Forwarded-For: 203.0.113.7\r\n")
		if err != nil {
			t.Fatal(err)
		}
		sess := nextOf(t, srv, EventOpen).Session
		if sess.ClientAddr() != want || !strings.HasPrefix(sess.RemoteAddr(), "127.0.0.1:") {
			t.Fatalf("trusted=%v: client %q remote %q", trusted, sess.ClientAddr(), sess.RemoteAddr())
		}
		ws.close()
	}
	if _, err := NewServer(Options{TrustedProxies: []string{"not-an-address"}}); !isStatus(err, StatusInvalidArgument) {
		t.Fatalf("bad proxy: %v", err)
	}
}

func TestSessionsCloseAllAndMetrics(t *testing.T) {
	srv, base := listenOn(t, Options{Services: []ServiceOptions{{Prefix: "/echo", HeartbeatDelay: -1}}})
	var clients []*wsClient
	var ids []ConnID
	for i := 0; i < 3; i++ {
		ws, err := dialWS(wsURL(sessionURL(base+"/echo")) + "/websocket")
		if err != nil {
			t.Fatal(err)
		}
		defer ws.close()
		clients = append(clients, ws)
		ids = append(ids, nextOf(t, srv, EventOpen).Session.ID())
	}
	listed, err := srv.Sessions(0)
	if err != nil || len(listed) != 3 {
		t.Fatalf("Sessions: %v %v", listed, err)
	}
	for i := range ids {
		if listed[i] != ids[i] {
			t.Fatalf("listed %v, opened %v", listed, ids)
		}
	}
	clients[0].send(`["abc"]`)
	nextOf(t, srv, EventMessage)
	value := func(name, transport string) uint64 {
		ms, err := srv.Metrics()
		if err != nil {
			t.Fatal(err)
		}
		var v uint64
		for _, m := range ms {
			if m.Name == name && m.Service == 0 && (transport == "" || m.Transport == transport) {
				v += m.Value
			}
		}
		return v
	}
	if v := value("sockjs_sessions_open", "websocket"); v != 3 {
		t.Fatalf("sessions_open %d", v)
	}
	if v := value("sockjs_message_bytes_received_total", ""); v != 3 {
		t.Fatalf("bytes received %d", v)
	}
	n, err := srv.CloseSessions(0, 4000, "maintenance")
	if err != nil || n != 3 {
		t.Fatalf("CloseSessions: %d %v", n, err)
	}
	for _, ws := range clients {
		for _, want := range []string{"o", `c[4000,"maintenance"]`} {
			if got, err := ws.recv(); err != nil || got != want {
				t.Fatalf("got %q %v, want %q", got, err, want)
			}
		}
	}
	for range clients {
		if ev := nextOf(t, srv, EventClose); ev.Code != 4000 {
			t.Fatalf("close %v", ev)
		}
	}
	if listed, _ := srv.Sessions(-1); len(listed) != 0 {
		t.Fatalf("still listed: %v", listed)
	}
	if v := value("sockjs_sessions_closed_total", ""); v != 3 {
		t.Fatalf("sessions_closed %d", v)
	}
	text, err := srv.MetricsPrometheus()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"# TYPE sockjs_sessions_open gauge", "# TYPE sockjs_sessions_opened_total counter",
		"# TYPE sockjs_messages_received_total counter", `sockjs_sessions_opened_total{service="/echo",transport="websocket"} 3`} {
		if !strings.Contains(text, want) {
			t.Fatalf("prometheus text lacks %q:\n%s", want, text)
		}
	}
}

// lockedBuffer is a slog handler's writer shared with the test goroutine.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestLogEventsGoToSlog(t *testing.T) {
	for _, level := range []slog.Level{slog.LevelDebug, slog.LevelWarn} {
		var out lockedBuffer
		logger := slog.New(slog.NewTextHandler(&out, &slog.HandlerOptions{Level: level}))
		srv, base := listenOn(t, Options{Logger: logger, Services: []ServiceOptions{{Prefix: "/echo", HeartbeatDelay: -1}}})
		ws, err := dialWS(wsURL(sessionURL(base+"/echo")) + "/websocket")
		if err != nil {
			t.Fatal(err)
		}
		nextOf(t, srv, EventOpen)
		ws.close()
		nextOf(t, srv, EventClose)
		// Drain what is left; no event of another type may surface.
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		for {
			ev, err := srv.Next(ctx)
			if err != nil {
				break
			}
			t.Fatalf("unexpected event %v", ev)
		}
		cancel()
		text := out.String()
		if level == slog.LevelDebug {
			if !strings.Contains(text, "level=DEBUG") || !strings.Contains(text, "/echo/") || !strings.Contains(text, "level=INFO") {
				t.Fatalf("debug log:\n%s", text)
			}
		} else if strings.Contains(text, "level=DEBUG") || strings.Contains(text, "level=INFO") {
			t.Fatalf("warn-level log has lower levels:\n%s", text)
		}
	}
	// Silent by default: no Logger, no LOG events at all.
	srv, base := listenOn(t, Options{Services: []ServiceOptions{{Prefix: "/echo"}}})
	get(t, base+"/echo/info")
	if ms, _ := srv.Metrics(); len(ms) == 0 {
		t.Fatal("no metrics")
	}
}
