// A progress line on stderr for long runs: drawn only on a terminal, only once the command has
// run for a second (a quick run prints nothing), and erased when it ends. It writes to the
// file descriptor itself, from its own thread: never through the stream the command writes
// its messages to, which is not shared between threads.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace relc::driver {

class Progress {
 public:
  // Drawn after `after` (a second unless the environment says otherwise).
  Progress(bool terminal, std::chrono::milliseconds after);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // Starts a phase; `done()` then counts towards `total` (0: the phase shows no fraction).
  void Phase(std::string name, size_t total = 0);
  std::atomic<size_t>& done() { return done_; }

  // Each phase's wall time so far, the current one's up to now, for `--timings`:
  // "loading data 1.10 s, computing measures 0.70 s, ...".
  std::string Timings() const;
  // Under mpirun, each process's share of the work: its customers and its peak memory (every
  // process calls it); empty for one process.
  static std::string ProcessShares(size_t customers);

 private:
  void Loop();
  void Draw();

  const std::chrono::milliseconds after_;
  const std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::atomic<size_t> done_{0};
  std::mutex mutex_;
  std::condition_variable wake_;
  std::string phase_;
  std::vector<std::pair<std::string, std::chrono::steady_clock::time_point>> started_;  // each phase's start
  size_t total_ = 0;
  bool stop_ = false;
  bool drawn_ = false;
  std::thread thread_;
};

}  // namespace relc::driver
