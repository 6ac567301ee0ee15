// nethttp: SockJS mounted on a net/http server, next to static files.
//
//	go run ./examples/nethttp --port 8080
//
// Open http://127.0.0.1:8080/ in a browser: the page talks to /echo with
// sockjs-client. The library does the SockJS protocol; net/http owns the
// sockets (WebSocket requests are hijacked).
package main

import (
	"context"
	"embed"
	"flag"
	"fmt"
	"io/fs"
	"log"
	"net"
	"net/http"
	"strconv"

	sockjs "github.com/libsockjs/libsockjs/bindings/go"
)

//go:embed static
var static embed.FS

func main() {
	host := flag.String("host", "127.0.0.1", "address to bind")
	port := flag.Int("port", 8080, "TCP port (0 picks a free one)")
	flag.Parse()

	srv, err := sockjs.NewServer(sockjs.Options{
		Services: []sockjs.ServiceOptions{{Prefix: "/echo"}},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	files, _ := fs.Sub(static, "static")
	mux := http.NewServeMux()
	mux.Handle("/", http.FileServer(http.FS(files)))
	h := srv.Handler()
	mux.Handle("/echo", h) // the greeting, without ServeMux's redirect
	mux.Handle("/echo/", h)

	ln, err := net.Listen("tcp", net.JoinHostPort(*host, strconv.Itoa(*port)))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("nethttp listening on http://%s:%d/\n", *host, ln.Addr().(*net.TCPAddr).Port)
	go func() { log.Fatal(http.Serve(ln, mux)) }()

	for ev := range srv.Events(context.Background()) {
		if ev.Type == sockjs.EventMessage {
			ev.Session.Send(ev.Data)
		}
	}
}
