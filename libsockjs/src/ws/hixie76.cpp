#include "ws/hixie76.hpp"

#include <cstring>

#include "codec/digest.hpp"
#include "codec/utf8.hpp"

namespace sockjs::ws {
namespace {

// The key's digits read as one decimal number, divided by its count of
// spaces; nullopt per the rules in the header.
std::optional<uint32_t> key_part(std::string_view key) {
  uint64_t number = 0;
  uint64_t spaces = 0;
  for (const char c : key) {
    if (c >= '0' && c <= '9') {
      number = number * 10 + static_cast<uint64_t>(c - '0');
      // Checked per digit, so the accumulator can never overflow.
      if (number > 0xFFFFFFFFu) return std::nullopt;
    } else if (c == ' ') {
      ++spaces;
    }
  }
  if (spaces == 0 || number % spaces != 0) return std::nullopt;
  return static_cast<uint32_t>(number / spaces);
}

}  // namespace

std::optional<std::array<uint8_t, 16>> hixie76_answer(std::string_view key1,
                                                      std::string_view key2,
                                                      std::string_view key3) {
  const std::optional<uint32_t> n1 = key_part(key1);
  const std::optional<uint32_t> n2 = key_part(key2);
  if (!n1 || !n2) return std::nullopt;
  // key3 is 8 bytes on the wire; a larger one only costs a heap buffer.
  char small[16 + 8];
  std::string large;
  char* buf = small;
  if (key3.size() > 8) {
    large.resize(8 + key3.size());
    buf = large.data();
  }
  for (int i = 0; i < 4; ++i) {
    buf[i] = static_cast<char>(*n1 >> (24 - 8 * i));
    buf[4 + i] = static_cast<char>(*n2 >> (24 - 8 * i));
  }
  if (!key3.empty()) std::memcpy(buf + 8, key3.data(), key3.size());
  return codec::md5(std::string_view(buf, 8 + key3.size()));
}

void hixie76_append_frame(std::string& out, std::string_view text) {
  out.reserve(out.size() + text.size() + 2);
  out.push_back('\x00');
  out.append(text);
  out.push_back('\xFF');
}

void hixie76_append_close(std::string& out) { out.append("\xFF\x00", 2); }

size_t Hixie76Decoder::feed(const uint8_t* data, size_t len, HixieFrame& frame,
                            bool& got) {
  got = false;
  if (done_) return 0;

  auto fail = [&]() {
    done_ = true;
    got = true;
    frame.kind = HixieFrame::Kind::error;
    frame.payload.clear();
    std::string().swap(text_);
  };

  size_t pos = 0;
  while (pos < len) {
    if (in_text_) {
      // The whole text up to the terminator is copied in one go.
      const void* end = std::memchr(data + pos, 0xFF, len - pos);
      const size_t n =
          end != nullptr ? static_cast<size_t>(
                               static_cast<const uint8_t*>(end) - (data + pos))
                         : len - pos;
      if (n > max_message_ - text_.size()) {
        fail();
        return pos;
      }
      text_.append(reinterpret_cast<const char*>(data + pos), n);
      pos += n;
      if (end == nullptr) return pos;
      ++pos;  // the 0xFF
      in_text_ = false;
      if (!codec::utf8_valid(text_)) {
        fail();
        return pos;
      }
      got = true;
      frame.kind = HixieFrame::Kind::text;
      frame.payload = std::move(text_);
      // Move assignment may leave the target's old buffer here; an idle
      // decoder should hold none.
      std::string().swap(text_);
      return pos;
    }
    const uint8_t b = data[pos++];
    if (saw_ff_) {
      if (b != 0x00) {
        fail();
        return pos;
      }
      done_ = true;
      got = true;
      frame.kind = HixieFrame::Kind::close;
      frame.payload.clear();
      return pos;
    }
    if (b == 0x00) {
      in_text_ = true;
    } else if (b == 0xFF) {
      saw_ff_ = true;
    } else {
      fail();
      return pos;
    }
  }
  return pos;
}

}  // namespace sockjs::ws
