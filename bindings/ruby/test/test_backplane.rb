# frozen_string_literal: true

require "test_helper"

# The Redis backplane: a throw-away redis-server on a free loopback port and
# two servers of one cluster in this process (node ids 1 and 2), with real
# WebSocket clients on each. A missing redis-server fails the test (it is
# part of what the binding must prove; scripts/install-deps.sh --cluster
# installs it).
#
# Exactly once without waiting for silence: messages of one publisher
# arrive in order, through Redis too, so each step ends with a marker
# published to every session; a client whose next message is the marker
# got no duplicate and nothing it should not have.
class TestBackplane < Minitest::Test
  include SockJSTestHelpers

  def setup
    @redis = nil
    @servers = []
    @clients = []
  end

  def teardown
    @clients.each(&:close)
    @servers.each(&:close)
    @redis&.stop
  end

  def node(id, **backplane)
    server = SockJS::Server.new(node_id: id, **backplane)
    @servers << server
    server.add_service("/chat", heartbeat_delay: 60)
    [server, server.listen]
  end

  def connect(server, port)
    ws = sockjs_ws(port, "/chat")
    @clients << ws
    [ws, expect_event(server, SockJS::Open).session]
  end

  def expect_messages(client, *texts)
    texts.each { |text| assert_equal text, client.read_message, "expected #{text.inspect}" }
  end

  def metric(server, name) = server.metrics.find { |m| m.name == name }&.value

  def test_publishes_cross_nodes_exactly_once
    @redis = RedisProcess.new
    options = { backplane_redis: @redis.address, backplane_channel: "rbtest-#{SecureRandom.hex(6)}",
                backplane_connect_timeout: 5, backplane_buffer_limit: 1 << 16 }
    n1, port1 = node(1, **options)
    n2, port2 = node(2, **options)
    x, sx = connect(n1, port1) # node 1, member
    y, sy = connect(n2, port2) # node 2, member
    z, sz = connect(n2, port2) # node 2, not a member
    assert_equal [1, 2, 2], [sx, sy, sz].map(&:node_id)

    # Joined, as each node confirms: a publish_to a local session is a
    # write, ordered after the join made before it.
    sx.join("room")
    sy.join("room")
    n1.publish_to(sx.id, "joined")
    n2.publish_to(sy.id, "joined")
    expect_messages(x, "joined")
    expect_messages(y, "joined")

    # A channel publish on node 1: once to its own member (locally, never
    # again from Redis), once to node 2's member, not to z.
    n1.publish("hello", channel: "room")
    n1.publish("end1")
    expect_messages(x, "hello", "end1")
    expect_messages(y, "hello", "end1")
    expect_messages(z, "end1")
    # Redis hands node 1 the channel's messages in the order it took them,
    # node 1's own first: had one been delivered again, x would read it
    # before node 2's marker.
    n2.publish("end2")
    expect_messages(x, "end2")
    expect_messages(y, "end2")
    expect_messages(z, "end2")

    # publish_to another node's session goes through Redis, both ways; an
    # id no session has is handed over and dropped by its node.
    assert_equal 4, n1.publish_to(sz.id, "to-z")
    n1.publish_to((2 << 48) | (1 << 40), "ghost")
    n1.publish("end3")
    expect_messages(x, "end3")
    expect_messages(y, "end3")
    expect_messages(z, "to-z", "end3")
    n2.publish_to(sx.id, "to-x")
    n2.publish("end4")
    expect_messages(x, "to-x", "end4")
    expect_messages(y, "end4")
    expect_messages(z, "end4")

    # After leaving, node 2's publishes to the channel miss y.
    sy.leave("room")
    n2.publish("after leave", channel: "room")
    n2.publish("end5")
    expect_messages(x, "after leave", "end5")
    expect_messages(y, "end5")
    expect_messages(z, "end5")

    @servers.each_with_index do |server, i|
      assert_equal 2, metric(server, "sockjs_backplane_state"), "node #{i + 1} backplane is up"
    end
    assert_operator metric(n1, "sockjs_backplane_published_total"), :>=, 5
  end

  def test_listen_raises_system_error_when_redis_is_unreachable
    port = SockJSTestHelpers.free_port # closed again: nothing listens there
    server = SockJS::Server.new(node_id: 1, backplane_redis: ["127.0.0.1", port],
                                backplane_connect_timeout: 0.3)
    @servers << server
    server.add_service("/chat")
    error = assert_raises(SockJS::SystemError) { server.listen }
    assert_equal "SOCKJS_E_IO", error.status_name
    assert_match(/listen/, error.message)
  end

  def test_backplane_options_are_checked
    ["", "127.0.0.1", ":6379", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:x", "::1:6379",
     ["127.0.0.1"], ["127.0.0.1", 0], 6379].each do |address|
      assert_raises(SockJS::InvalidArgumentError, address.inspect) { SockJS::Server.new(backplane_redis: address) }
    end
    base = { backplane_redis: "127.0.0.1:6379" }
    [{ backplane_channel: "c" * 256 }, { backplane_channel: "" }, { backplane_channel: "a\0b" },
     { backplane_buffer_limit: 0 },
     { backplane_buffer_limit: -1 }, { backplane_connect_timeout: 0 },
     { backplane_connect_timeout: 601 }].each do |bad|
      assert_raises(SockJS::InvalidArgumentError, bad.inspect) { SockJS::Server.new(**base, **bad) }
    end
    assert_raises(ArgumentError) { SockJS::Server.new(backplane_channel: "only") }
    # Valid ones, IPv6 included; nothing connects before listen.
    SockJS::Server.new(backplane_redis: "[::1]:6379", backplane_channel: "c" * 255,
                       backplane_buffer_limit: 1, backplane_connect_timeout: 600).close
    SockJS::Server.new(backplane_redis: ["localhost", 6380]).close
  end
end
