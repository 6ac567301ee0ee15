# frozen_string_literal: true

require "test_helper"

# Servers dropped without #close are freed by the GC: their I/O threads are
# joined, their sockets and event fds closed, and nothing crashes when a
# closed server is collected later.
class TestGC < Minitest::Test
  include SockJSTestHelpers

  def os_threads = Dir.children("/proc/self/task").size
  def open_fds = Dir.children("/proc/self/fd").size

  def collect_until(timeout: 10)
    deadline = Process.clock_gettime(Process::CLOCK_MONOTONIC) + timeout
    loop do
      GC.start(full_mark: true, immediate_sweep: true)
      return true if yield
      return false if Process.clock_gettime(Process::CLOCK_MONOTONIC) > deadline

      Array.new(10_000) { Object.new } # churn, so stale stack slots get overwritten
      sleep 0.05
    end
  end

  def refused?(port)
    TCPSocket.new("127.0.0.1", port).close
    false
  rescue Errno::ECONNREFUSED
    true
  end

  def test_unclosed_listening_servers_are_freed
    GC.start
    threads = os_threads
    fds = open_fds
    # Made in a thread that ends, so no stack slot keeps them alive.
    ports = Thread.new do
      Array.new(4) do
        server = SockJS::Server.new
        server.add_service("/echo")
        port = server.listen
        sockjs_ws(port, "/echo").close # a session that never gets polled
        server.next_event(timeout: 1)
        port
      end
    end.value
    assert_operator os_threads, :>, threads, "each listening server runs an I/O thread"
    assert collect_until { os_threads <= threads && open_fds <= fds },
           "threads #{os_threads} (was #{threads}), fds #{open_fds} (was #{fds}) after GC"
    ports.each { |port| assert refused?(port), "port #{port} still accepts" }
  end

  def test_closed_servers_are_collected_without_double_free
    Thread.new do
      3.times do
        SockJS::Server.open do |server|
          server.add_service("/x")
          server.listen
        end
      end
      SockJS::Server.new # never listened, never closed
    end.join
    3.times { GC.start(full_mark: true, immediate_sweep: true) }
    SockJS::Server.open { |server| assert_operator server.listen, :>, 0 }
  end

  # A forked child inherits the server's memory and fds (libevent's epoll fd
  # among them) but not its I/O thread. Freeing it there would unregister
  # the parent's events from the shared epoll set and hang the parent's
  # close, so the GC free skips servers made by another process. Run in a
  # subprocess so that a regression fails here instead of hanging the suite.
  def test_forked_child_leaves_the_parents_server_alone
    script = <<~RUBY
      require "sockjs"
      require "socket"
      SockJS::Server.open do |server|
        server.add_service("/echo")
        port = server.listen
        pid = fork { GC.start } # the child exits with the server unclosed
        Process.wait(pid)
        TCPSocket.new("127.0.0.1", port).close # the parent still accepts
      end
      puts "parent closed"
    RUBY
    out_r, out_w = IO.pipe
    pid = Process.spawn(RbConfig.ruby, "-I#{File.join(ROOT, "lib")}", "-I#{ext_dir}",
                        "-e", script, out: out_w)
    out_w.close
    begin
      Timeout.timeout(20) { Process.wait(pid) }
    rescue Timeout::Error
      Process.kill("KILL", pid)
      Process.wait(pid)
      flunk "the parent hung closing its server after a fork"
    end
    assert_equal "parent closed\n", out_r.read
    assert_predicate $?, :success?
  ensure
    out_r&.close
  end

  def test_gc_during_event_loop
    SockJS::Server.open do |server|
      server.add_service("/echo")
      port = server.listen
      ws = sockjs_ws(port, "/echo")
      10.times do |i|
        ws.send_text(JSON.generate(["m#{i}"]))
        GC.start
        message = expect_event(server, SockJS::Message)
        message.session << message.data
        assert_equal "a[\"m#{i}\"]", ws.read_text
      end
      ws.close
    end
  end
end
