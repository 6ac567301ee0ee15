#include "options.hpp"

namespace sockjs {

namespace {
constexpr const char* kNames[kTransportCount] = {
    "websocket",   "websocket-raw", "xhr-polling",  "xhr-streaming",
    "eventsource", "htmlfile",      "jsonp-polling"};
}

const char* transport_name(Transport t) { return kNames[static_cast<int>(t)]; }

bool transport_from_name(std::string_view name, Transport& out) {
  for (int i = 0; i < kTransportCount; ++i) {
    if (name == kNames[i]) {
      out = static_cast<Transport>(i);
      return true;
    }
  }
  return false;
}

}  // namespace sockjs
