// Fuzzes the form/query decoder used for jsonp callbacks and jsonp_send.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "http/query.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view form(reinterpret_cast<const char*>(data), size);
  std::string out;
  for (const char* name : {"d", "c", "callback"}) {
    if (sockjs::http::form_field(form, name, out) && out.size() > form.size())
      abort();  // decoding never grows the text
  }
  return 0;
}
