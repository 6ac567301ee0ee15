#!/usr/bin/env ruby
# frozen_string_literal: true

# The services of sockjs-testserver (the sockjs-protocol conformance suite's
# server, PROTOCOL.md section 12), written with the Ruby API:
#   ruby examples/testserver.rb --host 127.0.0.1 --port 8081 [--sockjs-url URL]
# Serves until SIGINT or SIGTERM.
require "optparse"
require "sockjs"

host = "127.0.0.1"
port = 8081
sockjs_url = nil
OptionParser.new do |o|
  o.banner = "usage: testserver.rb [--host H] [--port P] [--sockjs-url URL]"
  o.on("--host HOST") { |v| host = v }
  o.on("--port PORT", Integer) { |v| port = v }
  o.on("--sockjs-url URL") { |v| sockjs_url = v }
end.parse!

SockJS::Server.open do |server|
  common = sockjs_url ? { sockjs_url: sockjs_url } : {}
  echo = server.add_service("/echo", response_limit: 4096, **common)
  server.add_service("/disabled_websocket_echo", websocket: false, **common)
  server.add_service("/cookie_needed_echo", jsessionid: true, **common)
  close = server.add_service("/close", **common)
  ticker = server.add_service("/ticker", **common)
  amplify = server.add_service("/amplify", **common)
  broadcast = server.add_service("/broadcast", **common)
  echoes = [echo, *server.services.select { |s| s.prefix.end_with?("_echo") }]

  port = server.listen(host: host, port: port)
  puts "sockjs-testserver (ruby) listening on http://#{host}:#{port}"
  $stdout.flush
  %w[INT TERM].each { |signal| trap(signal) { server.shutdown } }

  Thread.new do
    until server.closed?
      sleep 1
      begin
        ticker.publish("tick!")
      rescue SockJS::ClosedError
        break # shutting down
      end
    end
  end

  server.each_event do |event|
    case event
    in SockJS::Open(session:) if session.service == close
      session.close(3000, "Go away!")
    in SockJS::Message(session:, data:)
      case session.service
      when *echoes then session << data
      when amplify then session << "x" * (2**data.to_i.clamp(1, 19))
      when broadcast then broadcast.publish(data) # a full reader misses it, counted
      end
    else nil
    end
  end
end
