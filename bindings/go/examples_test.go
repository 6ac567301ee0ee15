//go:build cgo

package sockjs

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// buildPrograms compiles the examples and the test server once.
func buildPrograms(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command("go", "build", "-o", dir+string(filepath.Separator),
		"./cmd/sockjs-testserver-go", "./examples/echo", "./examples/nethttp")
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("go build: %v", err)
	}
	return dir
}

var listeningRE = regexp.MustCompile(`listening on (http://[0-9.]+:[0-9]+)`)

// runProgram starts a program, waits for its "listening on" line and
// returns the base URL; the process is stopped when the test ends.
func runProgram(t *testing.T, path string, args ...string) (string, *exec.Cmd) {
	t.Helper()
	cmd := exec.Command(path, args...)
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	lines := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(out).ReadString('\n')
		lines <- line
	}()
	select {
	case line := <-lines:
		m := listeningRE.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("%s printed %q", filepath.Base(path), line)
		}
		return m[1], cmd
	case <-time.After(10 * time.Second):
		t.Fatalf("%s did not start", filepath.Base(path))
	}
	return "", nil
}

func TestPrograms(t *testing.T) {
	bin := buildPrograms(t)

	t.Run("echo", func(t *testing.T) {
		base, _ := runProgram(t, filepath.Join(bin, "echo"), "--port", "0")
		base += "/echo"
		u := sessionURL(base)
		post(t, u+"/xhr", "", "")
		post(t, u+"/xhr_send", "text/plain", `["ex"]`)
		if _, body := post(t, u+"/xhr", "", ""); body != "a[\"ex\"]\n" {
			t.Fatalf("echo example: %q", body)
		}
	})

	t.Run("nethttp", func(t *testing.T) {
		base, _ := runProgram(t, filepath.Join(bin, "nethttp"), "--port", "0")
		if code, body, _ := get(t, base+"/"); code != 200 || !strings.Contains(body, "new SockJS('/echo')") {
			t.Fatalf("static page: %d %q", code, body)
		}
		exerciseTransports(t, base+"/echo")
	})

	for _, mode := range []string{"listen", "handler"} {
		t.Run("testserver-"+mode, func(t *testing.T) {
			base, cmd := runProgram(t, filepath.Join(bin, "sockjs-testserver-go"),
				"--host", "127.0.0.1", "--port", "0", "--mode", mode)
			exerciseTransports(t, base+"/echo")
			if _, body, _ := get(t, base+"/disabled_websocket_echo/info"); !strings.Contains(body, `"websocket":false`) {
				t.Fatalf("disabled websocket info: %q", body)
			}
			if _, body, _ := get(t, base+"/cookie_needed_echo/info"); !strings.Contains(body, `"cookie_needed":true`) {
				t.Fatalf("cookie info: %q", body)
			}
			u := sessionURL(base + "/close")
			if _, body := post(t, u+"/xhr", "", ""); body != "o\n" {
				t.Fatalf("close open: %q", body)
			}
			if _, body := post(t, u+"/xhr", "", ""); body != "c[3000,\"Go away!\"]\n" {
				t.Fatalf("close frame: %q", body)
			}
			ws, err := dialWS(wsURL(base + "/amplify/websocket"))
			if err != nil {
				t.Fatal(err)
			}
			ws.send("4")
			if m, err := ws.recv(); err != nil || m != strings.Repeat("x", 16) {
				t.Fatalf("amplify: %q %v", m, err)
			}
			ws.close()
			// /broadcast: one message reaches every session of the
			// service (both exist once their upgrades were answered).
			var bc [2]*wsClient
			for i := range bc {
				if bc[i], err = dialWS(wsURL(base + "/broadcast/websocket")); err != nil {
					t.Fatal(err)
				}
				defer bc[i].close()
			}
			bc[1].send("to all")
			for i, c := range bc {
				if m, err := c.recv(); err != nil || m != "to all" {
					t.Fatalf("broadcast client %d: %q %v", i, m, err)
				}
			}
			// SIGTERM: graceful shutdown, then exit 0.
			cmd.Process.Signal(syscall.SIGTERM)
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				var ee *exec.ExitError
				if errors.As(err, &ee) {
					t.Fatalf("exit after SIGTERM: %v", err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("no exit after SIGTERM")
			}
		})
	}
}
