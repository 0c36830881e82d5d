// Work spread over cores: the one threading primitive of the runtime.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace relc::data {

// The number of threads to use: `requested`, or every core when it is 0.
inline unsigned ThreadCount(unsigned requested) {
  return requested ? requested : std::max(1u, std::thread::hardware_concurrency());
}

// Calls `work(i, worker)` for every i in [0, count) on up to `threads` threads (`worker` in
// [0, threads) says which, for per-thread state), taking indices in increasing order, so that a
// task may wait for the one before it. Returns when all are done.
template <typename Work>
void ParallelFor(size_t count, unsigned threads, Work&& work) {
  threads = static_cast<unsigned>(std::min<size_t>(std::max(1u, threads), count));
  std::atomic<size_t> next{0};
  auto run = [&](unsigned worker) {
    for (size_t i = next++; i < count; i = next++) work(i, worker);
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(run, t);
  run(0);
  for (auto& thread : pool) thread.join();
}

}  // namespace relc::data
