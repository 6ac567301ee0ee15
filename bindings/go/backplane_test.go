//go:build cgo

package sockjs

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func nodeOptions(id uint16, bp *BackplaneOptions) Options {
	return Options{NodeID: id, Backplane: bp,
		Services: []ServiceOptions{{Prefix: "/chat", HeartbeatDelay: -1}}}
}

func metricValue(t *testing.T, srv *Server, name string) uint64 {
	t.Helper()
	ms, err := srv.Metrics()
	must(t, "metrics", err)
	for _, m := range ms {
		if m.Name == name {
			return m.Value
		}
	}
	t.Fatalf("no metric %s", name)
	return 0
}

// Two nodes of one cluster in this process, a client on each (plus a
// non-member on node 2). Each step ends with a broadcast marker from the
// step's publishing node: messages of one publisher arrive in order
// (through Redis too), so a client whose next message is the marker got
// no duplicate and nothing it should not have.
func TestBackplaneTwoNodes(t *testing.T) {
	redis := startRedis(t)
	b := make([]byte, 6)
	rand.Read(b)
	bp := &BackplaneOptions{RedisAddr: redis, Channel: "gotest-" + hex.EncodeToString(b),
		ConnectTimeout: 5 * time.Second, BufferLimit: 1 << 16}
	n1, base1 := listenOn(t, nodeOptions(1, bp))
	n2, base2 := listenOn(t, nodeOptions(2, bp))

	x := wsPeer(t, "x(node 1)", base1+"/chat", false)
	sx := nextOf(t, n1, EventOpen).Session
	y := wsPeer(t, "y(node 2)", base2+"/chat", false)
	sy := nextOf(t, n2, EventOpen).Session
	z := wsPeer(t, "z(node 2, no channel)", base2+"/chat", true)
	sz := nextOf(t, n2, EventOpen).Session
	if sx.ID().Node() != 1 || sy.ID().Node() != 2 || sz.ID().Node() != 2 {
		t.Fatalf("session ids %#x %#x %#x: nodes %d %d %d", uint64(sx.ID()), uint64(sy.ID()), uint64(sz.ID()),
			sx.ID().Node(), sy.ID().Node(), sz.ID().Node())
	}

	// Joined, as each node confirms: a PublishTo of a local session is a
	// send, ordered after the join made before it.
	must(t, "join x", sx.Join("room"))
	must(t, "join y", sy.Join("room"))
	must(t, "confirm x", n1.PublishToString(sx.ID(), "joined"))
	must(t, "confirm y", n2.PublishToString(sy.ID(), "joined"))
	x.expect(t, "joined")
	y.expect(t, "joined")

	// A channel publish on node 1: once to its own member (locally, never
	// again from Redis), once to node 2's member, not to z.
	must(t, "publish", n1.PublishString(0, "room", "hello"))
	must(t, "marker", n1.BroadcastString(0, "end1"))
	x.expect(t, "hello", "end1")
	y.expect(t, "hello", "end1")
	z.expect(t, "end1")
	// Redis hands node 1 the messages of the channel in the order it took
	// them, node 1's own first: were any delivered again, x would read it
	// before node 2's marker.
	must(t, "marker", n2.BroadcastString(0, "end2"))
	x.expect(t, "end2")
	y.expect(t, "end2")
	z.expect(t, "end2")

	// PublishTo another node's session goes through Redis; an id no node
	// has is handed over and dropped there.
	must(t, "publish to y", n1.PublishToString(sy.ID(), "to-y"))
	must(t, "publish to a gone id", n1.PublishToString(ConnID(2)<<48|1<<40, "ghost"))
	must(t, "marker", n1.BroadcastString(0, "end3"))
	x.expect(t, "end3")
	y.expect(t, "to-y", "end3")
	z.expect(t, "end3")
	must(t, "publish to x", n2.PublishTo(sx.ID(), []byte("to-x")))
	must(t, "marker", n2.BroadcastString(0, "end4"))
	x.expect(t, "to-x", "end4")
	y.expect(t, "end4")
	z.expect(t, "end4")

	for i, n := range []*Server{n1, n2} {
		if st := metricValue(t, n, "sockjs_backplane_state"); st != 2 {
			t.Errorf("node %d: sockjs_backplane_state %d, want 2 (up)", i+1, st)
		}
	}
	// Node 1 has had every envelope of the channel up to end4 (x got it
	// through Redis): its own 5 (hello, end1, to-y, ghost, end3) and node
	// 2's 3 (end2, to-x, end4).
	if got := metricValue(t, n1, "sockjs_backplane_received_total"); got != 8 {
		t.Errorf("node 1: sockjs_backplane_received_total %d, want 8", got)
	}
}

