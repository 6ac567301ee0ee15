#!/usr/bin/env ruby
# frozen_string_literal: true

# A SockJS echo server, plus a test page at / for a browser:
#   ruby examples/echo.rb [--host 127.0.0.1] [--port 8081]
# then open http://127.0.0.1:8081/ (the page loads sockjs-client from a CDN).
require "optparse"
require "sockjs"

host = "127.0.0.1"
port = 8081
OptionParser.new do |o|
  o.banner = "usage: echo.rb [--host HOST] [--port PORT]"
  o.on("--host HOST") { |v| host = v }
  o.on("--port PORT", Integer) { |v| port = v }
end.parse!

PAGE = <<~HTML
  <!doctype html>
  <meta charset="utf-8"><title>SockJS echo</title>
  <script src="https://cdn.jsdelivr.net/npm/sockjs-client@1/dist/sockjs.min.js"></script>
  <form id="f"><input id="i" autofocus> <button>send</button></form><pre id="log"></pre>
  <script>
    const log = (t) => document.getElementById("log").textContent += t + "\\n";
    const sock = new SockJS("/echo");
    sock.onopen = () => log("[open: " + sock.transport + "]");
    sock.onmessage = (e) => log(e.data);
    sock.onclose = (e) => log("[closed " + e.code + "]");
    document.getElementById("f").onsubmit = (e) => {
      e.preventDefault(); sock.send(document.getElementById("i").value);
    };
  </script>
HTML

SockJS::Server.open(forward_unmatched: true) do |server|
  server.add_service("/echo")
  port = server.listen(host: host, port: port)
  puts "echo.rb listening on http://#{host}:#{port}"
  $stdout.flush
  %w[INT TERM].each { |signal| trap(signal) { server.shutdown } }

  server.each_event do |event|
    case event
    in SockJS::Message(session:, data:) then session << data
    in SockJS::Request(url: "/" | "/index.html") then event.respond(200, PAGE, content_type: "text/html; charset=UTF-8")
    in SockJS::Request then event.respond(404, "Not found\n")
    else nil
    end
  end
end
