package sockjs

import "unsafe"

// MaxChannelName is the longest channel name, in bytes
// (SOCKJS_MAX_CHANNEL_NAME).
const MaxChannelName = 255

// Node is the number of the node (Options.NodeID) that handed out this
// session id.
func (id ConnID) Node() uint16 { return uint16(id >> 48) }

// Join adds the session to a named channel of its service; see
// Server.Join.
func (c *Session) Join(channel string) error { return c.srv.Join(c.id, channel) }

// Leave removes the session from a channel; see Server.Leave.
func (c *Session) Leave(channel string) error { return c.srv.Leave(c.id, channel) }

// Join adds a session to a named channel of its service. Channels are per
// service and need no creation; joining twice is one membership, and a
// session leaves all its channels when it closes. A publish made after
// Join returns reaches the session, one made before does not (from any
// goroutine that is ordered after the call). The name is 1..MaxChannelName
// bytes of UTF-8 without NUL, else ErrInvalidArgument; ErrUnknownSession
// when the session is gone, ErrClosed when it is closing.
func (s *Server) Join(id ConnID, channel string) error {
	return s.op(func(c unsafe.Pointer) error { return cMembership(c, true, uint64(id), channel) })
}

// Leave removes a session from a channel; nothing happens when it is not
// a member. Errors as for Join.
func (s *Server) Leave(id ConnID, channel string) error {
	return s.op(func(c unsafe.Pointer) error { return cMembership(c, false, uint64(id), channel) })
}

// Publish sends one UTF-8 message to every member of a channel of a
// service (its id, as in Event.Service). The message is JSON-escaped once
// for all members. A member whose send buffer is full misses it (counted
// in the sockjs_publish_dropped_total metric) instead of failing the
// publish; nil is also returned when the channel has no members. With
// Options.Backplane the message also reaches the channel's members on the
// other nodes (in the service with the same prefix), each exactly once.
// Messages published from one goroutine arrive in the order published.
// ErrInvalidArgument: no such service, a bad channel name (see Join), or
// msg is not UTF-8; ErrClosed: the server is shutting down.
func (s *Server) Publish(service int, channel string, msg []byte) error {
	return s.op(func(c unsafe.Pointer) error { return cPublishBytes(c, service, channel, false, msg) })
}

// PublishString is Publish for a string, without a copy on the Go side.
func (s *Server) PublishString(service int, channel, msg string) error {
	return s.op(func(c unsafe.Pointer) error { return cPublishString(c, service, channel, false, msg) })
}

// Broadcast is Publish to every session of a service, members of a
// channel or not (with a backplane: on every node).
func (s *Server) Broadcast(service int, msg []byte) error {
	return s.op(func(c unsafe.Pointer) error { return cPublishBytes(c, service, "", true, msg) })
}

// BroadcastString is Broadcast for a string, without a copy on the Go
// side.
func (s *Server) BroadcastString(service int, msg string) error {
	return s.op(func(c unsafe.Pointer) error { return cPublishString(c, service, "", true, msg) })
}

// PublishTo sends one message to a session by id, wherever it lives. An
// id of this node (id.Node() == Options.NodeID) is served as Send, with
// Send's errors. An id of another node goes through the backplane: nil
// then means it was handed to the backplane (that node drops it if the
// session is gone); without a backplane (or in Handler mode) such an id
// gives ErrUnknownSession.
func (s *Server) PublishTo(id ConnID, msg []byte) error {
	return s.op(func(c unsafe.Pointer) error { return cPublishToBytes(c, uint64(id), msg) })
}

// PublishToString is PublishTo for a string, without a copy on the Go
// side.
func (s *Server) PublishToString(id ConnID, msg string) error {
	return s.op(func(c unsafe.Pointer) error { return cPublishToString(c, uint64(id), msg) })
}
