package sockjs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

// Version is the version of the loaded libsockjs, e.g. "0.1.0".
func Version() string {
	_, s := libVersion()
	return s
}

const (
	modeUnstarted int32 = iota
	modeListening
	modeFeeding
)

var errServerClosed = &Error{Code: StatusClosed, Op: "server closed"}

// Server is a libsockjs server: a set of services served either by the
// library's own I/O thread (Listen) or from a net/http server (Handler).
// Events of both modes are read with Next or Events. A Server is an
// io.Closer; Close is idempotent.
type Server struct {
	// life is held for reading around every C call and for writing by
	// Close while it frees the C server; c is nil afterwards.
	life sync.RWMutex
	c    unsafe.Pointer

	closeOnce sync.Once
	done      chan struct{} // closed by Close

	mode   atomic.Int32
	modeMu sync.Mutex
	feed   *feeder // set once, before mode becomes modeFeeding

	// The event consumer: one Next at a time (nextSem), waiting on a dup
	// of the event fd through the runtime poller.
	nextSem  chan struct{}
	evFile   *os.File
	evRaw    syscall.RawConn
	pending  []Event
	rawBuf   []rawEvent
	finished bool // EventServerClosed was returned

	sessMu   sync.Mutex
	sessions map[ConnID]*Session

	logger *slog.Logger // nil: the library was told to stay silent

	backplane bool // Options.Backplane was set: listen mode only
}

