//go:build cgo

package sockjs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// inBothModes runs f against a server made from opts, once listening on
// its own I/O thread and once mounted at "/" of a net/http server.
func inBothModes(t *testing.T, opts Options, f func(t *testing.T, srv *Server, root string)) {
	for _, mode := range []string{"listen", "handler"} {
		t.Run(mode, func(t *testing.T) {
			srv, err := NewServer(opts)
			if err != nil {
				t.Fatalf("NewServer: %v", err)
			}
			t.Cleanup(func() { srv.Close() })
			var root string
			if mode == "listen" {
				addr, err := srv.Listen("127.0.0.1:0")
				if err != nil {
					t.Fatalf("Listen: %v", err)
				}
				root = fmt.Sprintf("http://127.0.0.1:%d", addr.Port)
			} else {
				hs := httptest.NewServer(srv.Handler())
				t.Cleanup(hs.Close)
				root = hs.URL
			}
			f(t, srv, root)
		})
	}
}

// xhrOpen starts an xhr-polling session, with an Origin header unless "".
func xhrOpen(t *testing.T, base, origin string) (int, string, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, sessionURL(base)+"/xhr", nil)
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("POST: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func handshakeStatus(err error) int {
	var he *handshakeError
	if errors.As(err, &he) {
		return he.status
	}
	return 0
}

func TestAllowedOrigins(t *testing.T) {
	opts := Options{Services: []ServiceOptions{{
		Prefix:         "/echo",
		AllowedOrigins: []string{"https://app.example", "*.trusted.example"},
	}}}
	inBothModes(t, opts, func(t *testing.T, srv *Server, root string) {
		_, stop := echoApp(t, srv)
		defer stop()
		base := root + "/echo"
		wsu := wsURL(sessionURL(base) + "/websocket")

		// A foreign page is refused before the upgrade, and on xhr.
		if _, err := dialWSOrigin(wsu, "https://evil.example"); handshakeStatus(err) != 403 {
			t.Fatalf("foreign origin upgrade: %v", err)
		}
		if code, body, _ := xhrOpen(t, base, "https://evil.example"); code != 403 {
			t.Fatalf("foreign origin xhr: %d %q", code, body)
		}

		// Listed origins work, and CORS echoes them.
		ws, err := dialWSOrigin(wsURL(sessionURL(base)+"/websocket"), "https://app.example")
		if err != nil {
			t.Fatalf("allowed origin upgrade: %v", err)
		}
		defer ws.close()
		if m, err := ws.recv(); err != nil || m != "o" {
			t.Fatalf("open frame: %q %v", m, err)
		}
		ws.send(`["hi"]`)
		if m, err := ws.recv(); err != nil || m != `a["hi"]` {
			t.Fatalf("echo: %q %v", m, err)
		}
		code, body, h := xhrOpen(t, base, "http://a.b.trusted.example")
		if code != 200 || body != "o\n" || h.Get("Access-Control-Allow-Origin") != "http://a.b.trusted.example" {
			t.Fatalf("allowed origin xhr: %d %q %v", code, body, h)
		}

		// Without an Origin (a non-browser client) everything works.
		ws2, err := dialWSOrigin(wsURL(sessionURL(base)+"/websocket"), "")
		if err != nil {
			t.Fatalf("upgrade without Origin: %v", err)
		}
		ws2.close()
		if code, body, _ := xhrOpen(t, base, ""); code != 200 || body != "o\n" {
			t.Fatalf("xhr without Origin: %d %q", code, body)
		}
	})
}

