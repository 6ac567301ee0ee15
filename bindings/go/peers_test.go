//go:build cgo

package sockjs

// Clients that read SockJS messages one by one, whatever the framing, for
// tests that check exactly which messages a session got and in what order.

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// peer is one client session; recvFrame returns its next transport frame
// ("o", "h", "a[...]", "c[...]"), or a whole message for raw WebSocket.
type peer struct {
	name      string
	raw       bool
	recvFrame func() (string, error)
	queue     []string // messages of an array frame not yet returned
}

// next returns the next message, skipping open and heartbeat frames.
func (p *peer) next(t *testing.T) string {
	t.Helper()
	for len(p.queue) == 0 {
		f, err := p.recvFrame()
		if err != nil {
			t.Fatalf("%s: waiting for a message: %v", p.name, err)
		}
		if p.raw {
			return f
		}
		switch {
		case f == "o" || f == "h" || strings.Trim(f, "h") == "":
		case f[0] == 'a':
			var msgs []string
			if err := json.Unmarshal([]byte(f[1:]), &msgs); err != nil {
				t.Fatalf("%s: bad frame %q: %v", p.name, f, err)
			}
			p.queue = append(p.queue, msgs...)
		default:
			t.Fatalf("%s: unexpected frame %q", p.name, f)
		}
	}
	m := p.queue[0]
	p.queue = p.queue[1:]
	return m
}

// expect reads len(want) messages and checks them, in order. A message
// that should not have come shows up as a mismatch, since each test ends
// its expectations with a marker published after it.
func (p *peer) expect(t *testing.T, want ...string) {
	t.Helper()
	for i, w := range want {
		if got := p.next(t); got != w {
			t.Fatalf("%s: message %d is %q, want %q (expected %q)", p.name, i, got, w, want)
		}
	}
}

// wsPeer opens a SockJS WebSocket session (or a raw one) under base.
func wsPeer(t *testing.T, name, base string, raw bool) *peer {
	t.Helper()
	u := wsURL(sessionURL(base) + "/websocket")
	if raw {
		u = wsURL(base + "/websocket")
	}
	ws, err := dialWS(u)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	t.Cleanup(ws.close)
	return &peer{name: name, raw: raw, recvFrame: func() (string, error) {
		ws.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		return ws.recv()
	}}
}

// streamingPeer opens an xhr_streaming session under base; its frames are
// lines.
func streamingPeer(t *testing.T, name, base string) *peer {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "POST", sessionURL(base)+"/xhr_streaming", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != 200 {
		t.Fatalf("%s: status %d", name, resp.StatusCode)
	}
	br := bufio.NewReader(resp.Body)
	return &peer{name: name, recvFrame: func() (string, error) {
		line, err := br.ReadString('\n')
		return strings.TrimSuffix(line, "\n"), err
	}}
}
