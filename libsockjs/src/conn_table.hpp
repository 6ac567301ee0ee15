// The part of each session that other threads touch: whether it still
// accepts sends, and how many bytes it holds, for the send-buffer limit.
// The engine thread owns sessions; API threads only see this table.
#pragma once
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace sockjs {

struct ConnShared {
  explicit ConnShared(size_t lim, bool request = false, int svc = -1,
                      bool awaiting_decision = false)
      : limit(lim), is_request(request), service(svc) {
    undecided.store(awaiting_decision, std::memory_order_relaxed);
  }
  std::atomic<bool> open{true};  // false once closing: no more sends
  // Waiting for accept/reject (authorize); exactly one decision wins.
  std::atomic<bool> undecided{false};
  std::atomic<int64_t> in_flight{0};    // queued as commands, not yet applied
  std::atomic<int64_t> buffered{0};     // held by the engine (queue + output)
  std::atomic<bool> want_drain{false};  // a send was refused: report DRAIN
  const size_t limit;
  const bool is_request;  // a forwarded HTTP request, not a session
  const int service;      // -1 for a forwarded request

  int64_t pending() const {
    return in_flight.load(std::memory_order_relaxed) +
           buffered.load(std::memory_order_relaxed);
  }
};

class ConnTable {
 public:
  void insert(uint64_t id, std::shared_ptr<ConnShared> c) {
    std::lock_guard<std::mutex> lock(mu_);
    map_.emplace(id, std::move(c));
  }
  void erase(uint64_t id) {
    std::lock_guard<std::mutex> lock(mu_);
    map_.erase(id);
  }
  std::shared_ptr<ConnShared> find(uint64_t id) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = map_.find(id);
    return it == map_.end() ? nullptr : it->second;
  }
  // Ids of the sessions of `service` (-1: every service) that still accept
  // sends, ascending; one consistent view under the lock.
  void list_open(int service, std::vector<uint64_t>& out) const {
    out.clear();
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (const auto& kv : map_) {
        const ConnShared& c = *kv.second;
        if (c.is_request || !c.open.load(std::memory_order_relaxed)) continue;
        if (service >= 0 && c.service != service) continue;
        out.push_back(kv.first);
      }
    }
    std::sort(out.begin(), out.end());
  }
  void clear() {
    std::lock_guard<std::mutex> lock(mu_);
    map_.clear();
  }

 private:
  mutable std::mutex mu_;
  std::unordered_map<uint64_t, std::shared_ptr<ConnShared>> map_;
};

}  // namespace sockjs
