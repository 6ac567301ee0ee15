// Immutable description of a session (or forwarded request), made once from
// the request that opened it and shared with the consumer thread. All its
// text lives in one buffer: there is one per open session, so per-string
// allocations would dominate an idle session's memory.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sockjs {

class ConnInfo {
 public:
  int service = -1;
  uint16_t remote_port = 0;

  // Builder: set the fixed fields, add headers, then finish() once.
  void set(std::string_view prefix, std::string_view transport,
           std::string_view remote_addr, std::string_view method,
           std::string_view url, std::string_view client_addr) {
    fixed_[0] = add(prefix);
    fixed_[1] = add(transport);
    fixed_[2] = add(remote_addr);
    fixed_[3] = add(method);
    fixed_[4] = add(url);
    size_t q = url.find('?');
    fixed_[5] = add(q == std::string_view::npos ? std::string_view()
                                                : url.substr(q + 1));
    fixed_[6] = add(client_addr);
  }
  void add_header(std::string_view name, std::string_view value) {
    header_offsets_.push_back(add(name));
    header_offsets_.push_back(add(value));
  }
  void finish() {
    blob_.shrink_to_fit();
    size_t n = header_offsets_.size() / 2;
    ptrs_.resize(2 * n);
    for (size_t i = 0; i < n; ++i) {
      ptrs_[i] = blob_.data() + header_offsets_[2 * i];
      ptrs_[n + i] = blob_.data() + header_offsets_[2 * i + 1];
    }
    std::vector<uint32_t>().swap(header_offsets_);
  }

  const char* prefix() const { return blob_.data() + fixed_[0]; }
  const char* transport() const { return blob_.data() + fixed_[1]; }
  const char* remote_addr() const { return blob_.data() + fixed_[2]; }
  const char* method() const { return blob_.data() + fixed_[3]; }
  const char* url() const { return blob_.data() + fixed_[4]; }
  const char* query() const { return blob_.data() + fixed_[5]; }
  const char* client_addr() const { return blob_.data() + fixed_[6]; }
  size_t header_count() const { return ptrs_.size() / 2; }
  const char* const* header_names() const { return ptrs_.data(); }
  const char* const* header_values() const {
    return ptrs_.data() + header_count();
  }

 private:
  uint32_t add(std::string_view s) {
    uint32_t off = static_cast<uint32_t>(blob_.size());
    blob_.append(s);
    blob_.push_back('\0');
    return off;
  }

  std::string blob_;
  uint32_t fixed_[7] = {0, 0, 0, 0, 0, 0, 0};
  std::vector<uint32_t> header_offsets_;  // while building
  std::vector<const char*> ptrs_;         // names, then values
};

}  // namespace sockjs
