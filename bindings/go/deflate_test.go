//go:build cgo

package sockjs

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// upgradeExtensions sends a WebSocket upgrade offering permessage-deflate and
// returns the Sec-WebSocket-Extensions values of the 101.
func upgradeExtensions(t *testing.T, addr, path string) []string {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"+
		"Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n", path, addr)
	resp, err := http.ReadResponse(bufio.NewReader(conn), &http.Request{Method: "GET"})
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if resp.StatusCode != 101 {
		t.Fatalf("%s: status %d", path, resp.StatusCode)
	}
	return resp.Header.Values("Sec-Websocket-Extensions")
}

func TestPermessageDeflateOption(t *testing.T) {
	srv, err := NewServer(Options{Services: []ServiceOptions{
		{Prefix: "/plain", HeartbeatDelay: -1},
		{Prefix: "/deflate", HeartbeatDelay: -1, PermessageDeflate: true, DeflateThreshold: -1},
	}})
	if err != nil {
		t.Fatalf("NewServer: %v", err)
	}
	defer srv.Close()
	tcp, err := srv.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatalf("Listen: %v", err)
	}
	addr := tcp.String()
	for _, p := range []string{"/deflate/websocket", "/deflate/000/abcd/websocket"} {
		ext := upgradeExtensions(t, addr, p)
		if len(ext) != 1 || !strings.HasPrefix(ext[0], "permessage-deflate") {
			t.Errorf("%s: extensions %q, want permessage-deflate", p, ext)
		}
	}
	for _, p := range []string{"/plain/websocket", "/plain/000/abcd/websocket"} {
		if ext := upgradeExtensions(t, addr, p); len(ext) != 0 {
			t.Errorf("%s: extensions %q, want none", p, ext)
		}
	}
}
