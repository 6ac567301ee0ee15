# frozen_string_literal: true

require "test_helper"
require "logger"
require "stringio"

# Production features over loopback: authorize at open, client address
# behind a trusted proxy, session listing and close-all, metrics, logging.
class TestProduction < Minitest::Test
  include SockJSTestHelpers

  def setup
    @servers = []
    @clients = []
  end

  def teardown
    @clients.each(&:close)
    @servers.each(&:close)
  end

  def server(**opts)
    s = SockJS::Server.new(**opts)
    @servers << s
    s
  end

  def auth_server
    s = server
    # A short disconnect_delay: a closed xhr session reports Close once it
    # has lingered that long to answer polls with its close frame.
    s.add_service("/auth", heartbeat_delay: 0, disconnect_delay: 0.3, authorize: true,
                           authorize_timeout: 5)
    [s, s.listen]
  end

  def ws(port, path, headers: {})
    c = WSClient.new(port, path, headers: headers)
    @clients << c
    assert_equal 101, c.status
    c
  end

  def test_accept_and_reject_on_websocket
    s, port = auth_server
    c = ws(port, "/auth/000/#{SecureRandom.hex(4)}/websocket?token=good")
    session = expect_event(s, SockJS::Open).session
    assert_equal "token=good", session.query
    assert_equal "127.0.0.1", session.client_address
    session << "early"
    session.accept
    assert_raises(SockJS::StateError) { session.accept }
    assert_equal "o", c.read_text
    assert_equal '["early"]', c.read_text[1..]

    c2 = ws(port, "/auth/000/#{SecureRandom.hex(4)}/websocket")
    other = expect_event(s, SockJS::Open).session
    other.reject(4403, "Forbidden")
    assert_equal 'c[4403,"Forbidden"]', c2.read_text
    close = expect_event(s, SockJS::Close)
    assert_same other, close.session
    assert_equal [4403, "Forbidden"], [close.code, close.reason]
    assert_nil s.next_event(timeout: 0.2)
  end

  def test_accept_and_reject_on_xhr_polling
    s, port = auth_server
    [true, false].each do |accept|
      path = "/auth/000/#{SecureRandom.hex(4)}"
      poll = Thread.new { http_post(port, "#{path}/xhr").body } # waits for the decision
      session = expect_event(s, SockJS::Open).session
      assert_equal "xhr-polling", session.transport
      if accept
        session.accept
        assert_equal "o\n", poll.value
        assert_equal "204", http_post(port, "#{path}/xhr_send", '["x"]').code
        assert_equal "x", expect_event(s, SockJS::Message).data
        session.close(1000, "done")
        assert_equal 1000, expect_event(s, SockJS::Close).code
      else
        session.reject(4401, "Unauthorized")
        assert_equal "c[4401,\"Unauthorized\"]\n", poll.value
        close = expect_event(s, SockJS::Close)
        assert_equal [4401, "Unauthorized"], [close.code, close.reason]
      end
    end
  end

  def test_client_address_through_trusted_proxy
    { ["127.0.0.1"] => "203.0.113.7", nil => "127.0.0.1" }.each do |proxies, want|
      s = server(trusted_proxies: proxies)
      s.add_service("/echo", heartbeat_delay: 0)
      port = s.listen
      ws(port, "/echo/000/#{SecureRandom.hex(4)}/websocket", headers: { "X-Forwarded-For" => "203.0.113.7" })
      session = expect_event(s, SockJS::Open).session
      assert_equal want, session.client_address
      assert_equal "127.0.0.1", session.remote_address
    end
    assert_raises(SockJS::InvalidArgumentError) { SockJS::Server.new(trusted_proxies: ["nope"]) }
  end

  def test_listing_close_all_and_metrics
    s = server
    service = s.add_service("/echo", heartbeat_delay: 0)
    port = s.listen
    clients = Array.new(3) { sockjs_ws(port, "/echo").tap { |c| @clients << c } }
    ids = clients.map { expect_event(s, SockJS::Open).session.id }
    assert_equal ids.sort, service.session_ids
    assert_equal ids.sort, s.session_ids
    clients[0].send_text('["abc"]')
    expect_event(s, SockJS::Message)
    value = lambda do |name, **match|
      s.metrics.select { |m| m.name == name && match.all? { |k, v| m[k] == v } }.sum(&:value)
    end
    assert_equal 3, value.call("sockjs_sessions_open", service: "/echo", transport: "websocket")
    assert_equal 1, value.call("sockjs_messages_received_total", service: "/echo")
    assert_equal 3, value.call("sockjs_message_bytes_received_total", service: "/echo")
    assert_equal 3, service.close_sessions(4000, "maintenance")
    clients.each { |c| assert_equal 'c[4000,"maintenance"]', c.read_text }
    3.times { assert_equal 4000, expect_event(s, SockJS::Close).code }
    assert_empty service.session_ids
    assert_equal 3, value.call("sockjs_sessions_closed_total", service: "/echo")
    text = s.metrics_prometheus
    %w[sockjs_sessions_open sockjs_sessions_opened_total sockjs_messages_received_total
       sockjs_http_requests_total].each { |family| assert_includes text, "# TYPE #{family} " }
    assert_includes text, 'sockjs_sessions_opened_total{service="/echo",transport="websocket"} 3'
    assert_equal Encoding::UTF_8, text.encoding
  end

  def test_log_lines_go_to_the_logger
    out = StringIO.new
    logger = Logger.new(out, level: Logger::DEBUG, formatter: ->(sev, _, prog, msg) { "#{sev} #{prog} #{msg}\n" })
    s = server(logger: logger)
    s.add_service("/echo", heartbeat_delay: 0)
    port = s.listen
    c = sockjs_ws(port, "/echo")
    expect_event(s, SockJS::Open)
    c.close
    expect_event(s, SockJS::Close)
    assert_nil s.next_event(timeout: 0.2) # LOG events never surface as events
    lines = out.string.lines
    assert(lines.any? { |l| l.start_with?("DEBUG sockjs GET /echo/") }, out.string)
    assert(lines.any? { |l| l.start_with?("INFO sockjs ") }, out.string)

    quiet = StringIO.new
    s2 = server(logger: Logger.new(quiet), log_level: :warn)
    s2.add_service("/echo", heartbeat_delay: 0)
    port = s2.listen
    sockjs_ws(port, "/echo").tap { |ws| @clients << ws }
    expect_event(s2, SockJS::Open)
    assert_nil s2.next_event(timeout: 0.2)
    assert_empty quiet.string
  end
end
