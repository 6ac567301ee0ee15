package sockjs

import (
	"context"
	"io"
	"net"
	"sync"
	"time"
	"unsafe"
)

// feeder drives a server in feed mode (sockjs_server_stream_*): Go owns
// the sockets and the clock. A feed-mode server is single-threaded, so mu
// serialises every C call on it; no I/O ever happens under mu.
type feeder struct {
	mu       sync.Mutex
	streams  map[uint64]*stream // open streams, for dirty notifications
	dirty    []uint64
	epoch    time.Time
	lastTick uint64
	timer    *time.Timer
	timerDue time.Time // zero when the timer is not armed

	// Receiving HTTP requests by session path, to settle a dropped one
	// before its successor is fed (see serveHTTP).
	receivers map[string][]*stream

	connMu sync.Mutex
	conns  map[net.Conn]struct{} // hijacked connections, closed by Close
	closed bool
}

// startFeed switches the server to feed mode (once).
func (s *Server) startFeed() error {
	s.modeMu.Lock()
	defer s.modeMu.Unlock()
	switch s.mode.Load() {
	case modeFeeding:
		return nil
	case modeListening:
		return &Error{Code: StatusState, Op: "handler", Detail: "the server is listening"}
	}
	fd := &feeder{
		streams:   make(map[uint64]*stream),
		receivers: make(map[string][]*stream),
		conns:     make(map[net.Conn]struct{}),
		epoch:     time.Now(),
	}
	fd.timer = time.AfterFunc(time.Hour, func() { fd.onTimer(s) })
	fd.timer.Stop()
	// The clock must be set before the first stream opens.
	if err := s.locked(func(c unsafe.Pointer) error { return cTick(c, 0) }); err != nil {
		return err
	}
	s.feed = fd
	s.mode.Store(modeFeeding)
	return nil
}

func (fd *feeder) now() uint64 { return uint64(time.Since(fd.epoch).Milliseconds()) }

// op runs f under the lock with the engine clock up to date, then wakes
// the streams that have output and re-arms the timer.
func (fd *feeder) op(s *Server, f func(c unsafe.Pointer) error) error {
	return s.locked(func(c unsafe.Pointer) error {
		fd.tickLocked(c)
		err := f(c)
		fd.settleLocked(c)
		return err
	})
}

func (fd *feeder) tickLocked(c unsafe.Pointer) {
	if now := fd.now(); now > fd.lastTick {
		fd.lastTick = now
		cTick(c, now)
	}
}

func (fd *feeder) settleLocked(c unsafe.Pointer) {
	fd.dirty, _ = cDirty(c, fd.dirty[:0])
	for _, id := range fd.dirty {
		if st := fd.streams[id]; st != nil {
			st.notify()
		}
	}
	if t := cNextTimeout(c); t >= 0 {
		due := fd.epoch.Add(time.Duration(int64(fd.lastTick)+t) * time.Millisecond)
		if fd.timerDue.IsZero() || due.Before(fd.timerDue) {
			fd.timerDue = due
			fd.timer.Reset(time.Until(due))
		}
	}
}

func (fd *feeder) onTimer(s *Server) {
	s.locked(func(c unsafe.Pointer) error {
		fd.timerDue = time.Time{}
		fd.tickLocked(c)
		fd.settleLocked(c)
		return nil
	})
}

// shutdown is part of Server.Close: stop the clock and drop the sockets.
func (fd *feeder) shutdown() {
	fd.timer.Stop()
	fd.connMu.Lock()
	fd.closed = true
	for c := range fd.conns {
		c.Close()
	}
	fd.conns = nil
	fd.connMu.Unlock()
}

func (fd *feeder) track(c net.Conn) bool {
	fd.connMu.Lock()
	defer fd.connMu.Unlock()
	if fd.closed {
		return false
	}
	fd.conns[c] = struct{}{}
	return true
}

func (fd *feeder) untrack(c net.Conn) {
	fd.connMu.Lock()
	defer fd.connMu.Unlock()
	delete(fd.conns, c)
}

// stream is one host-owned connection. Read pulls the server's output for
// it (io.Reader), so the engine keeps whatever the peer has not taken yet
// and its send-buffer limits still apply.
type stream struct {
	srv    *Server
	fd     *feeder
	id     uint64
	wake   chan struct{}   // a token when the stream may have output
	ctx    context.Context // done when the connection is gone
	closed bool            // under fd.mu: stream_close was called
}

func (s *Server) openStream(ctx context.Context, remoteAddr string) (*stream, error) {
	host, ps, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host, ps = remoteAddr, "0"
	}
	port := 0
	for _, ch := range ps {
		if ch < '0' || ch > '9' {
			port = 0
			break
		}
		port = port*10 + int(ch-'0')
	}
	fd := s.feed
	st := &stream{srv: s, fd: fd, wake: make(chan struct{}, 1), ctx: ctx}
	err = fd.op(s, func(c unsafe.Pointer) error {
		id, err := cStreamOpen(c, host, port&0xffff)
		if err != nil {
			return err
		}
		st.id = id
		fd.streams[id] = st
		return nil
	})
	if err != nil {
		return nil, err
	}
	return st, nil
}

func (st *stream) notify() {
	select {
	case st.wake <- struct{}{}:
	default:
	}
}

func (st *stream) feed(b []byte) error {
	return st.fd.op(st.srv, func(c unsafe.Pointer) error {
		if st.closed {
			return io.ErrClosedPipe
		}
		return cFeed(c, st.id, b)
	})
}

// feedAndTake feeds b and takes the output it produced at once, in one
// locked step, so nothing the application sends meanwhile is mixed in.
func (st *stream) feedAndTake(b, out []byte) (int, error) {
	n := 0
	err := st.fd.op(st.srv, func(c unsafe.Pointer) error {
		if st.closed {
			return io.ErrClosedPipe
		}
		if err := cFeed(c, st.id, b); err != nil {
			return err
		}
		var err error
		n, _, err = cOutput(c, st.id, out)
		return err
	})
	return n, err
}

// Read returns output as it comes, and io.EOF once the server is done
// with the connection (wants_close) and everything was read.
func (st *stream) Read(p []byte) (int, error) {
	for {
		n, wc := 0, false
		err := st.fd.op(st.srv, func(c unsafe.Pointer) error {
			if st.closed {
				return io.EOF
			}
			var err error
			n, wc, err = cOutput(c, st.id, p)
			return err
		})
		if err != nil {
			return 0, err
		}
		if n > 0 {
			return n, nil
		}
		if wc {
			return 0, io.EOF
		}
		select {
		case <-st.wake:
		case <-st.ctx.Done():
			return 0, st.ctx.Err()
		case <-st.srv.done:
			return 0, errServerClosed
		}
	}
}

// close tells the server the connection is gone (once).
func (st *stream) close() {
	st.fd.op(st.srv, func(c unsafe.Pointer) error {
		if st.closed {
			return nil
		}
		st.closed = true
		delete(st.fd.streams, st.id)
		return cStreamClose(c, st.id)
	})
}
