#include "http/parser.hpp"

#include <algorithm>
#include <string_view>

namespace sockjs::http {

namespace {

RequestParser* self(llhttp_t* p) {
  return static_cast<RequestParser*>(p->data);
}

void lower_in_place(std::string& s, size_t from) {
  for (size_t i = from; i < s.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') s[i] = static_cast<char>(c + ('a' - 'A'));
  }
}

// RFC 9110 token characters: what a header name may consist of.
bool is_token(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              (c >= 'A' && c <= 'Z');
    if (!ok &&
        std::string_view("!#$%&'*+-.^_`|~").find(c) == std::string_view::npos)
      return false;
  }
  return true;
}

void trim_trailing_ows(std::string& s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.pop_back();
}

}  // namespace

RequestParser::RequestParser(size_t max_head, size_t max_headers, HeadHook hook,
                             void* ctx)
    : max_head_(max_head), max_headers_(max_headers), hook_(hook), ctx_(ctx) {
  llhttp_init(&parser_, HTTP_REQUEST, &settings());
  parser_.data = this;
}

int RequestParser::count_head(size_t len) {
  head_bytes_ += len;
  if (head_bytes_ > max_head_) {
    error_status_ = 431;
    return HPE_USER;
  }
  return HPE_OK;
}

int RequestParser::on_message_begin(llhttp_t* p) noexcept {
  RequestParser* s = self(p);
  s->req_.clear();
  s->head_done_ = false;
  s->in_field_ = false;
  return HPE_OK;
}

int RequestParser::on_url(llhttp_t* p, const char* at, size_t len) noexcept {
  // Never let an exception unwind through llhttp (C) frames.
  try {
    RequestParser* s = self(p);
    if (int r = s->count_head(len)) return r;
    s->req_.url.append(at, len);
    return HPE_OK;
  } catch (...) {
    self(p)->error_status_ = 500;
    return HPE_USER;
  }
}

int RequestParser::on_header_field(llhttp_t* p, const char* at,
                                   size_t len) noexcept {
  // Never let an exception unwind through llhttp (C) frames.
  try {
    RequestParser* s = self(p);
    if (int r = s->count_head(len)) return r;
    auto& hs = s->req_.headers;
    if (!s->in_field_) {
      if (hs.size() >= s->max_headers_) {
        s->error_status_ = 431;
        return HPE_USER;
      }
      hs.emplace_back();
      s->in_field_ = true;
    }
    size_t from = hs.back().first.size();
    hs.back().first.append(at, len);
    lower_in_place(hs.back().first, from);
    return HPE_OK;
  } catch (...) {
    self(p)->error_status_ = 500;
    return HPE_USER;
  }
}

int RequestParser::on_header_field_complete(llhttp_t* p) noexcept {
  RequestParser* s = self(p);
  // llhttp (without strict mode) lets "Name : v" and ": v" through; RFC
  // 9112 section 5.1 says to reject them, and an empty name would glue its
  // value onto the previous header.
  if (!s->in_field_ || !is_token(s->req_.headers.back().first)) {
    s->error_status_ = 400;
    return HPE_USER;
  }
  s->in_field_ = false;
  return HPE_OK;
}

int RequestParser::on_header_value(llhttp_t* p, const char* at,
                                   size_t len) noexcept {
  // Never let an exception unwind through llhttp (C) frames.
  try {
    RequestParser* s = self(p);
    if (int r = s->count_head(len)) return r;
    if (s->req_.headers.empty() || s->in_field_) {
      s->error_status_ = 400;
      return HPE_USER;
    }
    s->req_.headers.back().second.append(at, len);
    return HPE_OK;
  } catch (...) {
    self(p)->error_status_ = 500;
    return HPE_USER;
  }
}

int RequestParser::on_header_value_complete(llhttp_t* p) noexcept {
  RequestParser* s = self(p);
  if (!s->req_.headers.empty())
    trim_trailing_ows(s->req_.headers.back().second);
  return HPE_OK;
}

