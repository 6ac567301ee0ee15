// JSON as SockJS needs it: the server-side string escaping of PROTOCOL.md
// section 4.1, plain JSON.stringify-style quoting, and a complete decoder for
// the message arrays that clients send (section 4.2, 6, 8.4).
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace sockjs::codec {

// Appends `"..."`: text (UTF-8) as a JSON string literal, escaped as
// sockjs-node does for messages: \" \\ \b \f \n \r \t, other C0 controls as
// \u00xx; plus, as lower-case \uXXXX UTF-16 code units, U+200C..U+200F,
// U+2028..U+202F, U+2060..U+206F, U+FFF0..U+FFFF and every character above
// U+FFFF (as an escaped surrogate pair, e.g. \ud83d\ude00). Everything else
// is copied raw. '/' is not escaped. Input is assumed valid UTF-8.
void append_json_message(std::string& out, std::string_view text);

// Appends `"..."` with only the escaping JSON.stringify does (\" \\ \b \f \n
// \r \t and \u00xx for other C0 controls); everything else raw. When
// escape_lt is true, '<' is written as \u003c too (keeps "</script>" out of
// htmlfile pages).
void append_json_plain(std::string& out, std::string_view text,
                       bool escape_lt = false);

enum class DecodeStatus {
  ok,         // messages appended
  broken,     // not valid JSON ("Broken JSON encoding.")
  not_array,  // valid JSON but not what the mode accepts ("Payload expected.")
};

enum class DecodeMode {
  // xhr_send: the text must be a JSON array; each element is one message.
  array,
  // SockJS WebSocket: an array gives its elements; any other JSON value is
  // one message.
  websocket,
  // jsonp_send: like array, but if the value is a JSON string, that string's
  // content is decoded once more in array mode.
  jsonp,
};

// Decodes `text` (surrounding JSON whitespace allowed) and appends the
// messages to out. A string element is decoded to UTF-8: every escape
// including \u0000 (kept as a NUL byte) and surrogate pairs; a lone
// surrogate escape becomes U+FFFD; raw bytes that are not valid UTF-8 make
// the text `broken`. Any other element (number, object, true, null, ...) is
// appended as its JSON text exactly as it appeared, without surrounding
// whitespace. Nesting deeper than 64 levels is `broken`. On a status other
// than ok, out is left as it was.
DecodeStatus decode_messages(std::string_view text, DecodeMode mode,
                             std::vector<std::string>& out);

}  // namespace sockjs::codec
