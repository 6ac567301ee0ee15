# frozen_string_literal: true

module SockJS
  # One SockJS endpoint of a server (Server#add_service). Keeps its open
  # sessions; broadcasting is `service.publish(text)`, or to the members of
  # a channel (Session#join) `service.publish(text, channel: "room")`.
  class Service
    attr_reader :id, :prefix

    def initialize(id, prefix, server = nil) # :nodoc:
      @id = id
      @prefix = prefix
      @server = server
      @sessions = {}
    end

    # Ids of this service's open sessions as the library sees them
    # (ascending; a session is listed before its Open event is read).
    def session_ids = @server ? @server.list_session_ids(@id) : []

    # Closes every open session of this service (undecided ones are
    # rejected with code); returns how many. Their Close events follow.
    def close_sessions(code = 1000, reason = "Normal closure")
      @server ? @server.close_sessions_of(@id, code, reason) : 0
    end

    # Sends text to every member of channel (Session#join), or with no
    # channel to every session of this service. Never blocks, safe from any
    # thread: the message is encoded once for all members, and a member
    # whose send buffer is full misses it (counted in the metric
    # sockjs_publish_dropped_total) instead of failing the publish. With a
    # backplane (Server.new(backplane_redis:)) it also reaches the members
    # on the other nodes, each session exactly once. Messages published by
    # one thread arrive in the order they were published. Raises
    # InvalidArgumentError for a bad channel name (1..255 bytes of UTF-8
    # without NUL) or text that is not UTF-8, ClosedError once the server
    # is closing. Returns the message size in bytes.
    def publish(text, channel: nil)
      raise ClosedError.new("publish: the service has no server", -5) unless @server

      text = text.to_s
      @server.publish_in(@id, channel&.to_s, text)
      text.bytesize
    end

    # The sessions open right now (a snapshot Array, safe to iterate while
    # sessions come and go).
    def sessions = @sessions.values

    def inspect = "#<SockJS::Service #{@prefix.inspect} sessions=#{@sessions.size}>"

    def attach(session) = (@sessions[session.id] = session) # :nodoc:

    def detach(session) = @sessions.delete(session.id) # :nodoc:
  end
end
