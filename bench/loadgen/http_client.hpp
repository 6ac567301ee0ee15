// A keep-alive HTTP/1.1 client over Conn for the xhr transports: one request
// at a time, responses framed by Content-Length, chunked encoding, or the
// server closing the connection. Reconnects when the server closed it.
#pragma once
#include <string_view>

#include "loop.hpp"

namespace bench {

class HttpConn : public Conn {
 public:
  HttpConn(Loop &loop, const sockaddr_in &server, std::string host)
      : Conn(loop), server_(server), host_(std::move(host)) {}
  // Sends a POST; on_response() follows. Only one request in flight.
  bool post(const std::string &path, std::string_view body);
  bool busy() const { return busy_; }

 protected:
  virtual void on_response(int status, std::string_view body) = 0;
  virtual void on_failed(const char *why) = 0;

 private:
  void on_data() override;
  void on_closed(const char *why) override;
  // Returns true when a whole response is in in_ (sets body_end_ etc.).
  bool parse();
  void finish(int status, std::string body);

  sockaddr_in server_;
  std::string host_;
  bool busy_ = false;
};

}  // namespace bench
