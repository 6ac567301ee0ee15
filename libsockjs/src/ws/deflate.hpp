// permessage-deflate (RFC 7692): negotiation of the client's offers and the
// per-connection zlib streams that compress server messages and inflate
// client messages.
#pragma once
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace sockjs::ws {

// The parameters both ends agreed on for one connection.
struct DeflateParams {
  bool server_no_context_takeover = false;
  bool client_no_context_takeover = false;
  int server_max_window_bits = 15;  // our compressor's window
  int client_max_window_bits = 15;  // the window the client compresses with
  bool server_bits_sent = false;    // echo server_max_window_bits
  bool client_bits_sent = false;    // answer client_max_window_bits=N
};

// Picks the first acceptable permessage-deflate offer in `offers` (the
// Sec-WebSocket-Extensions values, comma-joined) per RFC 7692 7.1. Offers
// with unknown or repeated parameters, or bad values, are declined; so is
// server_max_window_bits=8, which zlib's raw deflate cannot honour. Returns
// false when no offer is acceptable; otherwise fills params and the
// response header value (e.g. "permessage-deflate;
// server_no_context_takeover").
bool negotiate_deflate(std::string_view offers, DeflateParams& params,
                       std::string& response);

// One connection's compressor and decompressor. zlib streams are created on
// first use; with no_context_takeover on a side, that side's stream is freed
// after every message, so an idle connection holds no zlib memory for it.
class PerMessageDeflate {
 public:
  enum class InflateResult { ok, too_big, invalid };

  explicit PerMessageDeflate(const DeflateParams& params);
  ~PerMessageDeflate();
  PerMessageDeflate(const PerMessageDeflate&) = delete;
  PerMessageDeflate& operator=(const PerMessageDeflate&) = delete;

  // Appends the compressed payload of one message (without the trailing
  // 0x00 0x00 0xff 0xff) to out. False only when zlib fails (out of memory).
  bool compress(std::string_view message, std::string& out);

  // Inflates one message's payload (tail not included) into out (replaced).
  // out never grows past max_size + one small chunk: a message inflating
  // past max_size stops with too_big; invalid deflate data gives invalid.
  InflateResult inflate(std::string_view payload, size_t max_size,
                        std::string& out);

  // Bytes zlib holds right now for this connection (both streams).
  size_t memory_bytes() const noexcept { return mem_bytes_; }

  struct Zlib;  // zlib state, kept out of this header

 private:
  DeflateParams params_;
  std::unique_ptr<Zlib> z_;
  size_t mem_bytes_ = 0;
};

}  // namespace sockjs::ws