func TestMaxSessions(t *testing.T) {
	opts := Options{
		// A short disconnect delay: a closed session keeps its slot until
		// then (it still answers its close frame to late requests).
		Services:          []ServiceOptions{{Prefix: "/echo", HeartbeatDelay: -1, DisconnectDelay: 100 * time.Millisecond}},
		MaxSessions:       1,
		MaxRequestHeaders: 50,
		MaxConnections:    100,
		TCPKeepAlive:      30 * time.Second,
	}
	inBothModes(t, opts, func(t *testing.T, srv *Server, root string) {
		opened, stop := echoApp(t, srv)
		defer stop()
		base := root + "/echo"
		first := sessionURL(base)
		if code, body := post(t, first+"/xhr", "", ""); code != 200 || body != "o\n" {
			t.Fatalf("first session: %d %q", code, body)
		}
		var sess *Session
		select {
		case sess = <-opened:
		case <-time.After(5 * time.Second):
			t.Fatal("no open event")
		}

		if code, body, _ := xhrOpen(t, base, ""); code != 503 {
			t.Fatalf("second session over xhr: %d %q", code, body)
		}
		if _, err := dialWS(wsURL(sessionURL(base) + "/websocket")); handshakeStatus(err) != 503 {
			t.Fatalf("second session over websocket: %v", err)
		}

		// The open session is still served.
		if code, _ := post(t, first+"/xhr_send", "text/plain", `["still here"]`); code != 204 {
			t.Fatalf("xhr_send: %d", code)
		}
		if code, body := post(t, first+"/xhr", "", ""); code != 200 || body != "a[\"still here\"]\n" {
			t.Fatalf("echo: %d %q", code, body)
		}

		// Once it is closed, a slot is free again (EventClose is what ends
		// a session's count; echoApp reads it).
		sess.Close(3000, "bye")
		if code, body := post(t, first+"/xhr", "", ""); code != 200 || body != "c[3000,\"bye\"]\n" {
			t.Fatalf("close frame: %d %q", code, body)
		}
		deadline := time.Now().Add(5 * time.Second)
		for {
			code, body, _ := xhrOpen(t, base, "")
			if code == 200 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("no session after the first closed: %d %q", code, body)
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
}

func TestForwardUnmatched(t *testing.T) {
	opts := Options{
		Services:         []ServiceOptions{{Prefix: "/echo"}},
		ForwardUnmatched: true,
	}
	inBothModes(t, opts, func(t *testing.T, srv *Server, root string) {
		type result struct {
			code int
			body string
			hdr  http.Header
		}
		done := make(chan result, 1)
		go func() {
			req, _ := http.NewRequest(http.MethodPost, root+"/page.html?x=1", strings.NewReader("form"))
			req.Header.Set("X-Custom", "yes")
			resp, err := client.Do(req)
			if err != nil {
				done <- result{code: -1, body: err.Error()}
				return
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			done <- result{resp.StatusCode, string(b), resp.Header}
		}()

		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		ev, err := srv.Next(ctx)
		if err != nil || ev.Type != EventRequest || ev.Request == nil || ev.Session != nil {
			t.Fatalf("want a request event: %v %v", ev, err)
		}
		req := ev.Request
		if req.Method() != "POST" || req.URL() != "/page.html?x=1" || req.Header().Get("X-Custom") != "yes" ||
			!strings.HasPrefix(req.RemoteAddr(), "127.0.0.1:") || ev.Service != -1 || req.ID() == 0 {
			t.Fatalf("request info: %v %q %q %v %q", ev, req.Method(), req.URL(), req.Header(), req.RemoteAddr())
		}
		if !strings.Contains(ev.String(), "/page.html") {
			t.Fatalf("String: %s", ev)
		}
		err = req.Respond(201, http.Header{"Content-Type": {"text/html"}, "X-Answer": {"42"}}, []byte("<p>made</p>"))
		if err != nil {
			t.Fatalf("Respond: %v", err)
		}
		select {
		case r := <-done:
			if r.code != 201 || r.body != "<p>made</p>" || r.hdr.Get("Content-Type") != "text/html" || r.hdr.Get("X-Answer") != "42" {
				t.Fatalf("response: %d %q %v", r.code, r.body, r.hdr)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("no response")
		}
		if err := req.Respond(200, nil, nil); !errors.Is(err, ErrUnknownSession) {
			t.Fatalf("second Respond: %v", err)
		}
	})
}

func TestRespondErrors(t *testing.T) {
	srv := newEchoServer(t)
	if _, err := srv.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	req := &Request{srv: srv, id: 999999}
	if err := req.Respond(200, nil, nil); !errors.Is(err, ErrUnknownSession) {
		t.Fatalf("unknown request: %v", err)
	}
	if err := req.Respond(101, nil, nil); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("status 101: %v", err)
	}
	if err := req.Respond(200, http.Header{"X-Bad": {"a\r\nInjected: 1"}}, nil); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("CRLF in a header: %v", err)
	}
}

func TestLimitOptionErrors(t *testing.T) {
	for _, o := range []Options{
		{Services: []ServiceOptions{{Prefix: "/x", AllowedOrigins: []string{"https://x.example/path"}}}},
		{Services: []ServiceOptions{{Prefix: "/x", AllowedOrigins: []string{"foo*.example"}}}},
		{MaxSessions: -1},
		{MaxConnections: -1},
		{TCPKeepAlive: 40000 * time.Second},
	} {
		if srv, err := NewServer(o); !errors.Is(err, ErrInvalidArgument) {
			if srv != nil {
				srv.Close()
			}
			t.Errorf("%+v: want ErrInvalidArgument, got %v", o, err)
		}
	}
	if keepAliveSeconds(-time.Second) != 0 || keepAliveSeconds(1500*time.Millisecond) != 2 {
		t.Error("keepAliveSeconds rounding")
	}
}
