# frozen_string_literal: true

module SockJS
  # One SockJS endpoint of a server (Server#add_service). Keeps its open
  # sessions, so broadcasting is `service.sessions.each { |s| s << text }`.
  class Service
    attr_reader :id, :prefix

    def initialize(id, prefix) # :nodoc:
      @id = id
      @prefix = prefix
      @sessions = {}
    end

    # The sessions open right now (a snapshot Array, safe to iterate while
    # sessions come and go).
    def sessions = @sessions.values

    def inspect = "#<SockJS::Service #{@prefix.inspect} sessions=#{@sessions.size}>"

    def attach(session) = (@sessions[session.id] = session) # :nodoc:

    def detach(session) = @sessions.delete(session.id) # :nodoc:
  end
end
