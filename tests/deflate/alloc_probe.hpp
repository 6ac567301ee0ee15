// Records the largest single heap allocation between start() and stop(),
// through a replaced global operator new (alloc_probe.cpp), so a test can
// show that hostile input never made the library allocate a large block.
#pragma once
#include <cstddef>

namespace alloc_probe {
void start();
size_t stop();        // largest allocation in bytes since start()
void note(size_t n);  // called by the replaced operator new
}  // namespace alloc_probe
