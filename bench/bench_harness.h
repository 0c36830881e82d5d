// Timing for relc's benchmarks: cold samples in forked children (each the first run in its
// process, as a command-line user pays it), warm samples in-process, medians and ranges.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <optional>
#include <type_traits>
#include <string>
#include <vector>

namespace relc::bench {

using Clock = std::chrono::steady_clock;

inline double MillisecondsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// Runs `measure` in a fresh child process and returns what it returned (a trivially copyable
// value, sent back through a pipe), or `failed` if the child could not send it.
template <typename T, typename Measure>
T InChildValue(Measure&& measure, T failed) {
  static_assert(std::is_trivially_copyable_v<T>);
  int fds[2];
  if (pipe(fds) != 0) return failed;
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    T value = measure();
    if (write(fds[1], &value, sizeof value) != static_cast<ssize_t>(sizeof value)) _exit(1);
    _exit(0);
  }
  close(fds[1]);
  T value = failed;
  if (read(fds[0], &value, sizeof value) != static_cast<ssize_t>(sizeof value)) value = failed;
  close(fds[0]);
  waitpid(pid, nullptr, 0);
  return value;
}

// Runs `measure` (which returns milliseconds, negative on failure) in a fresh child process.
inline double InChild(const std::function<double()>& measure) { return InChildValue(measure, -1.0); }

struct Summary {
  double median = 0, min = 0, max = 0;
  bool failed = false;
};

inline Summary Summarize(std::vector<double> samples) {
  Summary summary;
  summary.failed = std::any_of(samples.begin(), samples.end(), [](double ms) { return ms < 0; });
  std::sort(samples.begin(), samples.end());
  summary.median = samples[samples.size() / 2];
  summary.min = samples.front();
  summary.max = samples.back();
  return summary;
}

// Cold samples first (before anything warms the caches in this process), then warm ones.
inline std::pair<Summary, Summary> ColdAndWarm(int runs, const std::function<double()>& measure) {
  std::vector<double> cold, warm;
  for (int run = 0; run < runs; ++run) cold.push_back(InChild(measure));
  for (int run = 0; run < runs; ++run) warm.push_back(measure());
  return {Summarize(cold), Summarize(warm)};
}

// The options every front-end benchmark takes: [--lines N] [--runs R] [--quick] [--max-cold-ms MS].
// --quick (CI) runs a small input a few times and asserts no target.
struct Options {
  int lines = 10000;
  int runs = 7;
  double max_cold_ms = 0;
  bool quick = false;
};

inline std::optional<Options> ParseOptions(int argc, char** argv, const char* name, double max_cold_ms) {
  Options options;
  options.max_cold_ms = max_cold_ms;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--quick") {
      options.quick = true;
      options.lines = 1000;
      options.runs = 3;
    } else if (arg == "--lines" && i + 1 < argc) {
      options.lines = std::atoi(argv[++i]);
    } else if (arg == "--runs" && i + 1 < argc) {
      options.runs = std::atoi(argv[++i]);
    } else if (arg == "--max-cold-ms" && i + 1 < argc) {
      options.max_cold_ms = std::atof(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: %s [--lines N] [--runs R] [--quick] [--max-cold-ms MS]\n", name);
      return std::nullopt;
    }
  }
  return options;
}

}  // namespace relc::bench
