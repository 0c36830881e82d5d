// The processes a run is spread over: one, or the N that `mpirun -n N relc ...` starts (Open
// MPI through Boost.MPI, when relc is built with it). Customers are split between them by a
// hash of their id (data::OwnerOf); what looks at every customer at once goes through these
// collectives, which are exact (integers, exact selection, exact ranks), so that a result is
// byte for byte the same whatever the number of processes. Every process must call the same
// collectives in the same order.
#pragma once

#include <compare>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace relc::distribute {

// Starts MPI when an MPI launcher (mpirun, srun) started this process; otherwise, and in a build
// without MPI, the run is one process. Stop ends MPI; both are called by main alone.
void Start(int& argc, char**& argv);
// Whether a launcher started several processes of a relc built without MPI: each would run
// alone, the whole run N times over.
bool LaunchedWithoutMpi();
void Stop();
// From now on this process is the run's only one (Ranks() is 1): a command that does not split
// customers runs on the first process alone, the others having stopped.
void RunAlone();

int Rank();   // this process, from 0
int Ranks();  // how many there are
inline bool Distributed() { return Ranks() > 1; }
inline bool IsRoot() { return Rank() == 0; }
// Whether every process runs on this machine (they share its memory and page cache).
bool OnOneMachine();

// Element by element over every process, in place.
void SumAll(std::span<int64_t> values);
void MaxAll(std::span<int64_t> values);
int64_t SumAll(int64_t value);
int64_t MaxAll(int64_t value);
// True when `ok` is true on every process.
bool AllTrue(bool ok);

// Every process's bytes, in rank order: on every process, or on the root alone (the others get
// an empty list).
std::vector<std::string> GatherAll(const std::string& mine);
std::vector<std::string> GatherRoot(const std::string& mine);
// Each process's `to_each[p]` to process p: what every process sent this one, in rank order.
std::vector<std::string> Exchange(const std::vector<std::string>& to_each);
// The root's bytes, on every process.
std::string FromRoot(const std::string& root_value);

// Values written one after another into bytes for the gathers, and read back in that order.
class Packer {
 public:
  void Int(int64_t value) { bytes_.append(reinterpret_cast<const char*>(&value), sizeof value); }
  void Text(std::string_view text) {
    Int(static_cast<int64_t>(text.size()));
    bytes_.append(text);
  }
  std::string& bytes() { return bytes_; }

 private:
  std::string bytes_;
};

class Unpacker {
 public:
  explicit Unpacker(std::string_view bytes) : bytes_(bytes) {}
  int64_t Int() {
    int64_t value = 0;
    std::memcpy(&value, bytes_.data() + at_, sizeof value);
    at_ += sizeof value;
    return value;
  }
  std::string Text() {
    const auto size = static_cast<size_t>(Int());
    std::string text(bytes_.substr(at_, size));
    at_ += size;
    return text;
  }
  bool done() const { return at_ >= bytes_.size(); }

 private:
  std::string_view bytes_;
  size_t at_ = 0;
};

// A text written customer by customer: each run of it is one customer's, with its place in
// the source's order and the offset where it ends.
struct Run {
  int64_t order = 0;
  uint64_t end = 0;
};
// Closes the run of text that `order`'s customer wrote, if it wrote any since the last one.
inline void EndRun(std::vector<Run>& runs, int64_t order, size_t end) {
  if (end > (runs.empty() ? 0 : runs.back().end)) runs.push_back({order, end});
}
// Every process's text merged run by run in the source's order (each process's runs come in
// it), on the root; the others get an empty text. One process: `text` as it is.
std::string MergeRuns(std::string text, const std::vector<Run>& runs);

// The k-th smallest (from 1) of every process's values together, exactly: a radix selection
// over the values' bits, a histogram of 16 bits reduced over the processes per round. -0.0 is
// 0.0; `k` must be from 1 to the values' total count.
double KthSmallest(std::span<double> values, uint64_t k);

// A sort key of two words, compared high word first.
struct Key {
  uint64_t high = 0, low = 0;
  auto operator<=>(const Key&) const = default;
};
// Keys that sort as the numbers do.
uint64_t OrderedKey(double value);
inline uint64_t OrderedKey(int64_t value) { return static_cast<uint64_t>(value) ^ (uint64_t{1} << 63); }

// For each of this process's keys (`sorted`, ascending), how many of every process's keys are
// strictly smaller: its rank among all of them, ties sharing the lowest. Each process's keys
// visit the others in turn (a ring), so no process ever holds more than two processes' keys.
std::vector<uint64_t> CountBelow(std::span<const Key> sorted);

}  // namespace relc::distribute
