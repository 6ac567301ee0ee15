# frozen_string_literal: true

# SockJS for Ruby: a SockJS server (WebSocket plus the HTTP fallback
# transports of sockjs-client) on top of libsockjs. See SockJS::Server.
require_relative "sockjs/version"
require_relative "sockjs/error"
require "sockjs_ext"

module SockJS
  # The compiled extension and the library it loaded must agree on the
  # major version (the C ABI only changes with it).
  if Ext.version_num >> 16 != Ext::HEADER_VERSION_MAJOR
    raise LoadError, "libsockjs #{Ext.version_string} does not match the major version " \
                     "#{Ext::HEADER_VERSION_MAJOR} this extension was built for"
  end

  # Version of the loaded libsockjs, e.g. "0.1.0".
  def self.library_version = Ext.version_string

  # Longest channel name (Session#join), in bytes of UTF-8.
  MAX_CHANNEL_NAME = Ext::MAX_CHANNEL_NAME

  # The node number (Server.new(node_id:)) a session id comes from: its
  # top 16 bits.
  def self.node_of(session_id) = Integer(session_id) >> 48
end

require_relative "sockjs/events"
require_relative "sockjs/request"
require_relative "sockjs/service"
require_relative "sockjs/session"
require_relative "sockjs/server"
