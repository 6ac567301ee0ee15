// sockjs-testserver-go: the services of sockjs-testserver (the conformance
// suite's /echo, /disabled_websocket_echo, /cookie_needed_echo, /close,
// plus /ticker, /amplify and /broadcast), written with the Go binding.
//
//	sockjs-testserver-go --host 127.0.0.1 --port 8081 [--sockjs-url URL] [--mode listen|handler]
//
// --mode=listen serves from the library's own I/O thread; --mode=handler
// mounts Server.Handler on a net/http server. Stops on SIGINT or SIGTERM.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	sockjs "github.com/libsockjs/libsockjs/bindings/go"
)

const (
	echo = iota
	disabledWS
	cookie
	closeSvc
	ticker
	amplify
	broadcast
)

var prefixes = []string{"/echo", "/disabled_websocket_echo", "/cookie_needed_echo",
	"/close", "/ticker", "/amplify", "/broadcast"}

func main() {
	host := flag.String("host", "127.0.0.1", "address to bind")
	port := flag.Int("port", 8081, "TCP port (0 picks a free one)")
	sockjsURL := flag.String("sockjs-url", "", "sockjs-client URL for the iframe page")
	mode := flag.String("mode", "listen", "listen (library I/O thread) or handler (net/http)")
	flag.Parse()

	opts := sockjs.Options{}
	for i, p := range prefixes {
		so := sockjs.ServiceOptions{Prefix: p, SockJSURL: *sockjsURL}
		switch i {
		case echo:
			so.ResponseLimit = 4096
		case disabledWS:
			so.DisableWebSocket = true
		case cookie:
			so.JSessionID = true
		}
		opts.Services = append(opts.Services, so)
	}
	srv, err := sockjs.NewServer(opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, "sockjs-testserver-go:", err)
		os.Exit(1)
	}
	defer srv.Close()

	var httpSrv *http.Server
	switch *mode {
	case "listen":
		addr, err := srv.Listen(net.JoinHostPort(*host, strconv.Itoa(*port)))
		if err != nil {
			fmt.Fprintln(os.Stderr, "sockjs-testserver-go:", err)
			os.Exit(1)
		}
		*port = addr.Port
	case "handler":
		ln, err := net.Listen("tcp", net.JoinHostPort(*host, strconv.Itoa(*port)))
		if err != nil {
			fmt.Fprintln(os.Stderr, "sockjs-testserver-go:", err)
			os.Exit(1)
		}
		*port = ln.Addr().(*net.TCPAddr).Port
		// Every path goes to the library, which answers 404 for the
		// unknown ones, exactly as in listen mode.
		httpSrv = &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 30 * time.Second}
		go httpSrv.Serve(ln)
	default:
		fmt.Fprintln(os.Stderr, "sockjs-testserver-go: --mode must be listen or handler")
		os.Exit(2)
	}
	fmt.Printf("sockjs-testserver-go listening on http://%s:%d\n", *host, *port)

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		<-sig
		srv.Shutdown()
	}()
	run(srv)
	if httpSrv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		httpSrv.Shutdown(ctx)
		cancel()
	}
}

// run is the application: one goroutine reading events, plus the ticker.
// /ticker and /broadcast reach every session of their service with one
// Broadcast (escaped once), so the application keeps no session sets.
func run(srv *sockjs.Server) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	events := srv.Events(context.Background())
	for {
		select {
		case <-tick.C:
			srv.BroadcastString(ticker, "tick!")
		case ev, ok := <-events:
			if !ok {
				return
			}
			switch ev.Type {
			case sockjs.EventOpen:
				if ev.Service == closeSvc {
					ev.Session.Close(3000, "Go away!")
				}
			case sockjs.EventMessage:
				onMessage(srv, ev)
			case sockjs.EventServerClosed:
				return
			}
		}
	}
}

func onMessage(srv *sockjs.Server, ev sockjs.Event) {
	switch ev.Service {
	case amplify:
		n, _ := strconv.Atoi(strings.TrimSpace(string(ev.Data)))
		if n < 1 {
			n = 1
		}
		if n > 19 {
			n = 19
		}
		ev.Session.SendString(strings.Repeat("x", 1<<n))
	case broadcast:
		srv.Broadcast(broadcast, ev.Data)
	case ticker, closeSvc:
	default:
		ev.Session.Send(ev.Data)
	}
}
