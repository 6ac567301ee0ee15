# frozen_string_literal: true

require "test_helper"

# Runs each example as its own process (--port 0), talks to it with real
# clients, and stops it with SIGTERM, which must end it cleanly.
class TestExamples < Minitest::Test
  include SockJSTestHelpers

  def with_example(name, *args)
    pid, port, out = spawn_example(name, *args)
    clients = []
    begin
      yield port, clients
    ensure
      clients.each(&:close)
      status = stop_example(pid)
      out.close
    end
    assert_predicate status, :success?, "#{name} exit status #{status.inspect}"
  end

  def test_echo_example
    with_example("echo.rb") do |port, clients|
      ws = sockjs_ws(port, "/echo")
      clients << ws
      ws.send_text('["hi there"]')
      assert_equal 'a["hi there"]', ws.read_text
      page = http_get(port, "/")
      assert_equal "200", page.code
      assert_includes page.body, 'new SockJS("/echo")'
      assert_equal "404", http_get(port, "/missing").code
    end
  end

  def test_chat_example_broadcasts
    with_example("chat.rb") do |port, clients|
      alice = sockjs_ws(port, "/chat")
      clients << alice
      assert_match(/joined/, JSON.parse(alice.read_message)["text"]) # her own
      bob = sockjs_ws(port, "/chat")
      clients << bob
      assert_match(/joined/, JSON.parse(bob.read_message)["text"])
      assert_match(/joined/, JSON.parse(alice.read_message)["text"]) # bob's
      bob.send_text('["hello room"]')
      [alice, bob].each do |ws|
        line = JSON.parse(ws.read_message)
        assert_equal "hello room", line["text"]
        refute_equal "server", line["from"]
      end
    end
  end

  # Two chat processes on one Redis are one room: what a client of node 2
  # says reaches a client of node 1, and the other way round.
  def test_chat_example_spans_nodes_through_redis
    redis = RedisProcess.new
    with_example("chat.rb", "--node-id", "1", "--redis", redis.address) do |port1, clients|
      with_example("chat.rb", "--node-id", "2", "--redis", redis.address) do |port2, _|
        alice = sockjs_ws(port1, "/chat")
        clients << alice
        assert_match(/joined/, JSON.parse(alice.read_message)["text"]) # her own
        bob = sockjs_ws(port2, "/chat")
        clients << bob
        # Alice's "joined" may still have been on its way through Redis when
        # bob opened: node 2 then delivers it to him too, before or after
        # his own. Bob's reads skip it.
        alice_joined_seen = false
        next_line = lambda do |ws|
          loop do
            line = JSON.parse(ws.read_message)
            late = ws.equal?(bob) && !alice_joined_seen && line["text"] =~ /joined/ &&
                   SockJS.node_of(line["text"].to_i) == 1
            alice_joined_seen ||= late
            break line unless late
          end
        end
        [bob, alice].each do |ws| # bob's, on both nodes
          line = next_line.call(ws)
          assert_match(/joined/, line["text"])
          assert_equal 2, SockJS.node_of(line["text"].to_i), "bob's session is on node 2"
        end
        bob.send_text('["from node 2"]')
        alice.send_text('["from node 1"]')
        [alice, bob].each do |ws|
          lines = 2.times.map { next_line.call(ws) }
          assert_equal ["from node 1", "from node 2"], lines.map { |l| l["text"] }.sort
          assert_equal [1, 2], lines.map { |l| SockJS.node_of(l["from"].to_i) }.sort
        end
      end
    end
  ensure
    redis&.stop
  end

  def test_testserver_example_services
    with_example("testserver.rb", "--sockjs-url", "http://localhost/sockjs.js") do |port, clients|
      echo = sockjs_ws(port, "/echo")
      clients << echo
      echo.send_text('["e"]')
      assert_equal 'a["e"]', echo.read_text

      closer = sockjs_ws(port, "/close")
      clients << closer
      assert_equal 'c[3000,"Go away!"]', closer.read_text

      amplify = sockjs_ws(port, "/amplify")
      clients << amplify
      amplify.send_text('["4"]')
      assert_equal "a[\"#{'x' * 16}\"]", amplify.read_text

      b1 = sockjs_ws(port, "/broadcast")
      b2 = sockjs_ws(port, "/broadcast")
      clients.push(b1, b2)
      # A publish reaches every session that has had its "o" frame.
      b1.send_text('["all"]')
      assert_equal %w[all all], [b1.read_message, b2.read_message]

      ticker = sockjs_ws(port, "/ticker")
      clients << ticker
      assert_equal "tick!", ticker.read_message(timeout: 5)

      assert_equal "404", http_get(port, "/disabled_websocket_echo/websocket").code
      info = JSON.parse(http_get(port, "/cookie_needed_echo/info").body)
      assert_equal true, info["cookie_needed"]
      iframe = http_get(port, "/echo/iframe.html").body
      assert_includes iframe, "http://localhost/sockjs.js"
    end
  end
end
