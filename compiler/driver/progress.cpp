#include "driver/progress.h"

#include <sys/resource.h>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include "distribute/distribute.h"

namespace relc::driver {

namespace {

constexpr auto kPeriod = std::chrono::milliseconds(100);
constexpr size_t kWidth = 24;  // the bar's cells

void Write(const std::string& text) {
  // A terminal takes a short line whole; a failed write only loses a progress line.
  [[maybe_unused]] ssize_t written = ::write(STDERR_FILENO, text.data(), text.size());
}

}  // namespace

Progress::Progress(bool terminal, std::chrono::milliseconds after) : after_(after) {
  if (terminal) thread_ = std::thread([this] { Loop(); });
}

Progress::~Progress() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
  if (drawn_) Write('\r' + std::string(79, ' ') + '\r');
}

void Progress::Phase(std::string name, size_t total) {
  std::lock_guard lock(mutex_);
  started_.emplace_back(name, std::chrono::steady_clock::now());
  phase_ = std::move(name);
  total_ = total;
  done_ = 0;
  // Once the line shows, each phase shows as it starts, however short.
  if (thread_.joinable() && std::chrono::steady_clock::now() - start_ >= after_) Draw();
}

std::string Progress::Timings() const {
  std::string text;
  const auto now = std::chrono::steady_clock::now();
  for (size_t i = 0; i < started_.size(); ++i) {
    const auto end = i + 1 < started_.size() ? started_[i + 1].second : now;
    text += fmt::format("{}{} {:.2f} s", i > 0 ? ", " : "", started_[i].first,
                        std::chrono::duration<double>(end - started_[i].second).count());
  }
  return text;
}

std::string Progress::ProcessShares(size_t customers) {
  if (!distribute::Distributed()) return {};
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  distribute::Packer mine;
  mine.Int(static_cast<int64_t>(customers));
  mine.Int(usage.ru_maxrss / 1024);  // kilobytes on Linux
  std::vector<std::string> held, peaks;
  for (const std::string& part : distribute::GatherAll(mine.bytes())) {
    distribute::Unpacker in(part);
    held.push_back(std::to_string(in.Int()));
    peaks.push_back(std::to_string(in.Int()));
  }
  return fmt::format("processes {}: customers {}; peak memory {} MB", held.size(), fmt::join(held, " "), fmt::join(peaks, " "));
}

void Progress::Loop() {
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, kPeriod, [this] { return stop_; })) {
    if (std::chrono::steady_clock::now() - start_ >= after_) Draw();
  }
}

// Called with the mutex held.
void Progress::Draw() {
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::string bar;
  if (total_ > 0) {
    double fraction = std::min(1.0, static_cast<double>(done_.load()) / static_cast<double>(total_));
    auto cells = static_cast<size_t>(fraction * kWidth);
    bar = fmt::format("[{}{}] {:3.0f} %", std::string(cells, '#'), std::string(kWidth - cells, '.'), 100 * fraction);
  }
  std::string line = fmt::format("  {:<22} {:<33} {:6.1f} s", phase_, bar, seconds);
  Write('\r' + line.substr(0, 79));
  drawn_ = true;
}

}  // namespace relc::driver
