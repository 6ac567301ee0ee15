#include "ws/deflate.hpp"

#include <zlib.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace sockjs::ws {
namespace {

constexpr unsigned char kTail[4] = {0x00, 0x00, 0xff, 0xff};
// Output grows by at most this much per inflate step, so a message is cut
// off within one chunk of max_size however well it compresses.
constexpr size_t kChunk = 16 * 1024;
// zlib's default (memLevel 8: 128 KiB of hash and match buffers).
constexpr int kMemLevel = 8;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

bool equals_ci(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// Window bits as RFC 7692 7.1.2 spells them: 1*DIGIT in 8..15, possibly
// as a quoted-string. Returns 0 for anything else.
int parse_bits(std::string_view v) {
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"')
    v = v.substr(1, v.size() - 2);
  if (v.empty() || v.size() > 2) return 0;
  int n = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return 0;
    n = n * 10 + (c - '0');
  }
  return (n >= 8 && n <= 15 && !(v.size() == 2 && v[0] == '0')) ? n : 0;
}

// One offer: "permessage-deflate; p1; p2=v". False when it is not
// permessage-deflate or cannot be accepted.
bool accept_offer(std::string_view offer, DeflateParams& p) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (;;) {
    size_t semi = offer.find(';', start);
    parts.push_back(trim(offer.substr(start, semi - start)));
    if (semi == std::string_view::npos) break;
    start = semi + 1;
  }
  if (!equals_ci(parts[0], "permessage-deflate")) return false;
  p = DeflateParams{};
  bool seen_snct = false, seen_cnct = false, seen_sbits = false,
       seen_cbits = false;
  for (size_t i = 1; i < parts.size(); ++i) {
    std::string_view name = parts[i], value;
    bool has_value = false;
    if (size_t eq = name.find('='); eq != std::string_view::npos) {
      value = trim(name.substr(eq + 1));
      name = trim(name.substr(0, eq));
      has_value = true;
    }
    if (equals_ci(name, "server_no_context_takeover")) {
      if (seen_snct || has_value) return false;
      seen_snct = p.server_no_context_takeover = true;
    } else if (equals_ci(name, "client_no_context_takeover")) {
      if (seen_cnct || has_value) return false;
      seen_cnct = p.client_no_context_takeover = true;
    } else if (equals_ci(name, "server_max_window_bits")) {
      if (seen_sbits || !has_value) return false;
      seen_sbits = true;
      const int bits = parse_bits(value);
      // zlib's raw deflate has no 256-byte window (it would use 512,
      // which the client may not be able to inflate): decline.
      if (bits == 0 || bits == 8) return false;
      p.server_max_window_bits = bits;
      p.server_bits_sent = true;
    } else if (equals_ci(name, "client_max_window_bits")) {
      if (seen_cbits) return false;
      seen_cbits = true;
      if (has_value) {
        const int bits = parse_bits(value);
        if (bits == 0) return false;
        p.client_max_window_bits = bits;
        p.client_bits_sent = true;
      }
      // Bare: the client could honour a limit; we ask none (window 15).
    } else {
      return false;  // unknown parameter: decline this offer
    }
  }
  return true;
}

void* counting_alloc(void* opaque, unsigned items, unsigned size) {
  const size_t n = size_t{items} * size;
  auto* block = static_cast<size_t*>(std::malloc(n + sizeof(max_align_t)));
  if (!block) return Z_NULL;
  *block = n;
  *static_cast<size_t*>(opaque) += n;
  return reinterpret_cast<char*>(block) + sizeof(max_align_t);
}

void counting_free(void* opaque, void* p) {
  if (!p) return;
  auto* block =
      reinterpret_cast<size_t*>(static_cast<char*>(p) - sizeof(max_align_t));
  *static_cast<size_t*>(opaque) -= *block;
  std::free(block);
}

}  // namespace

bool negotiate_deflate(std::string_view offers, DeflateParams& params,
                       std::string& response) {
  size_t start = 0;
  for (;;) {
    const size_t comma = offers.find(',', start);
    if (accept_offer(offers.substr(start, comma - start), params)) {
      response = "permessage-deflate";
      if (params.server_no_context_takeover)
        response += "; server_no_context_takeover";
      if (params.client_no_context_takeover)
        response += "; client_no_context_takeover";
      if (params.server_bits_sent)
        response += "; server_max_window_bits=" +
                    std::to_string(params.server_max_window_bits);
      if (params.client_bits_sent)
        response += "; client_max_window_bits=" +
                    std::to_string(params.client_max_window_bits);
      return true;
    }
    if (comma == std::string_view::npos) return false;
    start = comma + 1;
  }
}

struct PerMessageDeflate::Zlib {
  z_stream def{};
  z_stream inf{};
  bool def_live = false;
  bool inf_live = false;
};