// NewServer creates a server and adds opts.Services. It fails with
// ErrNoCgo when built without cgo.
func NewServer(opts Options) (*Server, error) {
	if num, str := libVersion(); headerVersion != 0 && num>>16 != headerVersion>>16 {
		return nil, &Error{Code: StatusState, Op: "new",
			Detail: fmt.Sprintf("libsockjs %s does not match the header's major version", str)}
	}
	c, err := cNew(&opts)
	if err != nil {
		return nil, err
	}
	s := &Server{
		c:        c,
		done:     make(chan struct{}),
		nextSem:  make(chan struct{}, 1),
		sessions: make(map[ConnID]*Session),
		logger:   opts.Logger,

		backplane: opts.Backplane != nil,
	}
	if err := s.openEventFile(); err != nil {
		cFree(c)
		return nil, err
	}
	runtime.SetFinalizer(s, (*Server).Close)
	for _, so := range opts.Services {
		if _, err := s.AddService(so); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

// openEventFile dups the event fd (os.File closes what it owns) and hands
// it to the runtime poller, so Next parks a goroutine, never an OS thread.
func (s *Server) openEventFile() error {
	fd := cEventFD(s.c)
	if fd < 0 {
		return statusError("event_fd", fd)
	}
	dup, err := syscall.Dup(fd)
	if err != nil {
		return &Error{Code: StatusIO, Op: "event_fd", Detail: err.Error()}
	}
	syscall.CloseOnExec(dup)
	if err := syscall.SetNonblock(dup, true); err != nil {
		syscall.Close(dup)
		return &Error{Code: StatusIO, Op: "event_fd", Detail: err.Error()}
	}
	s.evFile = os.NewFile(uintptr(dup), "sockjs-events")
	s.evRaw, err = s.evFile.SyscallConn()
	if err != nil {
		s.evFile.Close()
		return &Error{Code: StatusIO, Op: "event_fd", Detail: err.Error()}
	}
	return nil
}

// locked runs f with the C server alive; in feed mode also under the feed
// lock, since a feed-mode server is single-threaded.
func (s *Server) locked(f func(c unsafe.Pointer) error) error {
	s.life.RLock()
	defer s.life.RUnlock()
	if s.c == nil {
		return errServerClosed
	}
	if fd := s.feeder(); fd != nil {
		fd.mu.Lock()
		defer fd.mu.Unlock()
	}
	err := f(s.c)
	runtime.KeepAlive(s)
	return err
}

// op is locked for calls that may produce output: in feed mode the clock
// is brought up to date first, and dirty streams and the timer are looked
// after once f returns.
func (s *Server) op(f func(c unsafe.Pointer) error) error {
	fd := s.feeder()
	if fd == nil {
		return s.locked(f)
	}
	return fd.op(s, f)
}

func (s *Server) feeder() *feeder {
	if s.mode.Load() == modeFeeding {
		return s.feed
	}
	return nil
}

// AddService adds a SockJS endpoint and returns its id (the Service of its
// events). Only before Listen or Handler.
func (s *Server) AddService(o ServiceOptions) (int, error) {
	id := -1
	err := s.locked(func(c unsafe.Pointer) error {
		var err error
		id, err = cAddService(c, &o)
		return err
	})
	return id, err
}

// Listen starts the library's I/O thread on addr ("host:port"; port 0
// picks a free one; an empty host means all IPv4 interfaces) and returns
// the bound address.
func (s *Server) Listen(addr string) (*net.TCPAddr, error) {
	host, ps, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, &Error{Code: StatusInvalidArgument, Op: "listen", Detail: err.Error()}
	}
	port, err := strconv.Atoi(ps)
	if err != nil || port < 0 || port > 65535 {
		return nil, &Error{Code: StatusInvalidArgument, Op: "listen", Detail: "bad port " + ps}
	}
	if host == "" {
		host = "0.0.0.0"
	}
	s.modeMu.Lock()
	defer s.modeMu.Unlock()
	if s.mode.Load() != modeUnstarted {
		return nil, &Error{Code: StatusState, Op: "listen", Detail: "already serving"}
	}
	bound := 0
	err = s.locked(func(c unsafe.Pointer) error {
		var err error
		bound, err = cListen(c, host, port)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.mode.Store(modeListening)
	return &net.TCPAddr{IP: net.ParseIP(host), Port: bound}, nil
}

// Send queues one UTF-8 message to a session; see Session.Send. Safe from
// any goroutine.
func (s *Server) Send(id ConnID, msg []byte) error {
	return s.op(func(c unsafe.Pointer) error { return cSend(c, uint64(id), msg) })
}

// SendString is Send for a string.
func (s *Server) SendString(id ConnID, msg string) error {
	return s.op(func(c unsafe.Pointer) error { return cSendString(c, uint64(id), msg) })
}

// CloseConn closes a session; see Session.Close.
func (s *Server) CloseConn(id ConnID, code int, reason string) error {
	return s.op(func(c unsafe.Pointer) error { return cCloseConn(c, uint64(id), code, reason) })
}

func (s *Server) respond(id ConnID, status int, contentType, headers string, body []byte) error {
	return s.op(func(c unsafe.Pointer) error {
		return cRespond(c, uint64(id), status, contentType, headers, body)
	})
}

// Session returns the open session with this id, or nil.
func (s *Server) Session(id ConnID) *Session {
	s.sessMu.Lock()
	defer s.sessMu.Unlock()
	return s.sessions[id]
}

// Shutdown starts a graceful shutdown: no new connections, every session
// closed with 1001 "Going away", queued output written for at most
// Options.ShutdownTimeout. The event stream then ends with
// EventServerClosed, after which Close frees the server. It does not wait.
func (s *Server) Shutdown() error {
	return s.op(func(c unsafe.Pointer) error { return cShutdown(c) })
}

// Close frees the server at once (sessions are dropped without events).
// It wakes a waiting Next, which returns ErrClosed. Calling it again does
// nothing. Always returns nil.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		runtime.SetFinalizer(s, nil)
		close(s.done)
		s.evFile.Close() // wakes Next
		if s.feed != nil {
			s.feed.shutdown()
		}
		s.life.Lock()
		cFree(s.c)
		s.c = nil
		s.life.Unlock()
	})
	return nil
}

// Next returns the next event, waiting for one until ctx is done. It
// parks the goroutine in the runtime poller (no OS thread waits in C).
// After EventServerClosed, or once the server is closed, it returns
// ErrClosed. Concurrent calls are served one at a time.
func (s *Server) Next(ctx context.Context) (Event, error) {
	select {
	case s.nextSem <- struct{}{}:
	case <-ctx.Done():
		return Event{}, ctx.Err()
	case <-s.done:
		return Event{}, errServerClosed
	}
	defer func() { <-s.nextSem }()
	for {
		if len(s.pending) > 0 {
			ev := s.pending[0]
			s.pending[0] = Event{}
			s.pending = s.pending[1:]
			if ev.Type == EventServerClosed {
				s.finished = true
			}
			return ev, nil
		}
		if s.finished {
			return Event{}, errServerClosed
		}
		if err := ctx.Err(); err != nil {
			return Event{}, err
		}
		if err := s.wait(ctx); err != nil {
			return Event{}, err
		}
	}
}

