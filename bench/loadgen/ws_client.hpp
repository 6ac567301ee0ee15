// RFC 6455 client over Conn: sends the upgrade request, checks the 101,
// then splits incoming frames into text messages and sends masked text
// frames. Answers pings; a close frame from the server ends the connection.
#pragma once
#include <string_view>

#include "loop.hpp"

namespace bench {

class WsConn : public Conn {
 public:
  WsConn(Loop &loop, std::string path, std::string host)
      : Conn(loop), path_(std::move(path)), host_(std::move(host)) {}
  void send_text(std::string_view payload);
  bool is_upgraded() const { return upgraded_; }

 protected:
  virtual void on_open() {}  // 101 received
  virtual void on_message(std::string_view text) = 0;
  virtual void on_failed(const char *why) = 0;  // any error or close

 private:
  void on_connected() override;
  void on_data() override;
  void on_closed(const char *why) override { on_failed(why); }
  void send_frame(uint8_t opcode, std::string_view payload);
  bool parse_frames();

  std::string path_, host_;
  bool upgraded_ = false;
  std::string fragments_;  // continuation frames of a message
  uint32_t mask_seed_ = 0x9e3779b9u;
};

}  // namespace bench
