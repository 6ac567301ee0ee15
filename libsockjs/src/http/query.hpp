// application/x-www-form-urlencoded decoding, for query strings (jsonp and
// htmlfile callbacks) and jsonp_send form bodies.
#pragma once
#include <string>
#include <string_view>

namespace sockjs::http {

// Finds the first `name` field in a query string or form body and decodes
// its value ('+' is a space, %XX a byte; malformed escapes stay as they
// are). Returns false when the field is absent.
bool form_field(std::string_view form, std::string_view name, std::string& out);

}  // namespace sockjs::http
