// Fuzzes the backplane envelope decoder: whatever Redis hands a node (a
// peer's bug, a foreign publisher on the channel) must be refused or decode
// to fields inside the input, and what decodes must survive a round trip.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "backplane/envelope.hpp"

using namespace sockjs::backplane;

namespace {

bool inside(std::string_view part, std::string_view whole) {
  return part.empty() ||
         (part.data() >= whole.data() &&
          part.data() + part.size() <= whole.data() + whole.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  Envelope e;
  if (!decode(in, e)) return 0;
  if (!inside(e.prefix, in) || !inside(e.channel, in) || !inside(e.text, in))
    abort();
  if (e.prefix.size() + e.channel.size() + e.text.size() > size) abort();
  std::string again = encode(e);
  Envelope d;
  if (!decode(again, d)) abort();
  if (d.target != e.target || d.origin != e.origin || d.conn != e.conn ||
      d.prefix != e.prefix || d.channel != e.channel || d.text != e.text)
    abort();
  // The encoder's form is canonical: encoding it again changes nothing.
  if (encode(d) != again) abort();
  return 0;
}
