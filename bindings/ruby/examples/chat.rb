#!/usr/bin/env ruby
# frozen_string_literal: true

# A SockJS chat room: every message goes to everyone connected to /chat.
#   ruby examples/chat.rb [--host 127.0.0.1] [--port 8081]
# then open http://127.0.0.1:8081/ in a few browser tabs.
require "optparse"
require "json"
require "sockjs"

host = "127.0.0.1"
port = 8081
OptionParser.new do |o|
  o.banner = "usage: chat.rb [--host HOST] [--port PORT]"
  o.on("--host HOST") { |v| host = v }
  o.on("--port PORT", Integer) { |v| port = v }
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

# Sends to every session in the room; one slow or gone reader does not stop
# the others.
def broadcast(room, from, text)
  line = JSON.generate(from: from, text: text)
  room.sessions.each do |session|
    session << line
  rescue SockJS::BufferFullError, SockJS::ClosedError, SockJS::UnknownSessionError
    next
  end
end

SockJS::Server.open(forward_unmatched: true) do |server|
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
