// Fuzzes the WebSocket decoders (RFC 6455 and hixie-76) with input split
// at arbitrary points; every event must be well-formed.
#include <cstdint>
#include <cstdlib>

#include "codec/utf8.hpp"
#include "ws/hixie76.hpp"
#include "ws/rfc6455.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  size_t step = (data[0] % 17) + 1;
  sockjs::ws::Rfc6455Decoder rfc(4096);
  size_t off = 1;
  while (off < size) {
    size_t len = std::min(step, size - off);
    sockjs::ws::DecodedFrame f;
    bool got = false;
    size_t n = rfc.feed(data + off, len, f, got);
    if (n > len) abort();
    if (got && f.kind == sockjs::ws::DecodedFrame::Kind::text &&
        !sockjs::codec::utf8_valid(f.payload))
      abort();  // the decoder promised valid UTF-8
    if (got && f.payload.size() > 4096) abort();
    if (n == 0 && !got) break;
    off += n;
  }
  sockjs::ws::Hixie76Decoder hix(4096);
  off = 1;
  while (off < size) {
    size_t len = std::min(step, size - off);
    sockjs::ws::HixieFrame f;
    bool got = false;
    size_t n = hix.feed(data + off, len, f, got);
    if (n > len) abort();
    if (got && f.kind == sockjs::ws::HixieFrame::Kind::text &&
        !sockjs::codec::utf8_valid(f.payload))
      abort();
    if (n == 0 && !got) break;
    off += n;
  }
  return 0;
}