// Listen fails with ErrIO when Redis cannot be reached in time.
func TestBackplaneUnreachable(t *testing.T) {
	port := freePort(t) // closed again: nothing listens there
	srv, err := NewServer(nodeOptions(1, &BackplaneOptions{
		RedisAddr: fmt.Sprintf("127.0.0.1:%d", port), ConnectTimeout: 300 * time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	addr, err := srv.Listen("127.0.0.1:0")
	if !errors.Is(err, ErrIO) {
		t.Fatalf("Listen with Redis unreachable: %v %v, want ErrIO", addr, err)
	}
	var e *Error
	if !errors.As(err, &e) || e.Op != "listen" || !strings.Contains(e.Error(), "Redis") {
		t.Fatalf("error %#v", err)
	}
}

// The backplane runs on the library's own I/O loop: no Handler with it.
func TestBackplaneNeedsListen(t *testing.T) {
	srv, err := NewServer(nodeOptions(1, &BackplaneOptions{RedisAddr: "127.0.0.1:6379"}))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	h, err := srv.NewHandler()
	if h != nil || !errors.Is(err, ErrListenOnly) || !errors.Is(err, ErrState) {
		t.Fatalf("NewHandler with a backplane: %v %v", h, err)
	}
	func() {
		defer func() {
			if r := recover(); r == nil || !errors.Is(r.(error), ErrListenOnly) {
				t.Fatalf("Handler with a backplane: panic %v", r)
			}
		}()
		srv.Handler()
	}()
	// Without a backplane NewHandler works, and fails once listening.
	plain := newEchoServer(t)
	if _, err := plain.NewHandler(); err != nil {
		t.Fatalf("NewHandler: %v", err)
	}
	listening, _ := listenOn(t, chatOptions())
	if _, err := listening.NewHandler(); !errors.Is(err, ErrState) || errors.Is(err, ErrListenOnly) {
		t.Fatalf("NewHandler after Listen: %v", err)
	}
}

func TestBackplaneOptionsRefused(t *testing.T) {
	for _, bp := range []BackplaneOptions{
		{},
		{RedisAddr: "127.0.0.1"},
		{RedisAddr: ":6379"},
		{RedisAddr: "127.0.0.1:0"},
		{RedisAddr: "127.0.0.1:65536"},
		{RedisAddr: "127.0.0.1:6379", Channel: strings.Repeat("c", 256)},
		{RedisAddr: "127.0.0.1:6379", Channel: "a\x00b"},
		{RedisAddr: "127.0.0.1:6379", BufferLimit: -1},
		{RedisAddr: "127.0.0.1:6379", ConnectTimeout: -time.Second},
		{RedisAddr: "127.0.0.1:6379", ConnectTimeout: 11 * time.Minute},
	} {
		srv, err := NewServer(nodeOptions(1, &bp))
		if !errors.Is(err, ErrInvalidArgument) {
			if srv != nil {
				srv.Close()
			}
			t.Errorf("%+v: %v, want ErrInvalidArgument", bp, err)
		}
	}
	srv, err := NewServer(nodeOptions(1, &BackplaneOptions{RedisAddr: "[::1]:6379", Channel: strings.Repeat("c", 255),
		BufferLimit: 1, ConnectTimeout: 10 * time.Minute}))
	if err != nil {
		t.Fatalf("valid options: %v", err)
	}
	srv.Close()
}
