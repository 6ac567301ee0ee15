# frozen_string_literal: true

require "test_helper"

# Real clients on 127.0.0.1 against a listening server: WebSocket (SockJS
# framing and raw) and xhr-polling, driven by the events of SockJS::Server.
class TestLoopback < Minitest::Test
  include SockJSTestHelpers

  def setup
    @server = SockJS::Server.new
    @clients = []
  end

  def teardown
    @clients.each(&:close)
    @server.close
    @thread&.join(5)
  end

  def echo_server(**opts)
    @server.add_service("/echo", **opts)
    port = @server.listen
    @thread = serve_in_thread(@server) do |event|
      case event
      in SockJS::Message(session:, data:) then session << data
      else nil
      end
    end
    port
  end

  def test_websocket_echo_including_unicode_and_nul
    port = echo_server
    ws = sockjs_ws(port, "/echo")
    @clients << ws
    ["hello", "zażółć 🚀", "a\u0000b", "x" * 70_000].each do |text|
      ws.send_text(JSON.generate([text]))
      frame = ws.read_text
      assert_equal "a", frame[0]
      assert_equal [text], JSON.parse(frame[1..])
    end
  end

  def test_raw_websocket_echo
    port = echo_server
    ws = WSClient.new(port, "/echo/websocket")
    @clients << ws
    assert_equal 101, ws.status
    ws.send_text("raw text")
    assert_equal "raw text", ws.read_text
  end

  def test_xhr_polling_echo
    port = echo_server
    base = "/echo/000/#{SecureRandom.hex(4)}"
    assert_equal "o\n", http_post(port, "#{base}/xhr").body
    assert_equal "204", http_post(port, "#{base}/xhr_send", '["one","two"]').code
    received = +""
    Timeout.timeout(5) { received << http_post(port, "#{base}/xhr").body until received.include?("two") }
    assert_includes received, 'a["one"'
  end

  def test_session_attributes_and_events_in_order
    @server.add_service("/chat")
    port = @server.listen
    ws = sockjs_ws(port, "/chat", headers: { "User-Agent" => "minitest", "Origin" => "http://example.test" })
    @clients << ws

    open = expect_event(@server, SockJS::Open)
    session = open.session
    assert_same session, open.conn
    assert_kind_of Integer, session.id
    assert_equal "websocket", session.transport
    assert_equal "127.0.0.1", session.remote_address
    assert_operator session.remote_port, :>, 0
    assert_equal "/chat", session.prefix
    assert_equal "minitest", session.headers["user-agent"]
    assert_equal "http://example.test", session.headers["origin"]
    assert_predicate session.headers, :frozen?
    assert_equal [session], @server.sessions
    assert_equal [session], @server.services.first.sessions

    ws.send_text('["ping"]')
    message = expect_event(@server, SockJS::Message)
    assert_same session, message.session
    assert_equal "ping", message.data
    assert_equal Encoding::UTF_8, message.data.encoding
    assert_equal 4, session.write("pong")
    session << "a" << "b"
    received = []
    received.concat(JSON.parse(ws.read_text.delete_prefix("a"))) while received.size < 3
    assert_equal %w[pong a b], received, "in order, however the frames batch them"

    session.close(3001, "bye now")
    assert_equal 'c[3001,"bye now"]', ws.read_text
    close = expect_event(@server, SockJS::Close)
    assert_same session, close.session
    assert_equal 3001, close.code
    assert_equal "bye now", close.reason
    assert_predicate session, :closed?
    assert_equal [], @server.sessions
    assert_nil session.close, "closing twice is harmless"
    assert_raises(SockJS::UnknownSessionError) { session.write("late") }
  end

  def test_client_disconnect_gives_close_event
    @server.add_service("/echo")
    port = @server.listen
    ws = sockjs_ws(port, "/echo")
    session = expect_event(@server, SockJS::Open).session
    ws.close_frame(4000)
    close = expect_event(@server, SockJS::Close)
    ws.close
    assert_same session, close.session
    assert_equal 4000, close.code
  end

  def test_pattern_matching_on_events
    @server.add_service("/echo")
    port = @server.listen
    ws = sockjs_ws(port, "/echo")
    @clients << ws
    ws.send_text('["match me"]')
    seen = nil
    @server.each_event do |event|
      case event
      in SockJS::Message(conn:, data: String => data)
        seen = [conn.id, data]
        break
      in SockJS::Open then next
      end
    end
    assert_equal "match me", seen.last
  end

  def test_backpressure_buffer_full_then_drain
    @server.add_service("/slow", send_buffer_limit: 64)
    port = @server.listen
    base = "/slow/000/#{SecureRandom.hex(4)}"
    assert_equal "o\n", http_post(port, "#{base}/xhr").body
    session = expect_event(@server, SockJS::Open).session
    # No request is attached to receive, so the buffer only fills.
    error = assert_raises(SockJS::BufferFullError) { 10.times { session.write("y" * 40) } }
    assert_equal "SOCKJS_E_AGAIN", error.status_name
    body = http_post(port, "#{base}/xhr").body
    assert body.start_with?("a["), body
    assert_same session, expect_event(@server, SockJS::Drain).session
    session.write("after drain")
  end

  def test_writing_non_utf8_text
    port = echo_server
    ws = sockjs_ws(port, "/echo")
    @clients << ws
    ws.send_text('["go"]')
    assert_equal 'a["go"]', ws.read_text
    session = @server.sessions.first
    session.write("caf\xE9".dup.force_encoding(Encoding::ISO_8859_1))
    assert_equal 'a["café"]', ws.read_text
    assert_raises(SockJS::InvalidArgumentError) { session.write("\xFF\xFE".b) }
  end

  def test_shutdown_closes_sessions_with_going_away
    @server.add_service("/echo")
    port = @server.listen
    ws = sockjs_ws(port, "/echo")
    @clients << ws
    expect_event(@server, SockJS::Open)
    @server.shutdown
    closes = @server.each_event.grep(SockJS::Close)
    assert_equal [[1001, "Going away"]], closes.map { |c| [c.code, c.reason] }
    assert_predicate @server, :closed?
    assert_equal 'c[1001,"Going away"]', ws.read_text
  end

  def test_forwarded_requests
    @server = SockJS::Server.new(forward_unmatched: true)
    @server.add_service("/echo")
    port = @server.listen
    @thread = serve_in_thread(@server) do |event|
      next unless event.is_a?(SockJS::Request)

      event.respond(200, "page for #{event.method} #{event.url}",
                    content_type: "text/html", headers: { "X-Test" => "yes" })
    end
    response = http_get(port, "/index.html?q=1")
    assert_equal "200", response.code
    assert_equal "page for GET /index.html?q=1", response.body
    assert_equal "yes", response["X-Test"]
    assert_equal "text/html", response["Content-Type"]
  end
end
