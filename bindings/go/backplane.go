package sockjs

import (
	"net"
	"strconv"
	"time"
)

// BackplaneOptions join a server to a cluster through Redis pub/sub
// (Options.Backplane). Every Publish, Broadcast and PublishTo another
// node's session then also goes to Redis, and what the other nodes publish
// is delivered here: each session gets a message exactly once (a node's
// own publishes are delivered locally, never again from Redis), and the
// messages of one publishing goroutine stay in order.
//
// Listen mode only: the backplane runs on the library's own I/O loop, so
// Handler panics and NewHandler returns ErrListenOnly. Listen does not
// accept connections before the node is subscribed, and fails with ErrIO
// when Redis cannot be reached within ConnectTimeout. Later outages are
// survived: sessions stay open, local publishing goes on, publishes for
// the other nodes are held up to BufferLimit (what does not fit is dropped
// and counted), the node reconnects with backoff and subscribes again.
// What other nodes publish during an outage does not reach this node. The
// sockjs_backplane_* metrics show the state and counters.
type BackplaneOptions struct {
	// Redis address, "host:port": an IP address, or a name resolved on
	// each connection attempt. Required.
	RedisAddr string
	// The Redis pub/sub channel the nodes of one cluster share (default
	// "sockjs"), 1..255 bytes.
	Channel string
	// Bytes of publishes held while Redis is unreachable, and the most
	// bytes awaiting Redis's replies (default 1 MiB).
	BufferLimit int
	// How long Listen waits for Redis, and how long one connection
	// attempt may take before it is retried (default 5s, at most 10m).
	ConnectTimeout time.Duration
}

// redisHostPort splits RedisAddr; the library checks the rest.
func (b *BackplaneOptions) redisHostPort() (string, int, error) {
	bad := func(why string) error {
		return &Error{Code: StatusInvalidArgument, Op: "backplane", Detail: "RedisAddr " + strconv.Quote(b.RedisAddr) + ": " + why}
	}
	host, ps, err := net.SplitHostPort(b.RedisAddr)
	if err != nil {
		return "", 0, bad(err.Error())
	}
	port, err := strconv.Atoi(ps)
	if err != nil || port < 1 || port > 65535 {
		return "", 0, bad("port is not 1..65535")
	}
	if host == "" {
		return "", 0, bad("no host")
	}
	return host, port, nil
}