int RequestParser::on_headers_complete(llhttp_t* p) noexcept {
  // Never let an exception unwind through llhttp (C) frames.
  try {
    RequestParser* s = self(p);
    Request& r = s->req_;
    if (p->http_major != 1) {  // HTTP/0.9 simple requests, 2.0 prefaces
      s->error_status_ = 505;
      return HPE_USER;
    }
    r.method = llhttp_method_name(static_cast<llhttp_method_t>(p->method));
    r.http_major = p->http_major;
    r.http_minor = p->http_minor;
    r.upgrade = p->upgrade != 0;
    r.keep_alive = llhttp_should_keep_alive(p) != 0;
    s->head_done_ = true;
    s->max_body_ = s->hook_(s->ctx_, r);
    if (p->content_length > s->max_body_ && p->content_length != UINT64_MAX &&
        (p->flags & F_CONTENT_LENGTH)) {
      s->error_status_ = 413;
      return -1;
    }
    return HPE_OK;
  } catch (...) {
    self(p)->error_status_ = 500;
    return HPE_USER;
  }
}

int RequestParser::on_body(llhttp_t* p, const char* at, size_t len) noexcept {
  // Never let an exception unwind through llhttp (C) frames.
  try {
    RequestParser* s = self(p);
    if (s->req_.body.size() + len > s->max_body_) {
      s->error_status_ = 413;
      return HPE_USER;
    }
    s->req_.body.append(at, len);
    return HPE_OK;
  } catch (...) {
    self(p)->error_status_ = 500;
    return HPE_USER;
  }
}

int RequestParser::on_message_complete(llhttp_t* p) noexcept {
  RequestParser* s = self(p);
  // keep_alive is final only now (llhttp may learn more from the body).
  s->req_.keep_alive = llhttp_should_keep_alive(p) != 0;
  s->paused_ = true;
  return HPE_PAUSED;
}

size_t RequestParser::execute(const char* data, size_t len, Result& result) {
  if (error_status_) {
    result = Result::error;
    return 0;
  }
  if (len > 0) got_bytes_ = true;
  llhttp_errno_t err = llhttp_execute(&parser_, data, len);
  if (err == HPE_OK) {
    result = Result::need_more;
    return len;
  }
  if (err == HPE_PAUSED && paused_) {
    result = Result::request;
    return static_cast<size_t>(llhttp_get_error_pos(&parser_) - data);
  }
  if (err == HPE_PAUSED_UPGRADE) {
    // Only reached when a request was already handed out; treat the rest as
    // belonging to the upgraded protocol.
    result = Result::request;
    return static_cast<size_t>(llhttp_get_error_pos(&parser_) - data);
  }
  if (!error_status_) error_status_ = 400;
  result = Result::error;
  return len;
}

void RequestParser::next_request() {
  paused_ = false;
  head_bytes_ = 0;
  got_bytes_ = false;
  head_done_ = false;
  llhttp_resume(&parser_);
}

// One callback table shared by every parser; llhttp requires it to outlive
// them all.
const llhttp_settings_t& RequestParser::settings() {
  static const llhttp_settings_t st = [] {
    llhttp_settings_t s;
    llhttp_settings_init(&s);
    s.on_message_begin = &RequestParser::on_message_begin;
    s.on_url = &RequestParser::on_url;
    s.on_header_field = &RequestParser::on_header_field;
    s.on_header_value = &RequestParser::on_header_value;
    s.on_header_field_complete = &RequestParser::on_header_field_complete;
    s.on_header_value_complete = &RequestParser::on_header_value_complete;
    s.on_headers_complete = &RequestParser::on_headers_complete;
    s.on_body = &RequestParser::on_body;
    s.on_message_complete = &RequestParser::on_message_complete;
    return s;
  }();
  return st;
}

}  // namespace sockjs::http
