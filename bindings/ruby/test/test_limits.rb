# frozen_string_literal: true

require "test_helper"

# The hardening options over loopback: the Origin allow-list, max_sessions
# and the other server-wide limits.
class TestLimits < Minitest::Test
  include SockJSTestHelpers

  def setup
    @server = nil
    @clients = []
  end

  def teardown
    @clients.each(&:close)
    @server&.close
    @thread&.join(5)
  end

  def echo(server)
    @thread = serve_in_thread(server) do |event|
      case event
      in SockJS::Message(session:, data:) then session << data
      else nil
      end
    end
  end

  # A new xhr-polling session, with an Origin header unless nil.
  def xhr_open(port, origin = nil)
    Net::HTTP.start("127.0.0.1", port, open_timeout: 5, read_timeout: 10) do |http|
      headers = { "Content-Type" => "text/plain" }
      headers["Origin"] = origin if origin
      http.post("/echo/000/#{SecureRandom.hex(6)}/xhr", "", headers)
    end
  end

  def ws_open(port, origin = nil)
    headers = origin ? { "Origin" => origin } : {}
    ws = WSClient.new(port, "/echo/000/#{SecureRandom.hex(6)}/websocket", headers: headers)
    @clients << ws
    ws
  end

  def test_origin_allow_list
    @server = SockJS::Server.new
    @server.add_service("/echo", allowed_origins: ["https://app.example", "*.trusted.example"])
    port = @server.listen
    echo(@server)

    # A foreign page is refused before the upgrade, and on xhr.
    assert_equal 403, ws_open(port, "https://evil.example").status
    assert_equal "403", xhr_open(port, "https://evil.example").code

    # Listed origins work, and CORS echoes them.
    ws = ws_open(port, "https://app.example")
    assert_equal 101, ws.status
    assert_equal "o", ws.read_text
    ws.send_text('["hi"]')
    assert_equal "hi", ws.read_message
    res = xhr_open(port, "http://a.b.trusted.example")
    assert_equal ["200", "o\n"], [res.code, res.body]
    assert_equal "http://a.b.trusted.example", res["Access-Control-Allow-Origin"]

    # No Origin (a non-browser client) is always allowed.
    assert_equal 101, ws_open(port).status
    assert_equal ["200", "o\n"], xhr_open(port).then { |r| [r.code, r.body] }
  end

  def test_origin_pattern_errors
    server = SockJS::Server.new
    ["https://x.example/path", "foo*.example"].each do |bad|
      assert_raises(SockJS::InvalidArgumentError) { server.add_service("/x", allowed_origins: [bad]) }
    end
    server.add_service("/x", allowed_origins: "*") # one String is one pattern
  ensure
    server&.close
  end

  def test_max_sessions
    # A short disconnect delay: a closed session keeps its slot until then.
    @server = SockJS::Server.new(max_sessions: 1, max_request_headers: 50, max_connections: 100,
                                 tcp_keepalive: 30)
    @server.add_service("/echo", heartbeat_delay: 0, disconnect_delay: 0.1)
    port = @server.listen
    base = "/echo/000/#{SecureRandom.hex(6)}"
    assert_equal "o\n", http_post(port, "#{base}/xhr").body
    session = expect_event(@server, SockJS::Open).session

    assert_equal "503", xhr_open(port).code
    assert_equal 503, ws_open(port).status

    # The open session is still served.
    assert_equal "204", http_post(port, "#{base}/xhr_send", '["still here"]').code
    assert_equal "still here", expect_event(@server, SockJS::Message).data

    # Once it has closed, a slot is free again.
    session.close(3000, "bye")
    assert_equal "c[3000,\"bye\"]\n", http_post(port, "#{base}/xhr").body
    expect_event(@server, SockJS::Close)
    ws = ws_open(port)
    assert_equal 101, ws.status
  end

  def test_max_request_headers
    @server = SockJS::Server.new(max_request_headers: 5)
    @server.add_service("/echo")
    port = @server.listen
    res = Net::HTTP.start("127.0.0.1", port, open_timeout: 5, read_timeout: 10) do |http|
      http.get("/echo/info", (1..10).to_h { |i| ["X-Filler-#{i}", "x"] })
    end
    assert_equal "431", res.code
  end

  def test_server_option_errors
    assert_raises(SockJS::InvalidArgumentError) { SockJS::Server.new(max_request_headers: 0) }
    assert_raises(SockJS::InvalidArgumentError) { SockJS::Server.new(tcp_keepalive: 40_000) }
    assert_raises(SockJS::InvalidArgumentError) { SockJS::Server.new(max_sessions: -1) }
    assert_raises(SockJS::InvalidArgumentError) { SockJS::Server.new(max_connections: -5) }
  end
end
