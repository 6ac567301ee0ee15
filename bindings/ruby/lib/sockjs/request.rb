# frozen_string_literal: true

module SockJS
  # An HTTP request that matched no service, reported when the server was
  # created with forward_unmatched: true. Answer it with #respond.
  Request = Struct.new(:id, :method, :url, :headers, :remote_address, :remote_port,
                       keyword_init: true) do
    attr_writer :ext # :nodoc:

    # headers: a Hash of extra response headers.
    def respond(status, body = "", content_type: "text/plain; charset=UTF-8", headers: nil)
      lines = headers&.map { |name, value| "#{name}: #{value}\r\n" }&.join
      @ext.request_respond(id, status, content_type, lines, body.to_s)
      nil
    end
  end
end
