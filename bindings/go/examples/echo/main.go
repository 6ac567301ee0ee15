// echo: a standalone SockJS echo server on the library's own I/O thread.
//
//	go run ./examples/echo --port 8081
//
// Then point sockjs-client at http://127.0.0.1:8081/echo.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"os/signal"
	"strconv"

	sockjs "github.com/libsockjs/libsockjs/bindings/go"
)

func main() {
	host := flag.String("host", "127.0.0.1", "address to bind")
	port := flag.Int("port", 8081, "TCP port (0 picks a free one)")
	flag.Parse()

	srv, err := sockjs.NewServer(sockjs.Options{
		Services: []sockjs.ServiceOptions{{Prefix: "/echo"}},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	addr, err := srv.Listen(net.JoinHostPort(*host, strconv.Itoa(*port)))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("echo listening on http://%s:%d/echo\n", *host, addr.Port)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	for ev := range srv.Events(ctx) {
		switch ev.Type {
		case sockjs.EventOpen:
			log.Printf("open %d via %s from %s", ev.Session.ID(), ev.Session.Transport(), ev.Session.RemoteAddr())
		case sockjs.EventMessage:
			if err := ev.Session.Send(ev.Data); err != nil {
				log.Printf("send to %d: %v", ev.Session.ID(), err)
			}
		case sockjs.EventClose:
			log.Printf("close %d: %d %s", ev.Session.ID(), ev.Code, ev.Reason)
		}
	}
}
