package sockjs

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
	"time"
)

// Handler returns an http.Handler that serves the server's services from
// the caller's net/http server, through libsockjs' feed mode: the library
// does the whole SockJS protocol, Go owns the sockets. Mount it under each
// service's prefix without stripping the prefix:
//
//	mux.Handle("/echo", h)
//	mux.Handle("/echo/", h)
//
// Plain HTTP transports are answered through the ResponseWriter, so the
// connection stays net/http's (keep-alive, HTTP/2, middleware); WebSocket
// requests hijack the connection. Events are read with Next or Events as
// in listen mode. Handler panics with NewHandler's error: when the server
// is already listening (ErrState), or has Options.Backplane
// (ErrListenOnly).
func (s *Server) Handler() http.Handler {
	h, err := s.NewHandler()
	if err != nil {
		panic(err)
	}
	return h
}

// NewHandler is Handler returning its error instead of panicking: ErrState
// when the server is listening, ErrListenOnly (with ErrState) when it is
// configured with a backplane, which only Listen mode has. Channels
// (Join, Publish, PublishTo of this node's sessions) work in both modes.
func (s *Server) NewHandler() (http.Handler, error) {
	if s.backplane {
		return nil, &Error{Code: StatusState, Op: "handler", Err: ErrListenOnly,
			Detail: "Options.Backplane runs on the library's own I/O loop: serve with Listen, not Handler"}
	}
	if err := s.startFeed(); err != nil {
		return nil, err
	}
	return &handler{s: s}, nil
}

type handler struct{ s *Server }

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if isUpgrade(r) {
		if hj, ok := w.(http.Hijacker); ok {
			h.s.serveHijacked(w, r, hj)
			return
		}
	}
	h.s.serveHTTP(w, r)
}

func isUpgrade(r *http.Request) bool {
	return r.ProtoMajor == 1 && r.Header.Get("Upgrade") != "" &&
		headerHasToken(r.Header, "Connection", "upgrade")
}

