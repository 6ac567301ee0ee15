# frozen_string_literal: true

module SockJS
  # One SockJS session (a client connection, whatever its transport). It
  # arrives with the Open event; after its Close event it only answers
  # questions (closed?, close_code, close_reason).
  class Session
    attr_reader :id, :server, :service, :transport, :remote_address, :remote_port, :url,
                :headers, :query, :client_address, :close_code, :close_reason

    def initialize(server, ext, id, service, info) # :nodoc:
      @server = server
      @ext = ext
      @id = id
      @service = service
      _, _, @transport, @remote_address, @remote_port, _, @url, headers, @query, client = info
      # The peer, or the address a trusted proxy reported for the client.
      @client_address = client.to_s.empty? ? @remote_address : client
      @headers = headers.freeze
      @closed = false
    end

    def prefix = @service.prefix

    # Queues one message. Raises BufferFullError when the session's send
    # buffer is full (retry after its Drain event), ClosedError or
    # UnknownSessionError when the session is closing or gone. Returns the
    # size of the message in bytes.
    def write(text)
      text = text.to_s
      @ext.conn_write(@id, text)
      text.bytesize
    end

    # session << "a" << "b"
    def <<(text)
      write(text)
      self
    end

    # Closes the session with a close frame; its Close event follows.
    # code is 1000 or 3000..4999. Calling it again does nothing.
    def close(code = 1000, reason = "Normal closure")
      return nil if @closed

      @closed = true
      @ext.conn_close(@id, code, reason)
      nil
    rescue ClosedError, UnknownSessionError
      nil
    end

    # Lets a session of an authorize: true service open: "o" goes out, then
    # what was written meanwhile; messages the client sent meanwhile follow
    # as Message events. Raises StateError when it is not waiting.
    def accept
      @ext.conn_accept(@id)
      nil
    end

    # Refuses a session of an authorize: true service: the client gets
    # c[code,"reason"] instead of "o", nothing it sent is reported, and one
    # Close event with this code and reason follows. code is 1000 or
    # 3000..4999 (4401, 4403 read well); nil reason means "Rejected".
    def reject(code = 4403, reason = nil)
      @ext.conn_reject(@id, code, reason)
      nil
    end

    # Adds this session to channel of its service, so that
    # Service#publish(text, channel:) reaches it (on any node with a
    # backplane). Joining twice is one membership; a session leaves all its
    # channels when it closes. A publish made after join returns reaches
    # it, one made before does not. Works while an authorize: true session
    # waits. Raises InvalidArgumentError for a bad name (1..255 bytes of
    # UTF-8 without NUL), ClosedError or UnknownSessionError when the
    # session is closing or gone. Returns self.
    def join(channel)
      @ext.conn_join(@id, channel.to_s)
      self
    end

    # Removes this session from channel. Not a member, or the session is
    # already gone (it left every channel as it closed): nothing happens.
    # Raises InvalidArgumentError for a bad name. Returns self.
    def leave(channel)
      @ext.conn_leave(@id, channel.to_s)
      self
    rescue ClosedError, UnknownSessionError
      self
    end

    # The number of the node (Server.new(node_id:)) that owns this session.
    def node_id = SockJS.node_of(@id)

    # True once close was called or the Close event was seen.
    def closed? = @closed

    def inspect
      "#<SockJS::Session #{@id} #{prefix} #{@transport} #{@remote_address}#{' closed' if @closed}>"
    end

    def closed!(code, reason) # :nodoc:
      @closed = true
      @close_code = code
      @close_reason = reason
    end
  end
end