PerMessageDeflate::PerMessageDeflate(const DeflateParams& params)
    : params_(params), z_(std::make_unique<Zlib>()) {}

PerMessageDeflate::~PerMessageDeflate() {
  if (z_->def_live) deflateEnd(&z_->def);
  if (z_->inf_live) inflateEnd(&z_->inf);
}

bool PerMessageDeflate::compress(std::string_view message, std::string& out) {
  z_stream& zs = z_->def;
  if (!z_->def_live) {
    zs = z_stream{};
    zs.zalloc = counting_alloc;
    zs.zfree = counting_free;
    zs.opaque = &mem_bytes_;
    if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED,
                     -params_.server_max_window_bits, kMemLevel,
                     Z_DEFAULT_STRATEGY) != Z_OK)
      return false;
    z_->def_live = true;
  }
  const size_t base = out.size();
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(message.data()));
  zs.avail_in = static_cast<uInt>(message.size());
  // deflateBound covers the whole message plus the sync flush's bytes.
  size_t room = deflateBound(&zs, static_cast<uLong>(message.size())) + 16;
  for (;;) {
    const size_t used = out.size();
    out.resize(used + room);
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + used);
    zs.avail_out = static_cast<uInt>(room);
    const int rc = deflate(&zs, Z_SYNC_FLUSH);
    out.resize(used + room - zs.avail_out);
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      // Start afresh next time: the client never saw this message, so the
      // window must not refer to it.
      out.resize(base);
      deflateEnd(&zs);
      z_->def_live = false;
      return false;
    }
    // Done once all input is in and the flush fit with room to spare.
    if (zs.avail_in == 0 && zs.avail_out != 0) break;
    room = kChunk;
  }
  // RFC 7692 7.2.1: drop the empty stored block's 00 00 ff ff.
  if (out.size() - base >= 4 &&
      std::memcmp(out.data() + out.size() - 4, kTail, 4) == 0)
    out.resize(out.size() - 4);
  if (params_.server_no_context_takeover) {
    deflateEnd(&zs);
    z_->def_live = false;
  }
  return true;
}

PerMessageDeflate::InflateResult PerMessageDeflate::inflate(
    std::string_view payload, size_t max_size, std::string& out) {
  out.clear();
  z_stream& zs = z_->inf;
  if (!z_->inf_live) {
    zs = z_stream{};
    zs.zalloc = counting_alloc;
    zs.zfree = counting_free;
    zs.opaque = &mem_bytes_;
    // A window of 9 inflates what a window of 8 produced (zlib's raw
    // inflate has no 8).
    const int bits =
        params_.client_max_window_bits < 9 ? 9 : params_.client_max_window_bits;
    if (inflateInit2(&zs, -bits) != Z_OK) return InflateResult::invalid;
    z_->inf_live = true;
  }
  InflateResult result = InflateResult::ok;
  // The payload, then the tail the sender stripped (RFC 7692 7.2.2).
  const std::string_view inputs[2] = {
      payload,
      std::string_view(reinterpret_cast<const char*>(kTail), sizeof(kTail))};
  for (const std::string_view in : inputs) {
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    zs.avail_in = static_cast<uInt>(in.size());
    bool ended = false;
    for (;;) {
      if (out.size() > max_size) {
        result = InflateResult::too_big;
        break;
      }
      const size_t used = out.size();
      // Never more than one chunk past the limit.
      const size_t room = std::min(kChunk, max_size - used + 1);
      out.resize(used + room);
      zs.next_out = reinterpret_cast<Bytef*>(out.data() + used);
      zs.avail_out = static_cast<uInt>(room);
      const int rc = ::inflate(&zs, Z_SYNC_FLUSH);
      out.resize(used + room - zs.avail_out);
      if (rc == Z_STREAM_END) {
        // A final block ends this deflate stream; the next message (with
        // context takeover) starts a new one. Trailing bytes are ignored.
        inflateReset(&zs);
        ended = true;
        break;
      }
      if (rc == Z_BUF_ERROR) break;  // no progress possible: input done
      if (rc != Z_OK) {
        result = InflateResult::invalid;
        break;
      }
      // Output left unfilled means zlib has nothing pending.
      if (zs.avail_in == 0 && zs.avail_out != 0) break;
    }
    if (result != InflateResult::ok) break;
    if (ended) break;
  }
  if (result == InflateResult::ok && out.size() > max_size)
    result = InflateResult::too_big;
  if (result != InflateResult::ok || params_.client_no_context_takeover) {
    inflateEnd(&zs);
    z_->inf_live = false;
  }
  if (result != InflateResult::ok) std::string().swap(out);
  return result;
}

}  // namespace sockjs::ws
