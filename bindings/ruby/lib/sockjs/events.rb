# frozen_string_literal: true

module SockJS
  # Events are keyword Structs, so they work with case/in:
  #   case event
  #   in SockJS::Message(session:, data:) then session << data
  #   in SockJS::Close(session:, code:, reason:) then log(code, reason)
  #   end
  # `conn` is accepted as another name for `session`.
  module SessionEvent
    def conn = session

    def deconstruct_keys(keys)
      return super.merge(conn: session) if keys.nil?

      h = super(keys - [:conn])
      h[:conn] = session if keys.include?(:conn)
      h
    end
  end

  # A session opened; session.transport, .headers etc. are known from here.
  Open = Struct.new(:session, keyword_init: true) { include SessionEvent }
  # A message (a UTF-8 String) from the client.
  Message = Struct.new(:session, :data, keyword_init: true) { include SessionEvent }
  # The session ended; exactly one per Open. code/reason say why.
  Close = Struct.new(:session, :code, :reason, keyword_init: true) { include SessionEvent }
  # The send buffer fell below half after a write raised BufferFullError.
  Drain = Struct.new(:session, keyword_init: true) { include SessionEvent }
end
