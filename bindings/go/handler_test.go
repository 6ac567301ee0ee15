//go:build cgo

package sockjs

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func handlerEcho(t *testing.T) (*Server, *httptest.Server) {
	t.Helper()
	srv := newEchoServer(t)
	mux := http.NewServeMux()
	h := srv.Handler()
	mux.Handle("/echo", h)
	mux.Handle("/echo/", h)
	mux.HandleFunc("/static/hello.txt", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "static hello")
	})
	hs := httptest.NewServer(mux)
	t.Cleanup(hs.Close)
	return srv, hs
}

func TestHandlerTransports(t *testing.T) {
	srv, hs := handlerEcho(t)
	_, stop := echoApp(t, srv)
	defer stop()
	exerciseTransports(t, hs.URL+"/echo")
}

func TestHandlerSessionInfo(t *testing.T) {
	srv, hs := handlerEcho(t)
	opened, stop := echoApp(t, srv)
	defer stop()
	ws, err := dialWS(wsURL(sessionURL(hs.URL+"/echo") + "/websocket"))
	if err != nil {
		t.Fatal(err)
	}
	defer ws.close()
	select {
	case s := <-opened:
		if s.Transport() != "websocket" || !strings.HasPrefix(s.RemoteAddr(), "127.0.0.1:") ||
			s.Header().Get("Origin") == "" {
			t.Fatalf("session info: %q %q %v", s.Transport(), s.RemoteAddr(), s.Header())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no open event")
	}
}

// The connection stays net/http's after a SockJS answer: the next request
// on it reaches another handler of the mux.
func TestHandlerKeepAliveSharesConnection(t *testing.T) {
	srv, hs := handlerEcho(t)
	_, stop := echoApp(t, srv)
	defer stop()
	conn, err := net.Dial("tcp", hs.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	br := bufio.NewReader(conn)
	for _, path := range []string{"/echo/info", "/static/hello.txt", "/echo"} {
		fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", path)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || len(body) == 0 {
			t.Fatalf("%s: %d %q", path, resp.StatusCode, body)
		}
		if path == "/static/hello.txt" && string(body) != "static hello" {
			t.Fatalf("static: %q", body)
		}
	}
}

// Dropping a streaming receiver ends the session (1002) as with the
// library's own I/O; the CLOSE event arrives through Next.
func TestHandlerClientDropClosesSession(t *testing.T) {
	srv, hs := handlerEcho(t)
	u := sessionURL(hs.URL + "/echo")
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "POST", u+"/xhr_streaming", nil)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	wctx, wcancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer wcancel()
	ev, err := srv.Next(wctx)
	if err != nil || ev.Type != EventOpen {
		t.Fatal(ev, err)
	}
	cancel()
	resp.Body.Close()
	ev, err = srv.Next(wctx)
	if err != nil || ev.Type != EventClose || ev.Code != 1002 {
		t.Fatalf("after the drop: %v %v", ev, err)
	}
}

// Timers run in feed mode: the session of an unpolled xhr expires after
// the disconnect delay.
func TestHandlerTimersExpireSession(t *testing.T) {
	srv, err := NewServer(Options{Services: []ServiceOptions{{Prefix: "/echo", DisconnectDelay: 200 * time.Millisecond}}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	u := sessionURL(hs.URL + "/echo")
	post(t, u+"/xhr", "", "")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	for {
		ev, err := srv.Next(ctx)
		if err != nil {
			t.Fatalf("waiting for the expiry: %v", err)
		}
		if ev.Type == EventClose {
			if ev.Code != 1001 || time.Since(start) < 100*time.Millisecond {
				t.Fatalf("close %v after %v", ev, time.Since(start))
			}
			return
		}
	}
}

func TestHandlerAfterListenPanics(t *testing.T) {
	srv := newEchoServer(t)
	if _, err := srv.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("Handler on a listening server did not panic")
		}
	}()
	srv.Handler()
}

func TestHandlerCloseDropsConnections(t *testing.T) {
	srv, hs := handlerEcho(t)
	ws, err := dialWS(wsURL(hs.URL + "/echo/websocket"))
	if err != nil {
		t.Fatal(err)
	}
	defer ws.close()
	srv.Close()
	if _, err := ws.recv(); err == nil {
		t.Fatal("connection still open after Close")
	}
	code, _, _ := get(t, hs.URL+"/echo/info")
	if code != http.StatusServiceUnavailable {
		t.Fatalf("after Close: status %d", code)
	}
}
