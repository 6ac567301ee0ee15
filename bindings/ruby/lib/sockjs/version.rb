# frozen_string_literal: true

module SockJS
  # Version of this gem; it follows the libsockjs release it wraps.
  VERSION = "0.1.0"
end
