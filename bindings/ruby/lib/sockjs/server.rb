# frozen_string_literal: true

require "io/wait"

module SockJS
  # A SockJS server: services under URL prefixes, a listening socket served
  # by libsockjs' own I/O thread, and events read here. The library never
  # calls into Ruby; events are waited for with IO#wait_readable on the
  # library's event fd, so the GVL is free (and a fiber scheduler can run)
  # while nothing happens.
  #
  #   SockJS::Server.open do |server|
  #     server.add_service("/echo")
  #     port = server.listen(port: 8081)
  #     server.each_event do |event|
  #       event.session << event.data if event.is_a?(SockJS::Message)
  #     end
  #   end
  class Server
    include Enumerable

    POLL_BATCH = 64
    private_constant :POLL_BATCH

    # Creates a server, yields it and always closes it (like File.open).
    # Without a block, returns the server; call #close yourself.
    def self.open(**options)
      server = new(**options)
      return server unless block_given?

      begin
        yield server
      ensure
        server.close
      end
    end

    # node_id: this node's number in a cluster (0 unless set).
    attr_reader :host, :port, :node_id

    # Durations are in seconds (Float allowed).
    # max_request_head_size:: largest request line + headers in bytes (16384)
    # request_timeout::       time for a request head to arrive (30)
    # shutdown_timeout::      how long #close lets queued output drain (2)
    # forward_unmatched::     report requests that match no service as
    #                         SockJS::Request events instead of answering 404
    # max_request_headers::   most header lines in one request (100); more get 431
    # max_sessions::          most sessions open at once (no limit); more get 503
    # max_connections::       most TCP connections open at once (no limit);
    #                         excess ones are closed at once
    # tcp_keepalive::         keepalive idle seconds on accepted sockets (60;
    #                         0 turns it off), so vanished peers end in Close
    # trusted_proxies::       reverse proxies ("10.0.0.0/8", "::1") whose
    #                         X-Forwarded-For / X-Real-IP give Session#client_address
    # logger::                a Logger for the library's lines (nil: silent)
    # log_level::             lowest level sent to it (Logger::DEBUG = one line
    #                         per HTTP request, INFO = sessions, WARN = limits
    #                         and protocol errors); nil: logger.level
    # node_id::               this node's number in a cluster, 0..65535 (0): the
    #                         top 16 bits of its session ids (SockJS.node_of)
    # backplane_redis::       join a cluster through Redis: "host:port",
    #                         "[::1]:6379" or [host, port]; #publish and
    #                         #publish_to then reach the other nodes' sessions.
    #                         #listen raises SystemError when Redis cannot be
    #                         reached within backplane_connect_timeout
    # backplane_channel::     the Redis pub/sub channel of the cluster ("sockjs")
    # backplane_buffer_limit:: bytes of publishes held while Redis is away (1 MiB)
    # backplane_connect_timeout:: seconds #listen waits for Redis, and per
    #                         connection attempt after (5)
    def initialize(max_request_head_size: nil, request_timeout: nil, shutdown_timeout: nil,
                   forward_unmatched: false, max_request_headers: nil, max_sessions: nil,
                   max_connections: nil, tcp_keepalive: nil, trusted_proxies: nil,
                   logger: nil, log_level: nil, node_id: nil, backplane_redis: nil,
                   backplane_channel: nil, backplane_buffer_limit: nil,
                   backplane_connect_timeout: nil)
      options = Ext::ServerOptions.new
      options.max_request_head_size = max_request_head_size if max_request_head_size
      options.request_timeout_ms = Server.ms(request_timeout) if request_timeout
      options.shutdown_timeout_ms = Server.ms(shutdown_timeout) if shutdown_timeout
      options.forward_unmatched = forward_unmatched
      { max_request_headers: max_request_headers, max_sessions: max_sessions,
        max_connections: max_connections, tcp_keepalive_s: tcp_keepalive }.each do |name, value|
        options.public_send(:"#{name}=", Server.count(name, value)) if value
      end
      Array(trusted_proxies).each { |cidr| options.add_trusted_proxy(cidr.to_s) }
      @logger = logger
      options.log_level = Server.c_log_level(log_level || logger.level) if logger
      options.node_id = Server.count(:node_id, node_id) if node_id
      Server.set_backplane(options, backplane_redis, channel: backplane_channel,
                                                     buffer_limit: backplane_buffer_limit,
                                                     connect_timeout: backplane_connect_timeout)
      @node_id = node_id || 0
      @ext = Ext::Server.new(options)
      @shutdown_timeout = shutdown_timeout || 2.0
      @services = []
      @sessions = {}
      @pending = []
      @io = nil
      @shutdown = false
    end

    # Adds a SockJS endpoint under prefix ("" is the root) and returns its
    # Service. Only before #listen. Durations are in seconds.
    #   heartbeat_delay: 25, disconnect_delay: 5, response_limit: 131072,
    #   websocket: true, transports: {"eventsource" => false},
    #   jsessionid: false, cors: true, sockjs_url: nil, base_url: nil,
    #   max_message_size: 1048576, send_buffer_limit: 1048576,
    #   expose_cookies: false, allowed_origins: nil,
    #   authorize: false, authorize_timeout: 5,
    #   permessage_deflate: false, deflate_threshold: 128
    # allowed_origins is the Origin allow-list against cross-site WebSocket
    # hijacking, e.g. ["https://app.example", "*.example.com",
    # "http://localhost:*"]: other Origins get 403, WebSocket upgrades too;
    # requests without an Origin, and same-origin ones, always pass.
    # authorize: true reports each Open before the client gets "o"; answer
    # with Session#accept or Session#reject within authorize_timeout seconds
    # (then 3000 "Authorization timed out"). permessage_deflate: true offers
    # WebSocket compression (RFC 7692); messages shorter than
    # deflate_threshold bytes go out uncompressed.
    def add_service(prefix = "", heartbeat_delay: nil, disconnect_delay: nil,
                    response_limit: nil, websocket: true, transports: nil, jsessionid: false,
                    cors: true, sockjs_url: nil, base_url: nil, max_message_size: nil,
                    send_buffer_limit: nil, expose_cookies: false, allowed_origins: nil,
                    authorize: false, authorize_timeout: nil, permessage_deflate: false,
                    deflate_threshold: nil)
      o = Ext::Options.new
      o.prefix = prefix.to_s
      o.heartbeat_delay_ms = Server.ms(heartbeat_delay) if heartbeat_delay
      o.disconnect_delay_ms = Server.ms(disconnect_delay) if disconnect_delay
      o.response_limit = response_limit if response_limit
      o.websocket = websocket
      transports&.each { |name, on| o.enable_transport(name.to_s.tr("_", "-"), on) }
      o.jsessionid = jsessionid
      o.disable_cors = !cors
      o.sockjs_url = sockjs_url if sockjs_url
      o.base_url = base_url if base_url
      o.max_message_size = max_message_size if max_message_size
      o.send_buffer_limit = send_buffer_limit if send_buffer_limit
      o.expose_cookies = expose_cookies
      Array(allowed_origins).each { |pattern| o.add_allowed_origin(pattern.to_s) }
      o.authorize = authorize
      o.authorize_timeout_ms = [Server.ms(authorize_timeout), 1].max if authorize_timeout
      o.permessage_deflate = permessage_deflate
      o.deflate_threshold = deflate_threshold if deflate_threshold
      id = @ext.add_service(o)
      @services[id] = Service.new(id, prefix.to_s.chomp("/"), self)
    end

    # The services in the order added.
    def services = @services.dup

    # Every open session of every service.
    def sessions = @sessions.values

    # Ids of the open sessions of every service, as the library sees them
    # (a session is listed before its Open event is read).
    def session_ids = list_session_ids(-1)

    # Closes every open session of every service; returns how many. Their
    # Close events follow.
    def close_sessions(code = 1000, reason = "Normal closure") = close_sessions_of(-1, code, reason)

    # One value of #metrics; names and labels as listed in sockjs.h.
    # service is the service's prefix, nil when not per service.
    Metric = Struct.new(:name, :type, :service, :transport, :label, :code, :value)

    # A snapshot of the server's counters and gauges: an Array of Metric
    # (type :counter or :gauge).
    def metrics
      @ext.metrics.map do |name, type, service, transport, label, code, value|
        Metric.new(name, type == Ext::METRIC_COUNTER ? :counter : :gauge,
                   service >= 0 ? @services[service]&.prefix : nil, transport, label, code, value)
      end
    end

    # The metrics in the Prometheus text format 0.0.4, for a /metrics page
    # served as "text/plain; version=0.0.4; charset=utf-8".
    def metrics_prometheus = @ext.metrics_prometheus

    def list_session_ids(service_id) = closed? ? [] : @ext.list_sessions(service_id) # :nodoc:

    # Sends text to every member of channel of a service (Session#join), or
    # with no channel to every session of the service; see Service#publish.
    # service is a Service or its prefix, and may be left out when the
    # server has only one.
    def publish(text, service: nil, channel: nil)
      service_of(service).publish(text, channel: channel)
    end

    # Sends text to the session with this id, wherever it lives. A session
    # of this node gets it as with Session#write (BufferFullError when its
    # buffer is full, UnknownSessionError or ClosedError when it is gone or
    # closing). The id of another node's session (SockJS.node_of(id) is not
    # #node_id) goes through the backplane: returning means it was handed
    # over (that node drops it if the session is gone); without a backplane
    # that raises UnknownSessionError. Returns the message size in bytes.
    def publish_to(id, text)
      text = text.to_s
      @ext.publish_to(Integer(id), text)
      text.bytesize
    end

    def publish_in(service_id, channel, text) # :nodoc:
      @ext.publish(service_id, channel, text)
    end

    def close_sessions_of(service_id, code, reason) # :nodoc:
      closed? ? 0 : @ext.close_sessions(service_id, code, reason)
    end

    # Binds and starts serving; returns the bound port (port 0 picks one).
    def listen(host: "127.0.0.1", port: 0)
      @port = @ext.listen(host, Integer(port))
      @host = host
      @io = IO.for_fd(@ext.event_fd, autoclose: false)
      @port
    end

    # The next event, waiting up to timeout seconds (nil: no limit). Returns
    # nil on timeout, after #wakeup, or once the server has closed.
    def next_event(timeout: nil)
      deadline = timeout && (Server.now + timeout)
      loop do
        return @pending.shift unless @pending.empty?
        return nil if closed?
        next if fill_pending
        return nil if closed? # SERVER_CLOSED just arrived

        remaining = deadline && (deadline - Server.now)
        return nil if remaining && remaining <= 0
        # Readable with nothing to poll means a wakeup: report it as nil.
        return nil if wait(remaining) && !fill_pending && @pending.empty?
      end
    end

    # Yields each event until the server closes, or until no event came for
    # timeout seconds. Without a block, returns an Enumerator.
    def each_event(timeout: nil)
      return enum_for(:each_event, timeout: timeout) unless block_given?

      deadline = nil
      until closed? && @pending.empty?
        event = next_event(timeout: timeout && (deadline ? deadline - Server.now : timeout))
        if event
          deadline = nil
          yield event
        elsif timeout
          deadline ||= Server.now + timeout
          break if Server.now >= deadline
        end
      end
      self
    end

    # Enumerable: server.each { |event| ... }, server.lazy.grep(...), ...
    def each(&block) = each_event(&block)

    # Makes a waiting #next_event return nil. Safe from any thread.
    def wakeup
      @ext.wakeup unless closed?
      nil
    end

    # Starts a graceful shutdown: every session gets a 1001 "Going away"
    # close (and a Close event); #each_event ends once it is done.
    def shutdown
      return nil if closed? || @shutdown

      @shutdown = true
      @ext.close
      nil
    end

    # Shuts down, lets queued output drain (up to shutdown_timeout), drops
    # the remaining events and frees the server. Idempotent.
    def close
      return nil if closed?

      shutdown
      deadline = Server.now + @shutdown_timeout + 1.0
      until closed?
        fill_pending
        @pending.clear
        remaining = deadline - Server.now
        break if remaining <= 0

        wait(remaining) unless closed?
      end
      release
      nil
    end

    # True once closed (by #close or because the shutdown completed).
    def closed? = @ext.released?

    # The IO of the event fd (readable while events are queued), for use in
    # your own IO.select; read events with next_event(timeout: 0).
    def to_io = @io

    def inspect
      state = if closed? then "closed" elsif @port then "listening on #{@host}:#{@port}" else "new" end
      "#<SockJS::Server #{state} services=#{@services.map(&:prefix)} sessions=#{@sessions.size}>"
    end

    def self.now = Process.clock_gettime(Process::CLOCK_MONOTONIC) # :nodoc:

    def self.ms(seconds) = (seconds * 1000).round # :nodoc:

    # Logger severities (DEBUG 0 .. ERROR 3, or :debug..:error) to the
    # library's levels (10 .. 40). :nodoc:
    def self.c_log_level(level)
      unless level.is_a?(Integer)
        level = LOGGER_SEVERITIES.fetch(level.to_s.downcase.to_sym) do
          raise InvalidArgumentError.new("log_level: unknown level #{level.inspect}", -1)
        end
      end
      level.clamp(0, 3).succ * 10
    end

    # Logger::Severity's values, without requiring the logger gem.
    LOGGER_SEVERITIES = { debug: 0, info: 1, warn: 2, warning: 2, error: 3, fatal: 4 }.freeze
    private_constant :LOGGER_SEVERITIES

    # The backplane options; the others mean nothing without a Redis
    # address, so giving them alone is an error rather than ignored. :nodoc:
    def self.set_backplane(options, redis, channel:, buffer_limit:, connect_timeout:)
      if redis.nil?
        return if [channel, buffer_limit, connect_timeout].all?(&:nil?)

        raise ArgumentError, "backplane_channel/_buffer_limit/_connect_timeout need backplane_redis:"
      end
      options.backplane_redis(*redis_address(redis))
      options.backplane_channel = channel.to_s if channel
      options.backplane_buffer_limit = count(:backplane_buffer_limit, buffer_limit) if buffer_limit
      return unless connect_timeout

      seconds = Float(connect_timeout)
      unless seconds.positive?
        raise InvalidArgumentError.new("backplane_connect_timeout: must be > 0, got #{seconds}", -1)
      end

      options.backplane_connect_timeout_ms = [ms(seconds), 1].max
    end

    # "host:port", "[v6]:port" or [host, port] to [host, port]; the port is
    # never guessed, as in the other bindings. :nodoc:
    def self.redis_address(value)
      host, port = case value
                   when Array then value.size == 2 ? value : []
                   when /\A\[([^\]]+)\]:(\d+)\z/, /\A([^:\[\]]+):(\d+)\z/
                     [Regexp.last_match(1), Regexp.last_match(2)]
                   else []
                   end
      port = port.is_a?(String) ? Integer(port, 10) : Integer(port)
      raise ArgumentError if host.nil? || host.to_s.empty? || !(1..65_535).cover?(port)

      [host.to_s, port]
    rescue ArgumentError, TypeError
      raise InvalidArgumentError.new("backplane_redis: want \"host:port\" or [host, port], " \
                                     "got #{value.inspect}", -1)
    end

    # A non-negative Integer for a size_t/uint32_t option: the C conversion
    # would wrap a negative one around instead of refusing it. :nodoc:
    def self.count(name, value)
      n = Integer(value)
      raise InvalidArgumentError.new("#{name}: must be >= 0, got #{n}", -1) if n.negative?

      n
    end

    private

    # The Service a #publish goes to: given, by prefix, or the only one.
    def service_of(service)
      case service
      when Service then service
      when nil
        return @services.first if @services.size == 1

        raise ArgumentError, "publish needs service: on a server with #{@services.size} services"
      else
        prefix = service.to_s.chomp("/")
        @services.find { |s| s.prefix == prefix } ||
          raise(InvalidArgumentError.new("publish: no service #{service.inspect}", -1))
      end
    end

    # Waits for the event fd without holding the GVL. False on timeout.
    def wait(timeout)
      io = @io
      if io.nil?
        return false if closed?

        io = @io = IO.for_fd(@ext.event_fd, autoclose: false)
      end
      !!io.wait_readable(timeout)
    rescue IOError, ClosedError # closed by another thread's #close
      false
    end

    # Moves every queued event into @pending; false when none was queued.
    def fill_pending
      got = false
      until closed?
        rows = @ext.poll(POLL_BATCH)
        break if rows.empty?

        got = true
        rows.each do |row|
          next log(row[4], row[3]) if row[0] == Ext::EVENT_LOG

          event = convert(row)
          @pending << event if event
        end
      end
      got
    rescue ClosedError
      raise unless closed? # released by another thread in between: done

      got
    end

    def convert(row)
      type, service_id, id, data, code = row
      case type
      when Ext::EVENT_MESSAGE
        Message.new(session: @sessions[id], data: data)
      when Ext::EVENT_OPEN
        service = @services[service_id]
        session = Session.new(self, @ext, id, service, @ext.conn_info(id))
        @sessions[id] = session
        service.attach(session)
        Open.new(session: session)
      when Ext::EVENT_CLOSE
        session = @sessions.delete(id)
        return nil unless session

        session.service.detach(session)
        session.closed!(code, data)
        Close.new(session: session, code: code, reason: data)
      when Ext::EVENT_DRAIN
        session = @sessions[id]
        session && Drain.new(session: session)
      when Ext::EVENT_REQUEST
        request_event(id, data)
      when Ext::EVENT_SERVER_CLOSED
        release
        nil
      end
    end

    # A LOG event goes to the logger, never to the application's events.
    def log(level, line)
      @logger&.add(level / 10 - 1, line, "sockjs")
    end

    def request_event(id, method)
      _, _, _, address, port, _, url, headers = @ext.conn_info(id)
      request = Request.new(id: id, method: method, url: url, headers: headers.freeze,
                            remote_address: address, remote_port: port)
      request.ext = @ext
      request
    end

    # Frees the C server (joining its thread). The IO wrapper is closed
    # first: it never owned the fd (autoclose: false), the library does.
    def release
      @io&.close
      @io = nil
      @sessions.each_value { |s| s.closed!(1001, "Going away") unless s.closed? }
      @ext.release
    end
  end
end
