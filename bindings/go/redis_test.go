//go:build cgo

package sockjs

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// freePort returns a 127.0.0.1 port that was free a moment ago, below the
// kernel's ephemeral range: there, another test's outgoing connection could
// take it before redis-server binds it.
func freePort(t *testing.T) int {
	t.Helper()
	low := 32768
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		if f := strings.Fields(string(b)); len(f) > 0 {
			if n, err := strconv.Atoi(f[0]); err == nil {
				low = n
			}
		}
	}
	first := 1024
	if low > 13024 {
		first = low - 12000
	}
	for i := 0; i < 200; i++ {
		port := first + rand.Intn(low-first)
		l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
		if err != nil {
			continue
		}
		l.Close()
		return port
	}
	t.Fatal("no free loopback port below the ephemeral range")
	return 0
}

// syncBuffer collects a child's output while tests read it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startRedis runs a private redis-server on a free loopback port, without
// persistence, until the test ends (killed by PID), and returns its
// address once it answers PING. Without redis-server the test fails: the
// backplane test is part of the suite, not optional.
func startRedis(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatalf("redis-server not found (%v): the backplane tests need it; "+
			"install it with scripts/install-deps.sh --cluster (Debian: apt-get install redis-server)", err)
	}
	var lastOut string
	// The port may be taken between freePort and redis-server's bind: try
	// another one then.
	for attempt := 0; attempt < 3; attempt++ {
		port := freePort(t)
		cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
			"--save", "", "--appendonly", "no")
		out := &syncBuffer{}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatalf("starting %s: %v", bin, err)
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		stop := func() {
			cmd.Process.Kill()
			<-exited
		}
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		if redisAnswers(addr, exited) {
			t.Cleanup(stop)
			return addr
		}
		stop()
		lastOut = out.String()
	}
	t.Fatalf("redis-server did not start; its output:\n%s", lastOut)
	return ""
}

// redisAnswers waits (at most 10s) until the server at addr answers PING,
// or the process exits.
func redisAnswers(addr string, exited <-chan struct{}) bool {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return false
		default:
		}
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.SetDeadline(time.Now().Add(2 * time.Second))
			fmt.Fprint(c, "PING\r\n")
			line, err := bufio.NewReader(c).ReadString('\n')
			c.Close()
			if err == nil && line == "+PONG\r\n" {
				return true
			}
		}
		time.Sleep(20 * time.Millisecond) // polling for readiness, not an assertion
	}
	return false
}
