# frozen_string_literal: true

# Shared by the tests: minitest, the library, and small real clients (a
# WebSocket client and SockJS xhr helpers) built on the standard library.
require "minitest/autorun"
require "sockjs"
require "socket"
require "net/http"
require "json"
require "securerandom"
require "digest/sha1"
require "base64"
require "timeout"
require "rbconfig"

module SockJSTestHelpers
  ROOT = File.expand_path("..", __dir__)

  # A minimal RFC 6455 client: masked text frames out, unmasked frames in.
  class WSClient
    attr_reader :status, :head

    def initialize(port, path, headers: {})
      @sock = TCPSocket.new("127.0.0.1", port)
      key = Base64.strict_encode64(SecureRandom.random_bytes(16))
      extra = headers.map { |k, v| "#{k}: #{v}\r\n" }.join
      @sock.write("GET #{path} HTTP/1.1\r\nHost: 127.0.0.1:#{port}\r\nUpgrade: websocket\r\n" \
                  "Connection: Upgrade\r\nSec-WebSocket-Key: #{key}\r\n" \
                  "Sec-WebSocket-Version: 13\r\n#{extra}\r\n")
      head = +""
      head << read_exactly(1) until head.end_with?("\r\n\r\n")
      @head = head
      @status = head[/\AHTTP\/1\.1 (\d+)/, 1].to_i
      return unless @status == 101

      accept = Base64.strict_encode64(Digest::SHA1.digest(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
      raise "bad Sec-WebSocket-Accept" unless head.include?("Sec-WebSocket-Accept: #{accept}")
    end

    def send_text(text, opcode: 1)
      data = text.b
      mask = SecureRandom.random_bytes(4)
      header = [0x80 | opcode].pack("C")
      header << if data.bytesize < 126 then [0x80 | data.bytesize].pack("C")
                elsif data.bytesize < 65_536 then [0x80 | 126, data.bytesize].pack("Cn")
                else [0x80 | 127, data.bytesize].pack("CQ>")
                end
      masked = data.bytes.each_with_index.map { |b, i| b ^ mask.getbyte(i % 4) }.pack("C*")
      @sock.write(header + mask + masked)
    end

    # The next text frame's payload (answers pings); nil on close or EOF.
    def read_text(timeout: 5)
      Timeout.timeout(timeout) do
        loop do
          b0, b1 = read_exactly(2).unpack("CC")
          len = b1 & 0x7f
          len = read_exactly(2).unpack1("n") if len == 126
          len = read_exactly(8).unpack1("Q>") if len == 127
          payload = read_exactly(len)
          case b0 & 0x0f
          when 1 then return payload.force_encoding(Encoding::UTF_8)
          when 8 then return nil
          when 9 then send_text(payload, opcode: 10)
          end
        end
      end
    rescue EOFError, Errno::ECONNRESET
      nil
    end

    # The next SockJS message, however the server batched them into "a"
    # frames (heartbeat "h" frames are skipped); nil on close.
    def read_message(timeout: 5)
      @messages ||= []
      while @messages.empty?
        frame = read_text(timeout: timeout)
        return nil if frame.nil? || frame.start_with?("c")

        @messages.concat(JSON.parse(frame[1..])) if frame.start_with?("a")
      end
      @messages.shift
    end

    def close_frame(code = 1000)
      send_text([code].pack("n"), opcode: 8)
    end

    def close
      @sock.close unless @sock.closed?
    end

    private

    def read_exactly(n)
      buf = +"".b
      buf << @sock.readpartial(n - buf.bytesize) while buf.bytesize < n
      buf
    end
  end

  # A SockJS xhr-polling client on one keep-alive connection: opens the
  # session at once (the "o" frame), then polls for messages on demand.
  class XhrClient
    def initialize(port, prefix)
      @base = "#{prefix}/000/#{SecureRandom.hex(4)}"
      @http = Net::HTTP.start("127.0.0.1", port, open_timeout: 5, read_timeout: 10)
      @messages = []
      frame = poll
      raise "xhr open: #{frame.inspect}" unless frame == "o\n"
    end

    # The next n messages, polling as often as needed (heartbeats skipped).
    def read_messages(count, timeout: 5)
      Timeout.timeout(timeout) do
        while @messages.size < count
          frame = poll
          raise "session closed: #{frame}" if frame.start_with?("c")

          @messages.concat(JSON.parse(frame[1..])) if frame.start_with?("a")
        end
      end
      @messages.shift(count)
    end

    def close
      @http.finish if @http.started?
    end

    private

    def poll = @http.post("#{@base}/xhr", "", "Content-Type" => "text/plain").body
  end

  # A redis-server without persistence on a free 127.0.0.1 port, stopped by
  # PID. Missing, it fails the test rather than skipping it: the backplane
  # is part of what the binding must prove.
  class RedisProcess
    attr_reader :port

    def initialize
      exe = ENV.fetch("PATH", "").split(File::PATH_SEPARATOR).map { |d| File.join(d, "redis-server") }
                                    .find { |f| File.executable?(f) }
      raise Minitest::Assertion, "redis-server not found on PATH: the backplane tests need it " \
                                 "(Debian package redis-server; scripts/install-deps.sh --cluster)" unless exe

      3.times do # another process may take the free port first
        @port = SockJSTestHelpers.free_port
        @pid = Process.spawn(exe, "--port", @port.to_s, "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", out: File::NULL, err: File::NULL)
        return if wait_ready

        stop
      end
      raise Minitest::Assertion, "redis-server did not start on a free loopback port (3 tries)"
    end

    def address = "127.0.0.1:#{@port}"

    def stop
      return unless @pid

      Process.kill("TERM", @pid)
      Timeout.timeout(5) { Process.wait(@pid) }
    rescue Timeout::Error
      Process.kill("KILL", @pid)
      Process.wait(@pid)
    rescue Errno::ESRCH, Errno::ECHILD
      nil
    ensure
      @pid = nil
    end

    private

    # True once our redis-server answers PING (one that lost the port
    # race exits, so it is checked to be alive too).
    def wait_ready
      deadline = Process.clock_gettime(Process::CLOCK_MONOTONIC) + 10
      while Process.clock_gettime(Process::CLOCK_MONOTONIC) < deadline
        if Process.wait(@pid, Process::WNOHANG)
          @pid = nil # exited (lost the port) and reaped
          return false
        end
        return true if pong?

        sleep 0.02
      end
      false
    end

    def pong?
      TCPSocket.open("127.0.0.1", @port) do |s|
        s.write("PING\r\n")
        s.wait_readable(1) && s.readpartial(64).start_with?("+PONG")
      end
    rescue SystemCallError, EOFError
      false
    end
  end

  # A port below the kernel's ephemeral range, free a moment ago (in the
  # ephemeral range, another test's outgoing connection could take it before
  # the server binds it).
  def self.free_port
    low = begin
      Integer(File.read("/proc/sys/net/ipv4/ip_local_port_range").split.first)
    rescue SystemCallError, ArgumentError, TypeError
      32_768
    end
    first = low > 13_024 ? low - 12_000 : 1024
    200.times do
      port = rand(first...low)
      begin
        TCPServer.new("127.0.0.1", port).close
        return port
      rescue SystemCallError
        next
      end
    end
    raise "no free loopback port below the ephemeral range"
  end

  # Opens a SockJS-framed WebSocket session and checks the "o" frame.
  def sockjs_ws(port, prefix, headers: {})
    ws = WSClient.new(port, "#{prefix}/000/#{SecureRandom.hex(4)}/websocket", headers: headers)
    assert_equal 101, ws.status
    assert_equal "o", ws.read_text
    ws
  end

  def http_post(port, path, body = nil)
    Net::HTTP.start("127.0.0.1", port, open_timeout: 5, read_timeout: 10) do |http|
      http.post(path, body.to_s, "Content-Type" => "text/plain")
    end
  end

  def http_get(port, path)
    Net::HTTP.start("127.0.0.1", port, open_timeout: 5, read_timeout: 10) { |http| http.get(path) }
  end

  # Runs the server's event loop in a thread, answering with the block,
  # until the test ends (the server is closed in teardown).
  def serve_in_thread(server, &handler)
    Thread.new do
      Thread.current.report_on_exception = true
      server.each_event(&handler)
    end
  end

  # The next event of the given class, failing after timeout seconds.
  def expect_event(server, klass, timeout: 5)
    deadline = Process.clock_gettime(Process::CLOCK_MONOTONIC) + timeout
    loop do
      left = deadline - Process.clock_gettime(Process::CLOCK_MONOTONIC)
      flunk "no #{klass} event within #{timeout}s" if left <= 0
      event = server.next_event(timeout: left)
      return event if event.is_a?(klass)
    end
  end

  # Starts an example script; returns [pid, port, stdout reader].
  def spawn_example(name, *args)
    env = { "RUBYLIB" => [File.join(ROOT, "lib"), ext_dir, ENV["RUBYLIB"]].compact.join(":") }
    out_r, out_w = IO.pipe
    pid = Process.spawn(env, RbConfig.ruby, File.join(ROOT, "examples", name), "--port", "0", *args,
                        out: out_w, err: $stderr)
    out_w.close
    line = Timeout.timeout(15) { out_r.gets }
    refute_nil line, "#{name} printed nothing"
    port = line[%r{listening on http://[^:]+:(\d+)}, 1]
    refute_nil port, "unexpected first line from #{name}: #{line.inspect}"
    [pid, port.to_i, out_r]
  end

  # Stops an example with SIGTERM and returns its exit status.
  def stop_example(pid)
    Process.kill("TERM", pid)
    Timeout.timeout(15) { Process.wait2(pid)[1] }
  rescue Timeout::Error
    Process.kill("KILL", pid)
    Process.wait(pid)
    flunk "example did not stop on SIGTERM"
  end

  def ext_dir
    $LOAD_PATH.find { |d| File.exist?(File.join(d, "sockjs_ext.so")) }
  end
end
