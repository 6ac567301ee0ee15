package sockjs

import (
	"context"
	"log/slog"
	"unsafe"
)

// eventLog is SOCKJS_EVENT_LOG: handled inside pollOnce (sent to
// Options.Logger), never returned by Next.
const eventLog EventType = 7

// C log levels (sockjs_log_level, spaced like Python's) and slog's.
const (
	cLogNone    = 0
	cLogDebug   = 10
	cLogInfo    = 20
	cLogWarning = 30
	cLogError   = 40
)

func slogLevel(c int) slog.Level {
	switch {
	case c < cLogInfo:
		return slog.LevelDebug
	case c < cLogWarning:
		return slog.LevelInfo
	case c < cLogError:
		return slog.LevelWarn
	}
	return slog.LevelError
}

// cLogLevel is the library level for Options: silent without a Logger,
// else LogLevel, else the lowest level the Logger's handler takes.
func cLogLevel(o *Options) int {
	if o.Logger == nil {
		return cLogNone
	}
	if o.LogLevel != nil {
		l := o.LogLevel.Level()
		switch {
		case l <= slog.LevelDebug:
			return cLogDebug
		case l <= slog.LevelInfo:
			return cLogInfo
		case l <= slog.LevelWarn:
			return cLogWarning
		}
		return cLogError
	}
	for _, c := range []int{cLogDebug, cLogInfo, cLogWarning, cLogError} {
		if o.Logger.Enabled(context.Background(), slogLevel(c)) {
			return c
		}
	}
	return cLogNone
}

func (s *Server) log(level int, line string) {
	if s.logger != nil {
		s.logger.Log(context.Background(), slogLevel(level), line)
	}
}

// Sessions lists the ids of the open sessions of a service (-1: of every
// service), ascending, as one snapshot. A session is listed from its
// creation, so its EventOpen may not have been read yet.
func (s *Server) Sessions(service int) ([]ConnID, error) {
	var ids []ConnID
	err := s.locked(func(c unsafe.Pointer) error {
		var err error
		ids, err = cListSessions(c, service)
		return err
	})
	return ids, err
}

// CloseSessions closes every open session of a service (-1: of every
// service) with c[code,"reason"], as CloseConn does; undecided sessions
// (Authorize) are rejected with code. It returns how many it closed;
// their EventClose events follow.
func (s *Server) CloseSessions(service, code int, reason string) (int, error) {
	n := 0
	err := s.op(func(c unsafe.Pointer) error {
		var err error
		n, err = cCloseSessions(c, service, code, reason)
		return err
	})
	return n, err
}

// MetricType says how a Metric behaves (sockjs_metric_type).
type MetricType int

const (
	// MetricCounter only ever grows.
	MetricCounter MetricType = 1
	// MetricGauge goes up and down.
	MetricGauge MetricType = 2
)

// Metric is one value of Server.Metrics; the names and labels are listed
// with sockjs_metric in sockjs.h (e.g. "sockjs_sessions_open").
type Metric struct {
	Name      string
	Type      MetricType
	Service   int    // service id, or -1 when not per service
	Transport string // "" when not per transport
	Label     string // limit name of sockjs_limit_hits_total, else ""
	Code      int    // HTTP status of sockjs_http_requests_total, else 0
	Value     uint64
}

// Metrics returns a snapshot of the server's counters and gauges. Each
// value is read atomically; the set is not one instant. Any goroutine.
func (s *Server) Metrics() ([]Metric, error) {
	var ms []Metric
	err := s.locked(func(c unsafe.Pointer) error {
		var err error
		ms, err = cMetrics(c)
		return err
	})
	return ms, err
}

// MetricsPrometheus renders the metrics in the Prometheus text format
// 0.0.4, for a /metrics page served with Content-Type
// "text/plain; version=0.0.4; charset=utf-8".
func (s *Server) MetricsPrometheus() (string, error) {
	var text string
	err := s.locked(func(c unsafe.Pointer) error {
		var err error
		text, err = cMetricsPrometheus(c)
		return err
	})
	return text, err
}
