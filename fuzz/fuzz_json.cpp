// Fuzzes the JSON message decoder in every mode, and checks the encoder
// against it: whatever valid UTF-8 goes out escaped must decode back to
// itself.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "codec/json.hpp"
#include "codec/utf8.hpp"

using namespace sockjs::codec;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> out;
  for (DecodeMode m :
       {DecodeMode::array, DecodeMode::websocket, DecodeMode::jsonp}) {
    out.clear();
    DecodeStatus st = decode_messages(text, m, out);
    if (st != DecodeStatus::ok && !out.empty()) abort();
    for (const auto& msg : out)
      if (!utf8_valid(msg)) abort();
  }
  if (utf8_valid(text)) {
    std::string enc = "[";
    append_json_message(enc, text);
    enc += ",";
    append_json_plain(enc, text, true);
    enc += "]";
    out.clear();
    if (decode_messages(enc, DecodeMode::array, out) != DecodeStatus::ok)
      abort();
    if (out.size() != 2 || out[0] != text || out[1] != text) abort();
  }
  return 0;
}
