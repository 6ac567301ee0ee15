# frozen_string_literal: true

require "test_helper"

# Channels on one server, with real clients on 127.0.0.1: Session#join and
# #leave, Service#publish / Server#publish to a channel or a whole service,
# Server#publish_to by id, node ids, and the errors for bad names.
#
# Nothing here waits to see that a message did NOT come: messages of one
# publisher arrive in order, so each step ends with a marker published to
# every session, and a client whose next message is the marker got nothing
# it should not have (and no duplicate).
class TestChannels < Minitest::Test
  include SockJSTestHelpers

  def setup
    @server = SockJS::Server.new(node_id: 7)
    @clients = []
  end

  def teardown
    @clients.each(&:close)
    @server.close
  end

  # A WebSocket client of prefix and its Session, read from the Open event.
  def connect(port, prefix)
    ws = sockjs_ws(port, prefix)
    @clients << ws
    [ws, expect_event(@server, SockJS::Open).session]
  end

  def expect_messages(client, *texts)
    texts.each { |text| assert_equal text, client.read_message, "message on #{client.inspect}" }
  end

  def test_join_leave_and_publish_to_channels_and_services
    chat = @server.add_service("/chat")
    other = @server.add_service("/other")
    port = @server.listen
    a, sa = connect(port, "/chat")
    b, sb = connect(port, "/chat")
    c, sc = connect(port, "/chat")
    xhr = XhrClient.new(port, "/chat")
    sx = expect_event(@server, SockJS::Open).session
    o, so = connect(port, "/other")

    assert_same sa, sa.join("room"), "join returns the session"
    sb.join(:room) # a Symbol names the same channel
    sx.join("room").join("room") # joining twice is one membership
    so.join("room") # same name, other service: another channel
    assert_equal 5, chat.publish("hello", channel: "room")
    assert_equal 3, @server.publish("all", service: chat)
    @server.publish("other-all", service: "/other")
    expect_messages(a, "hello", "all")
    expect_messages(b, "hello", "all")
    expect_messages(c, "all")
    assert_equal %w[hello all], xhr.read_messages(2)
    expect_messages(o, "other-all")

    # After leave, channel publishes miss the session; leaving a channel
    # it is not in does nothing.
    assert_same sb, sb.leave("room")
    sc.leave("room")
    @server.publish("again", service: chat, channel: "room")
    other.publish("other-room", channel: "room")
    chat.publish("end")
    expect_messages(a, "again", "end")
    expect_messages(b, "end")
    expect_messages(c, "end")
    assert_equal %w[again end], xhr.read_messages(2)
    expect_messages(o, "other-room")

    # publish_to: one session by id, like Session#write.
    assert_equal 6, @server.publish_to(sc.id, "only c")
    chat.publish("end2")
    expect_messages(a, "end2")
    expect_messages(b, "end2")
    expect_messages(c, "only c", "end2")
    assert_equal %w[end2], xhr.read_messages(1)

    # A closed session has left its channels; leave is then harmless.
    a.close_frame
    assert_same sa, expect_event(@server, SockJS::Close).session
    assert_raises(SockJS::UnknownSessionError) { sa.join("room") }
    assert_same sa, sa.leave("room")
    chat.publish("last", channel: "room")
    chat.publish("end3")
    assert_equal %w[last end3], xhr.read_messages(2)
    expect_messages(b, "end3")
  ensure
    xhr&.close
  end

  # A session waiting for accept can join; what was published meanwhile
  # follows its "o" frame.
  def test_join_before_accept
    chat = @server.add_service("/chat", authorize: true)
    port = @server.listen
    ws = WSClient.new(port, "/chat/000/#{SecureRandom.hex(4)}/websocket")
    @clients << ws
    assert_equal 101, ws.status
    session = expect_event(@server, SockJS::Open).session
    session.join("room")
    chat.publish("while waiting", channel: "room")
    session.accept
    assert_equal "o", ws.read_text
    expect_messages(ws, "while waiting")
  end

  def test_publish_defaults_to_the_only_service
    @server.add_service("/one")
    port = @server.listen
    ws, = connect(port, "/one")
    assert_equal 3, @server.publish("one")
    assert_equal 6, @server.publish("nobody", channel: "empty"), "a channel without members"
    @server.publish("two")
    expect_messages(ws, "one", "two")
  end

  def test_publish_needs_a_service_when_there_are_several
    @server.add_service("/a")
    @server.add_service("/b")
    @server.listen
    error = assert_raises(ArgumentError) { @server.publish("which?") }
    assert_match(/service:/, error.message)
    assert_raises(SockJS::InvalidArgumentError) { @server.publish("x", service: "/missing") }
  end

  def test_invalid_channel_names_raise
    service = @server.add_service("/chat")
    port = @server.listen
    _ws, session = connect(port, "/chat")
    longest = "é" * (SockJS::MAX_CHANNEL_NAME / 2) + "x" # 255 bytes
    assert_equal 255, SockJS::MAX_CHANNEL_NAME
    assert_equal 255, longest.bytesize
    session.join(longest)
    session.leave(longest)
    service.publish("fine", channel: longest)

    ["", "x" * 256, "a\0b", "\xFF\xFE".b, "caf\xC3".dup.force_encoding(Encoding::UTF_8), nil].each do |name|
      error = assert_raises(SockJS::InvalidArgumentError, "join(#{name.inspect})") { session.join(name) }
      assert_equal "SOCKJS_E_INVALID_ARGUMENT", error.status_name
      assert_match(/1\.\.255 bytes of UTF-8/, error.message)
      assert_raises(SockJS::InvalidArgumentError, "leave(#{name.inspect})") { session.leave(name) }
      next if name.nil? # channel: nil is the whole service

      assert_raises(SockJS::InvalidArgumentError, "publish(#{name.inspect})") do
        service.publish("x", channel: name)
      end
    end
    assert_raises(SockJS::InvalidArgumentError) { service.publish("\xFF".b) }
  end

  def test_node_ids_and_publish_to_other_nodes_without_a_backplane
    @server.add_service("/chat")
    port = @server.listen
    _ws, session = connect(port, "/chat")
    assert_equal 7, @server.node_id
    assert_equal 7, session.node_id
    assert_equal 7, SockJS.node_of(session.id)
    assert_equal 7, session.id >> 48

    # Another node's id with no backplane: nowhere to send it.
    assert_raises(SockJS::UnknownSessionError) { @server.publish_to((3 << 48) | 1, "lost") }
    assert_raises(SockJS::UnknownSessionError) { @server.publish_to((7 << 48) | 999_999, "gone") }
    assert_raises(SockJS::InvalidArgumentError) { @server.publish_to(0, "zero") }

    assert_raises(SockJS::InvalidArgumentError) { SockJS::Server.new(node_id: 65_536) }
    assert_raises(SockJS::InvalidArgumentError) { SockJS::Server.new(node_id: -1) }
    SockJS::Server.new(node_id: 65_535).close
    assert_equal 0, SockJS::Server.open(&:node_id)
  end

  def test_publish_counts_in_metrics_and_after_close_raises
    service = @server.add_service("/chat")
    port = @server.listen
    ws, = connect(port, "/chat")
    # Counted as the I/O thread fans a publish out, before the client can
    # have it: once both arrived, both are counted.
    2.times { |i| service.publish("x#{i}") }
    expect_messages(ws, "x0", "x1")
    metric = @server.metrics.find { |m| m.name == "sockjs_publishes_total" && m.service == "/chat" }
    refute_nil metric
    assert_equal 2, metric.value
    @server.close
    assert_raises(SockJS::ClosedError) { service.publish("late") }
    assert_raises(SockJS::ClosedError) { @server.publish_to((7 << 48) | 1, "late") }
  end
end
