// echoclient drives a SockJS echo service over raw WebSocket for the
// benchmark: --conns connections, each sending --msgs messages of --size
// bytes, one at a time (send, wait for the echo). Prints messages/second.
package main

import (
	"bufio"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"
)

func main() {
	target := flag.String("url", "ws://127.0.0.1:8081/echo/websocket", "raw WebSocket URL")
	conns := flag.Int("conns", 10, "connections")
	msgs := flag.Int("msgs", 2000, "messages per connection")
	size := flag.Int("size", 64, "message size in bytes")
	flag.Parse()
	payload := []byte(strings.Repeat("m", *size))
	var wg sync.WaitGroup
	start := time.Now()
	errs := make(chan error, *conns)
	for i := 0; i < *conns; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := run(*target, payload, *msgs); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	el := time.Since(start)
	close(errs)
	for err := range errs {
		fmt.Fprintln(os.Stderr, "echoclient:", err)
		os.Exit(1)
	}
	total := *conns * *msgs
	fmt.Printf("%d messages in %.2fs: %.0f msg/s\n", total, el.Seconds(), float64(total)/el.Seconds())
}

func run(target string, payload []byte, n int) error {
	u, err := url.Parse(target)
	if err != nil {
		return err
	}
	c, err := net.Dial("tcp", u.Host)
	if err != nil {
		return err
	}
	defer c.Close()
	key := make([]byte, 16)
	rand.Read(key)
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n",
		u.RequestURI(), u.Host, base64.StdEncoding.EncodeToString(key))
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, &http.Request{Method: "GET"})
	if err != nil || resp.StatusCode != 101 {
		return fmt.Errorf("handshake: %v", err)
	}
	frame := make([]byte, 0, len(payload)+14)
	frame = append(frame, 0x81)
	if len(payload) < 126 {
		frame = append(frame, 0x80|byte(len(payload)))
	} else {
		frame = append(frame, 0x80|126)
		frame = binary.BigEndian.AppendUint16(frame, uint16(len(payload)))
	}
	frame = append(frame, 0, 0, 0, 0) // zero mask: payload as is
	frame = append(frame, payload...)
	hdr := make([]byte, 4)
	body := make([]byte, 65536)
	for i := 0; i < n; i++ {
		if _, err := c.Write(frame); err != nil {
			return err
		}
		if _, err := io.ReadFull(br, hdr[:2]); err != nil {
			return err
		}
		ln := int(hdr[1] & 0x7f)
		if ln == 126 {
			if _, err := io.ReadFull(br, hdr[2:4]); err != nil {
				return err
			}
			ln = int(binary.BigEndian.Uint16(hdr[2:4]))
		}
		if _, err := io.ReadFull(br, body[:ln]); err != nil {
			return err
		}
	}
	return nil
}
