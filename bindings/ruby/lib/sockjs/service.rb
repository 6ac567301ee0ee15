# frozen_string_literal: true

module SockJS
  # One SockJS endpoint of a server (Server#add_service). Keeps its open
  # sessions, so broadcasting is `service.sessions.each { |s| s << text }`.
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

    # The sessions open right now (a snapshot Array, safe to iterate while
    # sessions come and go).
    def sessions = @sessions.values

    def inspect = "#<SockJS::Service #{@prefix.inspect} sessions=#{@sessions.size}>"

    def attach(session) = (@sessions[session.id] = session) # :nodoc:

    def detach(session) = @sessions.delete(session.id) # :nodoc:
  end
end
