# frozen_string_literal: true

require "test_helper"

# Lifecycle, options and error paths of SockJS::Server (no clients).
class TestServer < Minitest::Test
  include SockJSTestHelpers

  def test_versions_agree
    header = File.read(File.join(ENV.fetch("SOCKJS_SOURCE_DIR", File.join(ROOT, "../..")),
                                 "include/sockjs.h"))
    assert_equal header[/SOCKJS_VERSION_STRING "([^"]+)"/, 1], SockJS.library_version
    assert_equal SockJS::VERSION, SockJS.library_version
    assert_equal SockJS::Ext.version_num >> 16, SockJS::Ext::HEADER_VERSION_MAJOR
  end

  def test_open_with_block_always_closes
    kept = nil
    assert_raises(RuntimeError) do
      SockJS::Server.open do |server|
        kept = server
        server.add_service("/echo")
        assert_operator server.listen, :>, 0
        raise "boom"
      end
    end
    assert_predicate kept, :closed?
    assert_nil kept.close, "close is idempotent"
    assert_raises(SockJS::ClosedError) { kept.add_service("/x") }
  end

  def test_open_without_block_returns_the_server
    server = SockJS::Server.open
    refute_predicate server, :closed?
    server.close
    assert_predicate server, :closed?
    assert_nil server.next_event(timeout: 0)
    assert_equal [], server.each_event.to_a
  end

  def test_listen_returns_a_usable_port
    SockJS::Server.open do |server|
      server.add_service("/echo")
      port = server.listen(host: "127.0.0.1", port: 0)
      assert_equal port, server.port
      response = http_get(port, "/echo")
      assert_equal "200", response.code
      assert_equal "Welcome to SockJS!\n", response.body
      assert_equal "404", http_get(port, "/nothing-here").code
    end
  end

  def test_each_event_is_an_enumerator_and_server_is_enumerable
    SockJS::Server.open do |server|
      assert_kind_of Enumerator, server.each_event
      assert_kind_of Enumerable, server
      server.listen
      assert_equal [], server.each_event(timeout: 0.05).to_a
      assert_nil server.next_event(timeout: 0.05)
    end
  end

  def test_services_and_defaults
    SockJS::Server.open do |server|
      echo = server.add_service("/echo/", response_limit: 4096, heartbeat_delay: 1.5,
                                          disconnect_delay: 2, transports: { eventsource: false })
      root = server.add_service
      assert_equal "/echo", echo.prefix
      assert_equal [0, 1], server.services.map(&:id)
      assert_equal "", root.prefix
      assert_equal [], echo.sessions
      port = server.listen
      info = JSON.parse(http_get(port, "/echo/info").body)
      assert_equal true, info["websocket"]
      assert_equal "404", http_get(port, "/echo/000/abc/eventsource").code
    end
  end

  def test_invalid_options_raise
    SockJS::Server.open do |server|
      e = assert_raises(SockJS::InvalidArgumentError) { server.add_service("no-slash") }
      assert_equal(-1, e.code)
      assert_equal "SOCKJS_E_INVALID_ARGUMENT", e.status_name
      assert_kind_of SockJS::Error, e
      assert_kind_of StandardError, e
      assert_raises(SockJS::InvalidArgumentError) { server.add_service("/a", response_limit: 0) }
      assert_raises(SockJS::InvalidArgumentError) { server.add_service("/a", transports: { carrier_pigeon: false }) }
      assert_raises(SockJS::InvalidArgumentError) { server.add_service("/a", sockjs_url: "<script>") }
      assert_raises(ArgumentError) { server.add_service("/a", no_such_option: 1) }
      assert_raises(TypeError) { server.add_service("/a", response_limit: "big") }
      server.add_service("/dup")
      assert_raises(SockJS::InvalidArgumentError) { server.add_service("/dup") }
      assert_raises(SockJS::InvalidArgumentError) { server.listen(port: 70_000) }
    end
    assert_raises(SockJS::InvalidArgumentError) { SockJS::Server.new(max_request_head_size: 10) }
  end

  def test_state_and_system_errors
    SockJS::Server.open do |first|
      port = first.listen
      assert_raises(SockJS::StateError) { first.add_service("/late") }
      assert_raises(SockJS::StateError) { first.listen }
      SockJS::Server.open do |second|
        e = assert_raises(SockJS::SystemError) { second.listen(port: port) }
        assert_match(/listen/, e.message)
        assert_equal "SOCKJS_E_IO", e.status_name
      end
    end
  end

  def test_wakeup_from_another_thread_ends_a_wait
    SockJS::Server.open do |server|
      server.listen
      waker = Thread.new do
        sleep 0.1
        server.wakeup
      end
      started = Process.clock_gettime(Process::CLOCK_MONOTONIC)
      assert_nil server.next_event(timeout: 30)
      assert_operator Process.clock_gettime(Process::CLOCK_MONOTONIC) - started, :<, 20
      waker.join
    end
  end

  def test_close_from_another_thread_ends_each_event
    server = SockJS::Server.new
    server.listen
    closer = Thread.new do
      sleep 0.1
      server.close
    end
    assert_equal server, server.each_event { flunk "no event expected" }
    closer.join
    assert_predicate server, :closed?
  end

  def test_shutdown_ends_each_event
    SockJS::Server.open do |server|
      server.listen
      server.shutdown
      assert_equal [], server.to_a
      assert_predicate server, :closed?
    end
  end

  def test_waiting_leaves_other_threads_running
    SockJS::Server.open do |server|
      server.listen
      counter = 0
      worker = Thread.new { 200.times { counter += 1; sleep 0.001 } }
      server.next_event(timeout: 0.5)
      worker.join
      assert_equal 200, counter
    end
  end

  def test_low_level_extension_raises_typed_errors
    ext = SockJS::Ext::Server.new
    e = assert_raises(SockJS::UnknownSessionError) { ext.conn_write(12_345, "x") }
    assert_equal(-4, e.code)
    assert_raises(SockJS::InvalidArgumentError) { ext.conn_write(0, "x") }
    ext.release
    assert_predicate ext, :released?
    assert_raises(SockJS::ClosedError) { ext.poll(1) }
    ext.release # twice is fine, and so is the GC free afterwards
  end
end
