// Building HTTP/1.1 response heads. Bodies and framing (Content-Length,
// chunked, close-delimited) are decided by the engine's stream writer.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace sockjs::http {

const char* reason_phrase(int status);

// A response head under construction: the status and the header lines
// ("Name: value\r\n" each), without the framing headers.
struct ResponseHead {
  int status = 200;
  std::string lines;

  ResponseHead() { lines.reserve(256); }
  explicit ResponseHead(int s) : status(s) { lines.reserve(256); }
  ResponseHead& add(std::string_view name, std::string_view value) {
    lines.append(name);
    lines.append(": ", 2);
    lines.append(value);
    lines.append("\r\n", 2);
    return *this;
  }
};

// Appends "HTTP/1.1 <status> <reason>\r\n".
void append_status_line(std::string& out, int status);
// Appends the chunked-encoding framing of one chunk around data.
void append_chunk(std::string& out, std::string_view data);

// "Cache-Control" value of PROTOCOL.md section 2.1.
constexpr std::string_view kNoCache =
    "no-store, no-cache, no-transform, must-revalidate, max-age=0";
// RFC 1123 date one year from now (wall clock), cached per second.
std::string_view expires_in_one_year();

// True when the comma-separated token list in value contains token
// (case-insensitive), e.g. "keep-alive, Upgrade" contains "upgrade".
bool header_has_token(std::string_view value, std::string_view token);
bool iequals(std::string_view a, std::string_view b);

}  // namespace sockjs::http
