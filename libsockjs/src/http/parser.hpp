// An llhttp request parser that stops after each complete request, so the
// engine can answer requests one at a time (pipelining included), enforces
// the head and body size limits, and collects split header callbacks.
#pragma once
#include <llhttp.h>

#include <cstddef>
#include <string>

#include "http/request.hpp"

namespace sockjs::http {

class RequestParser {
 public:
  // Called once the head is complete; returns the largest body accepted for
  // this request (the engine routes the request to know it).
  using HeadHook = size_t (*)(void* ctx, Request& req);

  // max_head: bytes of request line plus headers; max_headers: header
  // lines. Either exceeded answers 431.
  RequestParser(size_t max_head, size_t max_headers, HeadHook hook, void* ctx);
  RequestParser(const RequestParser&) = delete;
  RequestParser& operator=(const RequestParser&) = delete;

  enum class Result {
    need_more,  // all input consumed, no complete request yet
    request,    // request() is complete; bytes after it were not consumed
    error,      // error_status() says how to answer; stop using the parser
  };

  // Parses from data; returns how many bytes were consumed.
  size_t execute(const char* data, size_t len, Result& result);
  // Call after handling a request, before parsing the next one.
  void next_request();

  Request& request() { return req_; }
  int error_status() const { return error_status_; }
  // True when some bytes of a request head have arrived but not all of it.
  bool in_head() const { return head_bytes_ > 0 && !head_done_; }
  // True once any byte of the current request arrived (the method's too,
  // which no callback reports).
  bool started() const { return head_bytes_ > 0 || got_bytes_; }

 private:
  static int on_message_begin(llhttp_t* p) noexcept;
  static int on_url(llhttp_t* p, const char* at, size_t len) noexcept;
  static int on_header_field(llhttp_t* p, const char* at, size_t len) noexcept;
  static int on_header_field_complete(llhttp_t* p) noexcept;
  static int on_header_value(llhttp_t* p, const char* at, size_t len) noexcept;
  static int on_header_value_complete(llhttp_t* p) noexcept;
  static int on_headers_complete(llhttp_t* p) noexcept;
  static int on_body(llhttp_t* p, const char* at, size_t len) noexcept;
  static int on_message_complete(llhttp_t* p) noexcept;
  int count_head(size_t len);
  static const llhttp_settings_t& settings();

  llhttp_t parser_;
  Request req_;
  size_t max_head_;
  size_t max_headers_;
  size_t head_bytes_ = 0;
  size_t max_body_ = 0;
  HeadHook hook_;
  void* ctx_;
  int error_status_ = 0;
  bool head_done_ = false;
  bool got_bytes_ = false;  // execute() was given input since next_request()
  bool in_field_ = false;   // a header name is being received
  bool paused_ = false;
};

}  // namespace sockjs::http
