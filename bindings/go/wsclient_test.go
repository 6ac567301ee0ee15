//go:build cgo

package sockjs

// A minimal RFC 6455 client, just enough for the tests: handshake, masked
// text frames out, text/close frames in (pings answered).

import (
	"bufio"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

type wsClient struct {
	conn net.Conn
	br   *bufio.Reader
}

var errWSClosed = errors.New("websocket closed")

type wsCloseError struct {
	code   int
	reason string
}

func (e *wsCloseError) Error() string { return fmt.Sprintf("closed %d %q", e.code, e.reason) }

// dialWS connects with a same-origin Origin header, as a browser would.
func dialWS(rawURL string) (*wsClient, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, err
	}
	return dialWSOrigin(rawURL, "http://"+u.Host)
}

// handshakeError is a refused upgrade: the HTTP status instead of 101.
type handshakeError struct{ status int }

func (e *handshakeError) Error() string { return fmt.Sprintf("handshake status %d", e.status) }

// dialWSOrigin connects with the given Origin header ("" sends none).
func dialWSOrigin(rawURL, origin string) (*wsClient, error) {
	return dialWSExtra(rawURL, origin, "")
}

// dialWSExtra also sends extra header lines, each ending in "\r\n".
func dialWSExtra(rawURL, origin, extra string) (*wsClient, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, err
	}
	originLine := ""
	if origin != "" {
		originLine = "Origin: " + origin + "\r\n"
	}
	originLine += extra
	conn, err := net.DialTimeout("tcp", u.Host, 5*time.Second)
	if err != nil {
		return nil, err
	}
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	keyBytes := make([]byte, 16)
	rand.Read(keyBytes)
	key := base64.StdEncoding.EncodeToString(keyBytes)
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n%s\r\n",
		u.RequestURI(), u.Host, key, originLine)
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, &http.Request{Method: "GET"})
	if err != nil {
		conn.Close()
		return nil, err
	}
	if resp.StatusCode != 101 {
		conn.Close()
		return nil, &handshakeError{resp.StatusCode}
	}
	h := sha1.Sum([]byte(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	if resp.Header.Get("Sec-Websocket-Accept") != base64.StdEncoding.EncodeToString(h[:]) {
		conn.Close()
		return nil, errors.New("bad Sec-WebSocket-Accept")
	}
	return &wsClient{conn: conn, br: br}, nil
}

func (c *wsClient) writeFrame(op byte, payload []byte) error {
	hdr := []byte{0x80 | op}
	switch n := len(payload); {
	case n < 126:
		hdr = append(hdr, 0x80|byte(n))
	case n < 65536:
		hdr = append(hdr, 0x80|126, byte(n>>8), byte(n))
	default:
		hdr = append(hdr, 0x80|127)
		hdr = binary.BigEndian.AppendUint64(hdr, uint64(n))
	}
	mask := make([]byte, 4)
	rand.Read(mask)
	hdr = append(hdr, mask...)
	masked := make([]byte, len(payload))
	for i, b := range payload {
		masked[i] = b ^ mask[i%4]
	}
	_, err := c.conn.Write(append(hdr, masked...))
	return err
}

func (c *wsClient) send(text string) error { return c.writeFrame(1, []byte(text)) }

// recv returns the next text message; a close frame gives *wsCloseError.
func (c *wsClient) recv() (string, error) {
	for {
		var h [2]byte
		if _, err := io.ReadFull(c.br, h[:]); err != nil {
			return "", err
		}
		op := h[0] & 0x0f
		n := uint64(h[1] & 0x7f)
		switch n {
		case 126:
			var b [2]byte
			if _, err := io.ReadFull(c.br, b[:]); err != nil {
				return "", err
			}
			n = uint64(binary.BigEndian.Uint16(b[:]))
		case 127:
			var b [8]byte
			if _, err := io.ReadFull(c.br, b[:]); err != nil {
				return "", err
			}
			n = binary.BigEndian.Uint64(b[:])
		}
		payload := make([]byte, n)
		if _, err := io.ReadFull(c.br, payload); err != nil {
			return "", err
		}
		switch op {
		case 1:
			return string(payload), nil
		case 8:
			e := &wsCloseError{code: 1005}
			if len(payload) >= 2 {
				e.code = int(binary.BigEndian.Uint16(payload))
				e.reason = string(payload[2:])
			}
			return "", e
		case 9:
			c.writeFrame(10, payload)
		}
	}
}

func (c *wsClient) close() { c.conn.Close() }

// wsURL turns http://host/path into ws://host/path.
func wsURL(base string) string { return "ws" + strings.TrimPrefix(base, "http") }
