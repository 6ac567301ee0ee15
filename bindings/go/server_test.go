//go:build cgo

package sockjs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func listenEcho(t *testing.T) (*Server, string) {
	t.Helper()
	srv := newEchoServer(t)
	addr, err := srv.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatalf("Listen: %v", err)
	}
	return srv, fmt.Sprintf("http://127.0.0.1:%d/echo", addr.Port)
}

func TestListenTransports(t *testing.T) {
	srv, base := listenEcho(t)
	_, stop := echoApp(t, srv)
	defer stop()
	exerciseTransports(t, base)
}

func TestNextTimeoutThenEvent(t *testing.T) {
	srv, base := listenEcho(t)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := srv.Next(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Next on an idle server: %v", err)
	}
	// The cancelled wait must not spoil the next one.
	u := sessionURL(base)
	go func() {
		if resp, err := client.Post(u+"/xhr", "", nil); err == nil {
			resp.Body.Close()
		}
	}()
	ctx2, cancel2 := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel2()
	ev, err := srv.Next(ctx2)
	if err != nil || ev.Type != EventOpen {
		t.Fatalf("Next after a timeout: %v %v", ev, err)
	}
	s := ev.Session
	if s.Transport() != "xhr-polling" || !strings.HasPrefix(s.RemoteAddr(), "127.0.0.1:") ||
		s.Prefix() != "/echo" || s.Header().Get("Host") == "" || srv.Session(s.ID()) != s {
		t.Fatalf("session info: %q %q %q %v", s.Transport(), s.RemoteAddr(), s.Prefix(), s.Header())
	}
}

func TestSessionLifecycleAndErrors(t *testing.T) {
	srv, base := listenEcho(t)
	if err := srv.SendString(12345, "x"); !errors.Is(err, ErrUnknownSession) {
		t.Fatalf("send to unknown session: %v", err)
	}
	if err := srv.SendString(12345, "x"); !errors.Is(err, ErrUnknownConn) {
		t.Fatalf("ErrUnknownConn alias: %v", err)
	}
	ws, err := dialWS(wsURL(base + "/websocket"))
	if err != nil {
		t.Fatal(err)
	}
	defer ws.close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ev, err := srv.Next(ctx)
	if err != nil || ev.Type != EventOpen || ev.Session.Transport() != "websocket-raw" {
		t.Fatalf("open: %v %v", ev, err)
	}
	sess := ev.Session
	if err := sess.Send([]byte{0xff}); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("invalid UTF-8: %v", err)
	}
	if err := sess.Close(4000, "bye"); err != nil {
		t.Fatal(err)
	}
	// Closing again: ErrClosed, or ErrUnknownSession if the I/O thread has
	// already finished the session.
	if err := sess.Close(4000, "again"); !errors.Is(err, ErrClosed) && !errors.Is(err, ErrUnknownSession) {
		t.Fatalf("second close: %v", err)
	}
	var ce *wsCloseError
	if _, err := ws.recv(); !errors.As(err, &ce) || ce.code != 4000 || ce.reason != "bye" {
		t.Fatalf("client saw %v", err)
	}
	ev, err = srv.Next(ctx)
	if err != nil || ev.Type != EventClose || ev.Session != sess || ev.Code != 4000 {
		t.Fatalf("close event: %v %v", ev, err)
	}
	if srv.Session(sess.ID()) != nil {
		t.Fatal("session still listed after its close")
	}
}

func TestCloseWakesNextAndIsIdempotent(t *testing.T) {
	srv := newEchoServer(t)
	if _, err := srv.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() {
		_, err := srv.Next(context.Background())
		errc <- err
	}()
	time.Sleep(50 * time.Millisecond)
	srv.Close()
	select {
	case err := <-errc:
		if !errors.Is(err, ErrClosed) {
			t.Fatalf("Next after Close: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not wake Next")
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if err := srv.SendString(1, "x"); !errors.Is(err, ErrClosed) {
		t.Fatalf("send after Close: %v", err)
	}
	if _, err := srv.Listen("127.0.0.1:0"); err == nil {
		t.Fatal("Listen after Close succeeded")
	}
}

func TestShutdownEndsEvents(t *testing.T) {
	srv, base := listenEcho(t)
	ws, err := dialWS(wsURL(sessionURL(base) + "/websocket"))
	if err != nil {
		t.Fatal(err)
	}
	defer ws.close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	events := srv.Events(ctx)
	if ev := <-events; ev.Type != EventOpen {
		t.Fatalf("first event %v", ev)
	}
	if err := srv.Shutdown(); err != nil {
		t.Fatal(err)
	}
	var types []EventType
	for ev := range events {
		types = append(types, ev.Type)
		if ev.Type == EventClose && (ev.Code != 1001 || ev.Reason != "Going away") {
			t.Fatalf("close on shutdown: %v", ev)
		}
	}
	if len(types) != 2 || types[0] != EventClose || types[1] != EventServerClosed {
		t.Fatalf("events after Shutdown: %v", types)
	}
	if _, err := srv.Next(ctx); !errors.Is(err, ErrClosed) {
		t.Fatalf("Next after EventServerClosed: %v", err)
	}
}

func TestBufferFullAndDrain(t *testing.T) {
	srv, err := NewServer(Options{Services: []ServiceOptions{{Prefix: "/echo", SendBufferLimit: 1024}}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	addr, err := srv.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := sessionURL(fmt.Sprintf("http://127.0.0.1:%d/echo", addr.Port))
	post(t, u+"/xhr", "", "") // opens the session; nobody polls now
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ev, err := srv.Next(ctx)
	if err != nil || ev.Type != EventOpen {
		t.Fatal(ev, err)
	}
	chunk := strings.Repeat("q", 400)
	var full error
	for i := 0; i < 100 && full == nil; i++ {
		full = ev.Session.SendString(chunk)
		if full == nil {
			time.Sleep(time.Millisecond) // listen mode: sends cross threads
		}
	}
	if !errors.Is(full, ErrBufferFull) {
		t.Fatalf("never got ErrBufferFull: %v", full)
	}
	post(t, u+"/xhr", "", "") // a poll takes the queue
	for {
		ev, err := srv.Next(ctx)
		if err != nil {
			t.Fatalf("waiting for drain: %v", err)
		}
		if ev.Type == EventDrain {
			break
		}
	}
}
