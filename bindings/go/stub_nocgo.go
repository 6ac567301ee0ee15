//go:build !cgo

// Without cgo there is no library to call: NewServer (and everything else
// that would reach C) returns ErrNoCgo, so programs still compile.

package sockjs

import "unsafe"

const headerVersion = uint32(0)

func libVersion() (uint32, string)                                       { return 0, "" }
func cNew(*Options) (unsafe.Pointer, error)                              { return nil, ErrNoCgo }
func cAddService(unsafe.Pointer, *ServiceOptions) (int, error)           { return -1, ErrNoCgo }
func cListen(unsafe.Pointer, string, int) (int, error)                   { return 0, ErrNoCgo }
func cShutdown(unsafe.Pointer) error                                     { return ErrNoCgo }
func cFree(unsafe.Pointer)                                               {}
func cEventFD(unsafe.Pointer) int                                        { return -1 }
func cPoll(_ unsafe.Pointer, out []rawEvent) ([]rawEvent, error)         { return out, ErrNoCgo }
func cSend(unsafe.Pointer, uint64, []byte) error                         { return ErrNoCgo }
func cSendString(unsafe.Pointer, uint64, string) error                   { return ErrNoCgo }
func cCloseConn(unsafe.Pointer, uint64, int, string) error               { return ErrNoCgo }
func cRespond(unsafe.Pointer, uint64, int, string, string, []byte) error { return ErrNoCgo }
func cStreamOpen(unsafe.Pointer, string, int) (uint64, error)            { return 0, ErrNoCgo }
func cFeed(unsafe.Pointer, uint64, []byte) error                         { return ErrNoCgo }
func cOutput(unsafe.Pointer, uint64, []byte) (int, bool, error)          { return 0, false, ErrNoCgo }
func cStreamClose(unsafe.Pointer, uint64) error                          { return ErrNoCgo }
func cDirty(_ unsafe.Pointer, out []uint64) ([]uint64, error)            { return out, ErrNoCgo }
func cNextTimeout(unsafe.Pointer) int64                                  { return -1 }
func cTick(unsafe.Pointer, uint64) error                                 { return ErrNoCgo }
func cAccept(unsafe.Pointer, uint64) error                               { return ErrNoCgo }
func cReject(unsafe.Pointer, uint64, int, string) error                  { return ErrNoCgo }
func cListSessions(unsafe.Pointer, int) ([]ConnID, error)                { return nil, ErrNoCgo }
func cCloseSessions(unsafe.Pointer, int, int, string) (int, error)       { return 0, ErrNoCgo }
func cMetrics(unsafe.Pointer) ([]Metric, error)                          { return nil, ErrNoCgo }
func cMetricsPrometheus(unsafe.Pointer) (string, error)                  { return "", ErrNoCgo }
func cMembership(unsafe.Pointer, bool, uint64, string) error             { return ErrNoCgo }
func cPublishBytes(unsafe.Pointer, int, string, bool, []byte) error      { return ErrNoCgo }
func cPublishString(unsafe.Pointer, int, string, bool, string) error     { return ErrNoCgo }
func cPublishToBytes(unsafe.Pointer, uint64, []byte) error               { return ErrNoCgo }
func cPublishToString(unsafe.Pointer, uint64, string) error              { return ErrNoCgo }
