#!/usr/bin/env ruby
# frozen_string_literal: true

# A SockJS chat room: every message goes to everyone connected to /chat.
#   ruby examples/chat.rb [--host 127.0.0.1] [--port 8081]
# then open http://127.0.0.1:8081/ in a few browser tabs. Several processes
# sharing a Redis make one room (each with its own port and node id):
#   ruby examples/chat.rb --port 8081 --node-id 1 --redis 127.0.0.1:6379
#   ruby examples/chat.rb --port 8082 --node-id 2 --redis 127.0.0.1:6379
require "optparse"
require "json"
require "sockjs"

host = "127.0.0.1"
port = 8081
cluster = {}
OptionParser.new do |o|
  o.banner = "usage: chat.rb [--host HOST] [--port PORT] [--node-id N --redis HOST:PORT]"
  o.on("--host HOST") { |v| host = v }
  o.on("--port PORT", Integer) { |v| port = v }
  o.on("--node-id N", Integer) { |v| cluster[:node_id] = v }
  o.on("--redis HOST:PORT") { |v| cluster[:backplane_redis] = v } # the room spans every node on it
end.parse!

PAGE = <<~HTML
  <!doctype html>
  <meta charset="utf-8"><title>SockJS chat</title>
  <script src="https://cdn.jsdelivr.net/npm/sockjs-client@1/dist/sockjs.min.js"></script>
  <form id="f"><input id="i" autofocus> <button>say</button></form><pre id="log"></pre>
  <script>
    const log = (t) => document.getElementById("log").textContent += t + "\\n";
    const sock = new SockJS("/chat");
    sock.onmessage = (e) => { const m = JSON.parse(e.data); log(m.from + ": " + m.text); };
    document.getElementById("f").onsubmit = (e) => {
      e.preventDefault(); sock.send(document.getElementById("i").value);
      document.getElementById("i").value = "";
    };
  </script>
HTML

# Sends to every session in the room, on every node: a publish never
# blocks, and a reader too slow to take it misses it.
def broadcast(room, from, text)
  room.publish(JSON.generate(from: from, text: text))
rescue SockJS::ClosedError
  nil # shutting down: every session is closing anyway
end

SockJS::Server.open(forward_unmatched: true, **cluster) do |server|
  room = server.add_service("/chat")
  port = server.listen(host: host, port: port)
  puts "chat.rb listening on http://#{host}:#{port}"
  $stdout.flush
  %w[INT TERM].each { |signal| trap(signal) { server.shutdown } }

  server.each_event do |event|
    case event
    in SockJS::Open(session:) then broadcast(room, "server", "#{session.id} joined")
    in SockJS::Message(session:, data:) then broadcast(room, session.id.to_s, data)
    in SockJS::Close(session:) then broadcast(room, "server", "#{session.id} left")
    in SockJS::Request(url: "/" | "/index.html") then event.respond(200, PAGE, content_type: "text/html; charset=UTF-8")
    in SockJS::Request then event.respond(404, "Not found\n")
    else nil
    end
  end
end
