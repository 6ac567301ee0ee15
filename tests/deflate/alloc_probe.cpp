#include "alloc_probe.hpp"

#include <atomic>
#include <cstdlib>
#include <new>

namespace alloc_probe {
namespace {
std::atomic<bool> on{false};
std::atomic<size_t> largest{0};

}  // namespace

void note(size_t n) {
  if (!on.load(std::memory_order_relaxed)) return;
  size_t cur = largest.load(std::memory_order_relaxed);
  while (n > cur && !largest.compare_exchange_weak(cur, n)) {
  }
}

void start() {
  largest = 0;
  on = true;
}

size_t stop() {
  on = false;
  return largest;
}

}  // namespace alloc_probe

// Every replaceable non-aligned form, all on malloc/free, so allocation
// and release always pair up (ASan checks that they do).
namespace {
void* probed_alloc(size_t n) {
  alloc_probe::note(n);
  return std::malloc(n ? n : 1);
}
}  // namespace

void* operator new(size_t n) {
  if (void* p = probed_alloc(n)) return p;
  throw std::bad_alloc();
}
void* operator new[](size_t n) {
  if (void* p = probed_alloc(n)) return p;
  throw std::bad_alloc();
}
void* operator new(size_t n, const std::nothrow_t&) noexcept {
  return probed_alloc(n);
}
void* operator new[](size_t n, const std::nothrow_t&) noexcept {
  return probed_alloc(n);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}
