//go:build cgo

package sockjs

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// echoApp echoes every message and reports each opened session.
func echoApp(t *testing.T, srv *Server) (opened <-chan *Session, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan *Session, 64)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range srv.Events(ctx) {
			switch ev.Type {
			case EventOpen:
				select {
				case ch <- ev.Session:
				default:
				}
			case EventMessage:
				ev.Session.Send(ev.Data)
			}
		}
	}()
	return ch, func() { cancel(); <-done }
}

func newEchoServer(t *testing.T) *Server {
	t.Helper()
	srv, err := NewServer(Options{Services: []ServiceOptions{{Prefix: "/echo"}}})
	if err != nil {
		t.Fatalf("NewServer: %v", err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

func sessionURL(base string) string {
	b := make([]byte, 8)
	rand.Read(b)
	return base + "/000/" + hex.EncodeToString(b)
}

var client = &http.Client{Timeout: 10 * time.Second}

func post(t *testing.T, u, ctype, body string) (int, string) {
	t.Helper()
	resp, err := client.Post(u, ctype, strings.NewReader(body))
	if err != nil {
		t.Fatalf("POST %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func get(t *testing.T, u string) (int, string, http.Header) {
	t.Helper()
	resp, err := client.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

// streamReader opens a streaming request and reads it piece by piece.
type streamReader struct {
	resp *http.Response
	br   *bufio.Reader
}

func openStream(t *testing.T, method, u string) *streamReader {
	t.Helper()
	req, _ := http.NewRequest(method, u, nil)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != 200 {
		t.Fatalf("%s %s: status %d", method, u, resp.StatusCode)
	}
	return &streamReader{resp: resp, br: bufio.NewReader(resp.Body)}
}

// until reads until the text read so far contains want.
func (s *streamReader) until(t *testing.T, want string) string {
	t.Helper()
	var got strings.Builder
	buf := make([]byte, 4096)
	for !strings.Contains(got.String(), want) {
		n, err := s.br.Read(buf)
		got.Write(buf[:n])
		if err != nil {
			t.Fatalf("reading stream for %q: %v (got %q)", want, err, got.String())
		}
	}
	return got.String()
}

// exerciseTransports opens an echo session over every transport of the
// service at base (e.g. http://127.0.0.1:1234/echo) and checks a round trip.
func exerciseTransports(t *testing.T, base string) {
	t.Run("greeting", func(t *testing.T) {
		code, body, _ := get(t, base)
		if code != 200 || body != "Welcome to SockJS!\n" {
			t.Fatalf("greeting: %d %q", code, body)
		}
		code, body, hdr := get(t, base+"/info")
		if code != 200 || !strings.Contains(body, `"websocket":true`) {
			t.Fatalf("info: %d %q", code, body)
		}
		if !strings.HasPrefix(hdr.Get("Content-Type"), "application/json") {
			t.Fatalf("info content type %q", hdr.Get("Content-Type"))
		}
	})
	t.Run("xhr", func(t *testing.T) {
		u := sessionURL(base)
		if code, body := post(t, u+"/xhr", "", ""); code != 200 || body != "o\n" {
			t.Fatalf("open: %d %q", code, body)
		}
		if code, body := post(t, u+"/xhr_send", "text/plain", `["a","b\u00e9"]`); code != 204 {
			t.Fatalf("xhr_send: %d %q", code, body)
		}
		// The application echoes each message on its own: they may come
		// back in one poll or two.
		var got string
		for !strings.Contains(got, "b\u00e9") {
			code, body := post(t, u+"/xhr", "", "")
			if code != 200 || !strings.HasPrefix(body, "a[") {
				t.Fatalf("poll: %d %q", code, body)
			}
			got += body
		}
		if got != "a[\"a\",\"b\u00e9\"]\n" && got != "a[\"a\"]\na[\"b\u00e9\"]\n" {
			t.Fatalf("polled %q", got)
		}
	})
	t.Run("xhr_streaming", func(t *testing.T) {
		u := sessionURL(base)
		s := openStream(t, "POST", u+"/xhr_streaming")
		s.until(t, strings.Repeat("h", 2048)+"\no\n")
		post(t, u+"/xhr_send", "text/plain", `["stream"]`)
		s.until(t, "a[\"stream\"]\n")
	})
	t.Run("eventsource", func(t *testing.T) {
		u := sessionURL(base)
		s := openStream(t, "GET", u+"/eventsource")
		if ct := s.resp.Header.Get("Content-Type"); ct != "text/event-stream" {
			t.Fatalf("content type %q", ct)
		}
		s.until(t, "data: o\r\n\r\n")
		post(t, u+"/xhr_send", "text/plain", `["es"]`)
		s.until(t, "data: a[\"es\"]\r\n\r\n")
	})
	t.Run("htmlfile", func(t *testing.T) {
		u := sessionURL(base)
		s := openStream(t, "GET", u+"/htmlfile?c=cb")
		s.until(t, `p("o");`)
		post(t, u+"/xhr_send", "text/plain", `["hf"]`)
		s.until(t, `p("a[\"hf\"]");`)
	})
	t.Run("jsonp", func(t *testing.T) {
		u := sessionURL(base)
		if code, body, _ := get(t, u+"/jsonp?c=cb"); code != 200 || body != "/**/cb(\"o\");\r\n" {
			t.Fatalf("open: %d %q", code, body)
		}
		form := "d=" + url.QueryEscape(`["jp"]`)
		if code, body := post(t, u+"/jsonp_send", "application/x-www-form-urlencoded", form); code != 200 || body != "ok" {
			t.Fatalf("jsonp_send: %d %q", code, body)
		}
		if code, body, _ := get(t, u+"/jsonp?c=cb"); code != 200 || body != "/**/cb(\"a[\\\"jp\\\"]\");\r\n" {
			t.Fatalf("poll: %d %q", code, body)
		}
	})
	t.Run("websocket", func(t *testing.T) {
		ws, err := dialWS(wsURL(sessionURL(base) + "/websocket"))
		if err != nil {
			t.Fatal(err)
		}
		defer ws.close()
		if m, err := ws.recv(); err != nil || m != "o" {
			t.Fatalf("open frame: %q %v", m, err)
		}
		ws.send(`["ws1","ws2"]`)
		var got string
		for !strings.Contains(got, "ws2") {
			m, err := ws.recv()
			if err != nil {
				t.Fatal(err)
			}
			got += m
		}
		if got != `a["ws1"]a["ws2"]` && got != `a["ws1","ws2"]` {
			t.Fatalf("echo: %q", got)
		}
	})
	t.Run("websocket_raw", func(t *testing.T) {
		ws, err := dialWS(wsURL(base + "/websocket"))
		if err != nil {
			t.Fatal(err)
		}
		defer ws.close()
		big := strings.Repeat("z", 70000)
		for _, msg := range []string{"raw hello", big} {
			ws.send(msg)
			if m, err := ws.recv(); err != nil || m != msg {
				t.Fatalf("echo of %d bytes: %d bytes, %v", len(msg), len(m), err)
			}
		}
	})
}