func headerHasToken(h http.Header, name, token string) bool {
	for _, v := range h[name] {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// requestHead re-serialises the request line and headers net/http parsed.
// The body framing is added by the caller.
func requestHead(r *http.Request, skipExpect bool) *bytes.Buffer {
	var b bytes.Buffer
	uri := r.RequestURI
	if uri == "" || (uri[0] != '/' && uri != "*") {
		uri = r.URL.RequestURI() // HTTP/2, or an absolute-form target
	}
	proto := "HTTP/1.1"
	if r.ProtoMajor == 1 && r.ProtoMinor == 0 {
		proto = "HTTP/1.0"
	}
	b.Grow(512)
	b.WriteString(r.Method)
	b.WriteByte(' ')
	b.WriteString(uri)
	b.WriteByte(' ')
	b.WriteString(proto)
	b.WriteString("\r\nHost: ")
	b.WriteString(r.Host)
	b.WriteString("\r\n")
	for k, vs := range r.Header {
		switch k {
		case "Host", "Content-Length", "Transfer-Encoding", "Trailer":
			continue
		case "Expect":
			if skipExpect {
				continue
			}
		}
		for _, v := range vs {
			b.WriteString(k)
			b.WriteString(": ")
			b.WriteString(v)
			b.WriteString("\r\n")
		}
	}
	return &b
}

// sessionPath is the part of a session URL that names the session
// (".../<server>/<session>"), or "" for other URLs.
func sessionPath(path string) string {
	i := strings.LastIndexByte(path, '/')
	if i <= 0 {
		return ""
	}
	switch path[i+1:] {
	case "xhr", "xhr_streaming", "eventsource", "htmlfile", "jsonp":
		return path[:i]
	}
	return ""
}

// serveHTTP answers one plain HTTP request: feed it to a fresh stream,
// then translate the library's HTTP response onto w, one flushed write
// per chunk (the protocol needs each frame in a chunk of its own).
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	fd := s.feed
	key := sessionPath(r.URL.Path)
	if key != "" {
		fd.settleDropped(ctx, key)
	}
	st, err := s.openStream(ctx, r.RemoteAddr)
	if err != nil {
		http.Error(w, "SockJS server unavailable", http.StatusServiceUnavailable)
		return
	}
	defer st.close()
	if key != "" {
		fd.addReceiver(key, st)
		defer fd.removeReceiver(key, st)
	}

	head := requestHead(r, true)
	chunked := false
	switch {
	case r.ContentLength > 0 || (r.ContentLength == 0 && r.Method == http.MethodPost):
		head.WriteString("Content-Length: " + strconv.FormatInt(r.ContentLength, 10) + "\r\n")
	case r.ContentLength < 0:
		chunked = true
		head.WriteString("Transfer-Encoding: chunked\r\n")
	}
	head.WriteString("\r\n")
	if err := st.feed(head.Bytes()); err != nil {
		return
	}
	if r.ContentLength != 0 && r.Body != nil {
		if err := feedBody(st, r.Body, chunked); err != nil {
			return
		}
	}
	copyResponse(w, r, st)
}

func feedBody(st *stream, body io.Reader, chunked bool) error {
	buf := make([]byte, 32*1024)
	for {
		n, rerr := body.Read(buf)
		if n > 0 {
			var err error
			if chunked {
				b := make([]byte, 0, n+16)
				b = strconv.AppendInt(b, int64(n), 16)
				b = append(b, "\r\n"...)
				b = append(b, buf[:n]...)
				b = append(b, "\r\n"...)
				err = st.feed(b)
			} else {
				err = st.feed(buf[:n])
			}
			if err != nil {
				return err
			}
		}
		if rerr == io.EOF {
			if chunked {
				return st.feed([]byte("0\r\n\r\n"))
			}
			return nil
		}
		if rerr != nil {
			return rerr
		}
	}
}

var hopByHop = map[string]bool{
	"Connection": true, "Keep-Alive": true, "Transfer-Encoding": true,
	"Proxy-Connection": true, "Upgrade": true, "Te": true, "Trailer": true,
}

// copyResponse parses the library's response from st and replays it on w.
func copyResponse(w http.ResponseWriter, r *http.Request, st *stream) {
	br := bufio.NewReaderSize(st, 4096)
	tp := textproto.NewReader(br)
	line, err := tp.ReadLine()
	if err != nil {
		return
	}
	_, rest, _ := strings.Cut(line, " ")
	codeText, _, _ := strings.Cut(rest, " ")
	code, err := strconv.Atoi(codeText)
	if err != nil || code < 100 {
		return
	}
	hdr, err := tp.ReadMIMEHeader()
	if err != nil {
		return
	}
	wh := w.Header()
	for k, vs := range hdr {
		if !hopByHop[k] {
			wh[k] = vs
		}
	}
	if _, ok := wh["Content-Type"]; !ok {
		wh["Content-Type"] = nil // no sniffed type: some answers must have none
	}
	w.WriteHeader(code)
	if r.Method == http.MethodHead || code < 200 || code == 204 || code == 304 {
		return
	}
	flush := func() {}
	if f, ok := w.(http.Flusher); ok {
		flush = f.Flush
	}
	switch {
	case headerHasToken(http.Header(hdr), "Transfer-Encoding", "chunked"):
		buf := make([]byte, 4096)
		for {
			line, err := tp.ReadLine()
			if err != nil {
				return
			}
			sizeText, _, _ := strings.Cut(line, ";")
			size, err := strconv.ParseInt(strings.TrimSpace(sizeText), 16, 64)
			if err != nil || size < 0 {
				return
			}
			if size == 0 {
				return // the last chunk; the library sends no trailers
			}
			if int64(cap(buf)) < size {
				buf = make([]byte, size)
			}
			if _, err := io.ReadFull(br, buf[:size]); err != nil {
				return
			}
			if _, err := w.Write(buf[:size]); err != nil {
				return
			}
			flush()
			if _, err := tp.ReadLine(); err != nil { // the CRLF after the data
				return
			}
		}
	case hdr.Get("Content-Length") != "":
		n, err := strconv.ParseInt(hdr.Get("Content-Length"), 10, 64)
		if err == nil && n > 0 {
			io.CopyN(w, br, n)
		}
	default: // delimited by the end of the connection (HTTP/1.0 streaming)
		buf := make([]byte, 4096)
		for {
			n, err := br.Read(buf)
			if n > 0 {
				if _, werr := w.Write(buf[:n]); werr != nil {
					return
				}
				flush()
			}
			if err != nil {
				return
			}
		}
	}
}

// settleDropped handles a race the protocol suite checks: a client drops
// a parked request and at once sends the next one for the same session on
// another connection. net/http notices the drop on its own goroutine; give
// it a moment (at most 20 ms, only while another request of the session
// is in flight), so the new request does not find the old one still
// attached, which would answer "Another connection still open".
func (fd *feeder) settleDropped(ctx context.Context, key string) {
	fd.mu.Lock()
	old := append([]*stream(nil), fd.receivers[key]...)
	fd.mu.Unlock()
	if len(old) == 0 {
		return
	}
	t := time.NewTimer(20 * time.Millisecond)
	defer t.Stop()
	for _, st := range old {
		select {
		case <-st.ctx.Done():
			st.close()
		case <-t.C:
			return
		case <-ctx.Done():
			return
		}
	}
}

func (fd *feeder) addReceiver(key string, st *stream) {
	fd.mu.Lock()
	fd.receivers[key] = append(fd.receivers[key], st)
	fd.mu.Unlock()
}

func (fd *feeder) removeReceiver(key string, st *stream) {
	fd.mu.Lock()
	defer fd.mu.Unlock()
	list := fd.receivers[key]
	for i, x := range list {
		if x == st {
			list = append(list[:i], list[i+1:]...)
			break
		}
	}
	if len(list) == 0 {
		delete(fd.receivers, key)
	} else {
		fd.receivers[key] = list
	}
}

// serveHijacked takes over a WebSocket request's connection and pumps
// bytes both ways between it and a stream.
func (s *Server) serveHijacked(w http.ResponseWriter, r *http.Request, hj http.Hijacker) {
	conn, brw, err := hj.Hijack()
	if err != nil {
		http.Error(w, "cannot take over the connection", http.StatusInternalServerError)
		return
	}
	fd := s.feed
	if !fd.track(conn) {
		conn.Close()
		return
	}
	defer fd.untrack(conn)
	defer conn.Close()
	conn.SetDeadline(time.Time{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st, err := s.openStream(ctx, r.RemoteAddr)
	if err != nil {
		return
	}
	defer st.close()
	head := requestHead(r, false)
	head.WriteString("\r\n")
	if n := brw.Reader.Buffered(); n > 0 {
		early, _ := brw.Reader.Peek(n)
		head.Write(early)
	}
	// The handshake answer goes out on its own, before anything the
	// application sends on OPEN (some clients mis-parse a 101 that shares
	// a read with the first frame).
	wbuf := make([]byte, 32*1024)
	n, err := st.feedAndTake(head.Bytes(), wbuf)
	if err != nil {
		return
	}
	if n > 0 {
		if _, err := conn.Write(wbuf[:n]); err != nil {
			return
		}
	}
	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		for {
			n, err := st.Read(wbuf)
			if n > 0 {
				if _, werr := conn.Write(wbuf[:n]); werr != nil {
					break
				}
			}
			if err == io.EOF {
				// The library is done: half-close and let the reader
				// drain what the peer still sends, so the last frames are
				// not lost to a reset.
				if tc, ok := conn.(interface{ CloseWrite() error }); ok && tc.CloseWrite() == nil {
					conn.SetReadDeadline(time.Now().Add(2 * time.Second))
					return
				}
				break
			}
			if err != nil {
				break
			}
		}
		conn.Close() // ends the reading loop below
	}()
	buf := make([]byte, 32*1024)
	for {
		n, err := conn.Read(buf)
		if n > 0 {
			if st.feed(buf[:n]) != nil {
				break
			}
		}
		if err != nil {
			break
		}
	}
	st.close()
	cancel()
	<-writerDone
}