// wait fills s.pending, parking in the poller while the queue is empty.
func (s *Server) wait(ctx context.Context) error {
	var fired chan struct{}
	var stop func() bool
	if ctx.Done() != nil {
		fired = make(chan struct{})
		stop = context.AfterFunc(ctx, func() {
			// A deadline in the past makes the parked Read return.
			s.evFile.SetReadDeadline(time.Unix(1, 0))
			close(fired)
		})
	}
	var perr error
	err := s.evRaw.Read(func(uintptr) bool {
		perr = s.pollOnce()
		return perr != nil || len(s.pending) > 0
	})
	if stop != nil && !stop() {
		<-fired
		s.evFile.SetReadDeadline(time.Time{})
	}
	if perr != nil {
		return perr
	}
	if err != nil {
		if errors.Is(err, os.ErrDeadlineExceeded) && ctx.Err() != nil {
			return ctx.Err()
		}
		select {
		case <-s.done:
			return errServerClosed
		default:
		}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return nil // a stale deadline: just wait again
		}
		return &Error{Code: StatusIO, Op: "wait", Detail: err.Error()}
	}
	return nil
}

// pollOnce takes what is queued and turns it into Events.
func (s *Server) pollOnce() error {
	raw := s.rawBuf[:0]
	err := s.locked(func(c unsafe.Pointer) error {
		var err error
		raw, err = cPoll(c, raw)
		return err
	})
	for i := range raw {
		if raw[i].typ == eventLog { // to the logger, never to the application
			s.log(raw[i].code, string(raw[i].data))
			raw[i] = rawEvent{}
			continue
		}
		s.pending = append(s.pending, s.toEvent(&raw[i]))
		raw[i] = rawEvent{}
	}
	s.rawBuf = raw[:0]
	return err
}

func (s *Server) toEvent(r *rawEvent) Event {
	ev := Event{Type: r.typ, Service: r.service}
	id := ConnID(r.conn)
	s.sessMu.Lock()
	defer s.sessMu.Unlock()
	switch r.typ {
	case EventOpen:
		sess := &Session{srv: s, id: id, service: r.service}
		if in := r.info; in != nil {
			sess.prefix, sess.transport, sess.remote = in.prefix, in.transport, in.remote
			sess.method, sess.url, sess.header = in.method, in.url, in.header
			sess.query, sess.client = in.query, in.client
		}
		if sess.transport == "" {
			sess.transport = string(r.data)
		}
		s.sessions[id] = sess
		ev.Session = sess
	case EventMessage, EventDrain, EventClose:
		sess := s.sessions[id]
		if sess == nil {
			sess = &Session{srv: s, id: id, service: r.service}
		}
		ev.Session = sess
		if r.typ == EventMessage {
			ev.Data = r.data
		}
		if r.typ == EventClose {
			ev.Code, ev.Reason = r.code, string(r.data)
			delete(s.sessions, id)
		}
	case EventRequest:
		req := &Request{srv: s, id: id, method: string(r.data), header: http.Header{}}
		if in := r.info; in != nil {
			req.method, req.url, req.remote, req.header = in.method, in.url, in.remote, in.header
		}
		ev.Service = -1
		ev.Request = req
	case EventServerClosed:
		ev.Service = -1
	}
	return ev
}

// Events delivers events on a channel until ctx is done, the server is
// closed, or after EventServerClosed; then the channel is closed.
func (s *Server) Events(ctx context.Context) <-chan Event {
	ch := make(chan Event)
	go func() {
		defer close(ch)
		for {
			ev, err := s.Next(ctx)
			if err != nil {
				return
			}
			select {
			case ch <- ev:
			case <-ctx.Done():
				return
			}
			if ev.Type == EventServerClosed {
				return
			}
		}
	}()
	return ch
}
