// HTTP/1.x requests over a TcpConn, with chunked decoding that keeps the
// chunk boundaries (xhr-streaming sends one SockJS frame per chunk).
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "net_client.hpp"

namespace loopback {

struct HttpResponse {
  bool ok = false;      // a complete head (and body, for read_response) arrived
  std::string version;  // "HTTP/1.1"
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  bool chunked = false;
  std::string body;                 // whole body (chunks joined)
  std::vector<std::string> chunks;  // one entry per chunk, when chunked
  bool has(const std::string& name) const { return headers.count(name) != 0; }
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

// "METHOD path HTTP/1.1" with Host, Content-Length (when a body or POST)
// and the extra lines (each "Name: value\r\n").
std::string build_request(const std::string& method, const std::string& path,
                          const std::string& body = "",
                          const std::string& extra_headers = "",
                          const std::string& version = "HTTP/1.1");

// Reads a status line and headers.
bool read_head(TcpConn& c, HttpResponse& r, int timeout_ms = kDefaultTimeoutMs);
// Reads one chunk of a chunked body into `chunk`; false at the terminating
// zero-size chunk, EOF or timeout (`done` tells the terminator apart).
bool read_chunk(TcpConn& c, std::string& chunk, bool& done,
                int timeout_ms = kDefaultTimeoutMs);
// Reads a whole response: head and body (Content-Length, chunked, or up to
// EOF). HEAD-less use only.
HttpResponse read_response(TcpConn& c, int timeout_ms = kDefaultTimeoutMs);

// One request on a fresh connection; the response is read completely.
HttpResponse http_request(uint16_t port, const std::string& method,
                          const std::string& path, const std::string& body = "",
                          const std::string& extra_headers = "",
                          int timeout_ms = kDefaultTimeoutMs);

}  // namespace loopback
