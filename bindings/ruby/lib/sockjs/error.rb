# frozen_string_literal: true

module SockJS
  # Every failure reported by libsockjs. #code is the library's (negative)
  # status and #status_name its C name, e.g. "SOCKJS_E_CLOSED"; rescue the
  # subclasses rather than comparing either.
  class Error < StandardError
    attr_reader :code

    def initialize(message = nil, code = nil)
      super(message)
      @code = code
    end

    def status_name
      code && Ext.status_name(code)
    end

    # The class the extension raises for a status name (sockjs_status_name).
    def self.for_status(name)
      STATUS_CLASSES.fetch(name, Error)
    end
  end

  # A bad argument: a value out of range, a duplicate prefix, bad UTF-8.
  class InvalidArgumentError < Error; end
  # The library could not allocate memory.
  class OutOfMemoryError < Error; end
  # The session's send buffer is full; wait for a Drain event and retry.
  class BufferFullError < Error; end
  # No such session or request (never existed, or already gone).
  class UnknownSessionError < Error; end
  # The session or the server is closing or closed.
  class ClosedError < Error; end
  # Not allowed in the current state (e.g. add_service after listen).
  class StateError < Error; end
  # The peer broke the protocol.
  class ProtocolError < Error; end
  # An operating-system call failed (bind, listen, ...).
  class SystemError < Error; end
  # A configured limit was hit.
  class LimitError < Error; end
  # The server is unusable; only closing it is possible.
  class FatalError < Error; end
  # A bug inside libsockjs (also fatal).
  class InternalError < FatalError; end

  # Names used by the design notes and other bindings.
  UnknownConnectionError = UnknownSessionError

  Error::STATUS_CLASSES = {
    "SOCKJS_E_INVALID_ARGUMENT" => InvalidArgumentError,
    "SOCKJS_E_NOMEM" => OutOfMemoryError,
    "SOCKJS_E_AGAIN" => BufferFullError,
    "SOCKJS_E_UNKNOWN_CONN" => UnknownSessionError,
    "SOCKJS_E_CLOSED" => ClosedError,
    "SOCKJS_E_STATE" => StateError,
    "SOCKJS_E_PROTOCOL" => ProtocolError,
    "SOCKJS_E_IO" => SystemError,
    "SOCKJS_E_LIMIT" => LimitError,
    "SOCKJS_E_FATAL" => FatalError,
    "SOCKJS_E_INTERNAL" => InternalError
  }.freeze
end
