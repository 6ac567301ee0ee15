# frozen_string_literal: true

require "test_helper"

# permessage-deflate is answered in the 101 only when the service offers it.
class TestDeflate < Minitest::Test
  include SockJSTestHelpers

  OFFER = { "Sec-WebSocket-Extensions" => "permessage-deflate; client_max_window_bits" }.freeze

  def teardown
    @server&.close
  end

  def extensions(port, path)
    ws = WSClient.new(port, path, headers: OFFER)
    assert_equal 101, ws.status, path
    ws.head.scan(/^Sec-WebSocket-Extensions:\s*(.*?)\r$/i).flatten
  ensure
    ws&.close
  end

  def test_permessage_deflate_on_and_off
    @server = SockJS::Server.new
    @server.add_service("/plain", heartbeat_delay: 0)
    @server.add_service("/deflate", heartbeat_delay: 0, permessage_deflate: true, deflate_threshold: 0)
    port = @server.listen
    %w[/deflate/websocket /deflate/000/abcd/websocket].each do |path|
      exts = extensions(port, path)
      assert_equal 1, exts.size, "#{path}: #{exts.inspect}"
      assert exts[0].start_with?("permessage-deflate"), "#{path}: #{exts.inspect}"
    end
    %w[/plain/websocket /plain/000/abcd/websocket].each do |path|
      assert_empty extensions(port, path), path
    end
  end
end
