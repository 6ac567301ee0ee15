//go:build cgo

package sockjs

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// chatOptions: two services, so that channels and broadcasts can be seen
// to stay within theirs; no heartbeats, so a client reads only what the
// test publishes.
func chatOptions() Options {
	return Options{NodeID: 7, Services: []ServiceOptions{
		{Prefix: "/chat", HeartbeatDelay: -1},
		{Prefix: "/other", HeartbeatDelay: -1},
	}}
}

func TestChannelsListen(t *testing.T) {
	srv, base := listenOn(t, chatOptions())
	exerciseChannels(t, srv, base)
}

func TestChannelsHandler(t *testing.T) {
	srv, err := NewServer(chatOptions())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	mux := http.NewServeMux()
	h := srv.Handler()
	for _, p := range []string{"/chat", "/chat/", "/other", "/other/"} {
		mux.Handle(p, h)
	}
	hs := httptest.NewServer(mux)
	t.Cleanup(hs.Close)
	exerciseChannels(t, srv, hs.URL)
}

func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// exerciseChannels runs one scenario against a started server with the
// services of chatOptions at base. Every step ends with a broadcast marker
// after the publishes under test: since messages of one publisher arrive in
// order, a client whose next message is the marker got nothing else.
func exerciseChannels(t *testing.T, srv *Server, base string) {
	opened := func() *Session { return nextOf(t, srv, EventOpen).Session }
	a := wsPeer(t, "a(websocket)", base+"/chat", false)
	sa := opened()
	b := wsPeer(t, "b(websocket-raw)", base+"/chat", true)
	sb := opened()
	c := streamingPeer(t, "c(xhr_streaming)", base+"/chat")
	sc := opened()
	d := wsPeer(t, "d(/other)", base+"/other", false)
	sd := opened()
	if sa.Transport() != "websocket" || sb.Transport() != "websocket-raw" ||
		sc.Transport() != "xhr-streaming" || sd.Service() != 1 {
		t.Fatalf("sessions: %s %s %s service %d", sa.Transport(), sb.Transport(), sc.Transport(), sd.Service())
	}
	for _, s := range []*Session{sa, sb, sc, sd} {
		if s.ID().Node() != 7 {
			t.Fatalf("session id %#x: node %d, want 7", uint64(s.ID()), s.ID().Node())
		}
	}

	// Membership: joining twice is one membership; a channel of the same
	// name in another service is another channel.
	must(t, "join a", sa.Join("red"))
	must(t, "join a again", sa.Join("red"))
	must(t, "join b", sb.Join("red"))
	must(t, "join c", sc.Join("blue"))
	must(t, "join d (other service)", srv.Join(sd.ID(), "red"))
	hello := `say "hi" \ é ☃`
	must(t, "publish red", srv.PublishString(0, "red", hello))
	must(t, "publish blue", srv.Publish(0, "blue", []byte("b1")))
	must(t, "broadcast", srv.BroadcastString(0, "all1"))
	must(t, "broadcast other", srv.Broadcast(1, []byte("other1")))
	a.expect(t, hello, "all1")
	b.expect(t, hello, "all1")
	c.expect(t, "b1", "all1")
	d.expect(t, "other1")

	// Leave; leaving a channel one is not in does nothing.
	must(t, "leave a", sa.Leave("red"))
	must(t, "leave a again", sa.Leave("red"))
	must(t, "leave c (never joined)", srv.Leave(sc.ID(), "green"))
	must(t, "publish red", srv.PublishString(0, "red", "r2"))
	must(t, "broadcast", srv.BroadcastString(0, "all2"))
	a.expect(t, "all2")
	b.expect(t, "r2", "all2")
	c.expect(t, "all2")

	// One session by id.
	must(t, "publish to c", srv.PublishToString(sc.ID(), "to-c"))
	must(t, "publish to a", srv.PublishTo(sa.ID(), []byte("to-a")))
	must(t, "broadcast", srv.BroadcastString(0, "all3"))
	a.expect(t, "to-a", "all3")
	b.expect(t, "all3")
	c.expect(t, "to-c", "all3")

	// Refused calls deliver nothing.
	long := strings.Repeat("x", MaxChannelName)
	bad := []struct {
		what string
		err  error
		want error
	}{
		{"publish to an empty channel name", srv.PublishString(0, "", "no"), ErrInvalidArgument},
		{"publish to a name over 255 bytes", srv.PublishString(0, long+"x", "no"), ErrInvalidArgument},
		{"publish to a name with NUL", srv.PublishString(0, "red\x00blue", "no"), ErrInvalidArgument},
		{"publish to a name not UTF-8", srv.PublishString(0, "r\xffd", "no"), ErrInvalidArgument},
		{"publish a message not UTF-8", srv.Publish(0, "red", []byte{0xff}), ErrInvalidArgument},
		{"publish to no such service", srv.PublishString(2, "red", "no"), ErrInvalidArgument},
		{"broadcast to no such service", srv.BroadcastString(-1, "no"), ErrInvalidArgument},
		{"broadcast a message not UTF-8", srv.Broadcast(0, []byte{0xc3}), ErrInvalidArgument},
		{"join an empty name", sa.Join(""), ErrInvalidArgument},
		{"join a name over 255 bytes", sa.Join(long + "x"), ErrInvalidArgument},
		{"join a name with NUL", sa.Join("red\x00"), ErrInvalidArgument},
		{"leave an empty name", sa.Leave(""), ErrInvalidArgument},
		{"join for an unknown session", srv.Join(sa.ID()+1000, "red"), ErrUnknownSession},
		{"publish to an unknown session", srv.PublishToString(sa.ID()+1000, "no"), ErrUnknownSession},
		{"publish to another node without a backplane", srv.PublishToString(ConnID(3)<<48|1, "no"), ErrUnknownSession},
		{"publish to a message not UTF-8", srv.PublishTo(sa.ID(), []byte{0xff}), ErrInvalidArgument},
	}
	for _, tc := range bad {
		if !errors.Is(tc.err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.what, tc.err, tc.want)
		}
	}
	must(t, "join a 255-byte name", sb.Join(long))
	must(t, "publish to a 255-byte name", srv.PublishString(0, long, "long"))
	must(t, "broadcast", srv.BroadcastString(0, "all4"))
	a.expect(t, "all4")
	b.expect(t, "long", "all4")
	c.expect(t, "all4")

	// A closed session is out of its channels; the others carry on.
	must(t, "close b", sb.Close(1000, "bye"))
	if ev := nextOf(t, srv, EventClose); ev.Session.ID() != sb.ID() {
		t.Fatalf("close event for %v", ev)
	}
	if err := sb.Join("red"); !errors.Is(err, ErrUnknownSession) && !errors.Is(err, ErrClosed) {
		t.Fatalf("join after close: %v", err)
	}
	must(t, "publish red", srv.PublishString(0, "red", "r5"))
	must(t, "publish blue", srv.PublishString(0, "blue", "b5"))
	must(t, "broadcast", srv.BroadcastString(0, "all5"))
	a.expect(t, "all5")
	c.expect(t, "b5", "all5")

	// Every accepted publish or broadcast counts once for its service,
	// whether it reached anyone (r5 did not) or not; refused ones do not
	// count. All were processed by now: the last one reached a and c.
	want := map[int]uint64{0: 11, 1: 1}
	ms, err := srv.Metrics()
	must(t, "metrics", err)
	got := map[int]uint64{}
	for _, m := range ms {
		if m.Name == "sockjs_publishes_total" {
			got[m.Service] = m.Value
		}
	}
	for svc, n := range want {
		if got[svc] != n {
			t.Errorf("sockjs_publishes_total{service=%d} = %d, want %d", svc, got[svc], n)
		}
	}
}
