#include "distribute/distribute.h"

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <memory>

#ifdef RELC_HAVE_MPI
#include <mpi.h>

#include <boost/mpi/collectives.hpp>
#include <boost/mpi/communicator.hpp>
#include <boost/mpi/environment.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>
#endif

namespace relc::distribute {
namespace {

#ifdef RELC_HAVE_MPI
std::unique_ptr<boost::mpi::environment> environment;
std::unique_ptr<boost::mpi::communicator> world;
bool one_machine = true;
#endif

// Launchers say so in the environment: Open MPI's mpirun, and PMI/PMIx ones (Slurm's srun).
bool LaunchedByMpi() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK"}) {
    if (std::getenv(name) != nullptr) return true;
  }
  return false;
}

// The k-th smallest (from 1) of `keys` on every process: 16 bits a round, from the highest.
uint64_t KthSmallestKey(std::span<const uint64_t> keys, uint64_t k) {
  constexpr int kBits = 16;
  std::vector<int64_t> histogram(size_t{1} << kBits);
  uint64_t prefix = 0;
  for (int shift = 64 - kBits; shift >= 0; shift -= kBits) {
    std::fill(histogram.begin(), histogram.end(), 0);
    const int known = 64 - shift - kBits;  // bits of the prefix fixed so far
    for (uint64_t key : keys) {
      if (known == 0 || key >> (shift + kBits) == prefix) ++histogram[(key >> shift) & ((uint64_t{1} << kBits) - 1)];
    }
    SumAll(histogram);
    uint64_t digit = 0;
    for (; digit < histogram.size(); ++digit) {
      const auto count = static_cast<uint64_t>(histogram[digit]);
      if (k <= count) break;
      k -= count;
    }
    prefix = prefix << kBits | digit;
  }
  return prefix;
}

}  // namespace

bool LaunchedWithoutMpi() {
#ifdef RELC_HAVE_MPI
  return false;
#else
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "SLURM_NTASKS"}) {
    const char* size = std::getenv(name);
    if (size != nullptr && std::atoi(size) > 1 && LaunchedByMpi()) return true;
  }
  return false;
#endif
}

void Start([[maybe_unused]] int& argc, [[maybe_unused]] char**& argv) {
#ifdef RELC_HAVE_MPI
  if (!LaunchedByMpi()) return;
  // Only the main thread calls MPI; the simulator's threads never do.
  environment = std::make_unique<boost::mpi::environment>(argc, argv, boost::mpi::threading::funneled);
  world = std::make_unique<boost::mpi::communicator>();
  MPI_Comm machine = MPI_COMM_NULL;
  MPI_Comm_split_type(*world, MPI_COMM_TYPE_SHARED, world->rank(), MPI_INFO_NULL, &machine);
  int on_this_machine = 1;
  MPI_Comm_size(machine, &on_this_machine);
  MPI_Comm_free(&machine);
  one_machine = on_this_machine == world->size();
#endif
}

void RunAlone() {
#ifdef RELC_HAVE_MPI
  if (world) world = std::make_unique<boost::mpi::communicator>(MPI_COMM_SELF, boost::mpi::comm_attach);
#endif
}

void Stop() {
#ifdef RELC_HAVE_MPI
  world.reset();
  environment.reset();
#endif
}

bool OnOneMachine() {
#ifdef RELC_HAVE_MPI
  if (world) return one_machine;
#endif
  return true;
}

int Rank() {
#ifdef RELC_HAVE_MPI
  if (world) return world->rank();
#endif
  return 0;
}

int Ranks() {
#ifdef RELC_HAVE_MPI
  if (world) return world->size();
#endif
  return 1;
}

void SumAll([[maybe_unused]] std::span<int64_t> values) {
#ifdef RELC_HAVE_MPI
  if (Distributed() && !values.empty()) {
    MPI_Allreduce(MPI_IN_PLACE, values.data(), static_cast<int>(values.size()), MPI_INT64_T, MPI_SUM, *world);
  }
#endif
}

void MaxAll([[maybe_unused]] std::span<int64_t> values) {
#ifdef RELC_HAVE_MPI
  if (Distributed() && !values.empty()) {
    MPI_Allreduce(MPI_IN_PLACE, values.data(), static_cast<int>(values.size()), MPI_INT64_T, MPI_MAX, *world);
  }
#endif
}

int64_t SumAll(int64_t value) {
  SumAll(std::span<int64_t>(&value, 1));
  return value;
}

int64_t MaxAll(int64_t value) {
  MaxAll(std::span<int64_t>(&value, 1));
  return value;
}

bool AllTrue(bool ok) { return SumAll(ok ? 0 : 1) == 0; }

std::vector<std::string> GatherAll(const std::string& mine) {
#ifdef RELC_HAVE_MPI
  if (Distributed()) {
    std::vector<std::string> all;
    boost::mpi::all_gather(*world, mine, all);
    return all;
  }
#endif
  return {mine};
}

std::vector<std::string> GatherRoot(const std::string& mine) {
#ifdef RELC_HAVE_MPI
  if (Distributed()) {
    std::vector<std::string> all;
    boost::mpi::gather(*world, mine, all, 0);
    return all;
  }
#endif
  return {mine};
}

std::vector<std::string> Exchange(const std::vector<std::string>& to_each) {
#ifdef RELC_HAVE_MPI
  if (Distributed()) {
    const auto ranks = static_cast<size_t>(Ranks());
    std::vector<int64_t> sizes(ranks), incoming(ranks);
    for (size_t p = 0; p < ranks; ++p) sizes[p] = static_cast<int64_t>(to_each[p].size());
    MPI_Alltoall(sizes.data(), 1, MPI_INT64_T, incoming.data(), 1, MPI_INT64_T, *world);
    std::vector<std::string> from_each(ranks);
    // Pieces of at most 1 GB each way (MPI counts are `int`), all posted at once.
    constexpr size_t kPiece = size_t{1} << 30;
    std::vector<MPI_Request> requests;
    for (size_t p = 0; p < ranks; ++p) {
      std::string& in = from_each[p];
      in.resize(static_cast<size_t>(incoming[p]));
      for (size_t at = 0; at < in.size(); at += kPiece) {
        MPI_Irecv(in.data() + at, static_cast<int>(std::min(kPiece, in.size() - at)), MPI_CHAR, static_cast<int>(p), 2, *world,
                  &requests.emplace_back());
      }
      const std::string& out = to_each[p];
      for (size_t at = 0; at < out.size(); at += kPiece) {
        MPI_Isend(out.data() + at, static_cast<int>(std::min(kPiece, out.size() - at)), MPI_CHAR, static_cast<int>(p), 2, *world,
                  &requests.emplace_back());
      }
    }
    MPI_Waitall(static_cast<int>(requests.size()), requests.data(), MPI_STATUSES_IGNORE);
    return from_each;
  }
#endif
  return to_each;
}

std::string FromRoot(const std::string& root_value) {
  std::string value = root_value;
#ifdef RELC_HAVE_MPI
  if (Distributed()) boost::mpi::broadcast(*world, value, 0);
#endif
  return value;
}

std::string MergeRuns(std::string text, const std::vector<Run>& runs) {
  if (!Distributed()) return text;
  Packer mine;
  mine.Int(static_cast<int64_t>(runs.size()));
  for (const Run& run : runs) mine.Int(run.order), mine.Int(static_cast<int64_t>(run.end));
  mine.Text(text);
  text.clear();
  std::vector<std::string> parts = GatherRoot(mine.bytes());
  if (!IsRoot()) return {};
  struct Part {
    std::vector<Run> runs;
    std::string text;
    size_t next = 0;
  };
  std::vector<Part> all(parts.size());
  size_t total = 0;
  for (size_t p = 0; p < parts.size(); ++p) {
    Unpacker in(parts[p]);
    all[p].runs.resize(static_cast<size_t>(in.Int()));
    for (Run& run : all[p].runs) run.order = in.Int(), run.end = static_cast<uint64_t>(in.Int());
    all[p].text = in.Text();
    total += all[p].text.size();
    parts[p].clear();
  }
  std::string merged;
  merged.reserve(total);
  // Few processes: the smallest head among them, each time.
  while (true) {
    Part* first = nullptr;
    for (Part& part : all) {
      if (part.next < part.runs.size() && (first == nullptr || part.runs[part.next].order < first->runs[first->next].order)) first = &part;
    }
    if (first == nullptr) break;
    const size_t begin = first->next == 0 ? 0 : first->runs[first->next - 1].end;
    merged.append(first->text, begin, first->runs[first->next].end - begin);
    ++first->next;
  }
  return merged;
}

uint64_t OrderedKey(double value) {
  if (value == 0) value = 0;  // -0.0 sorts as 0.0
  const auto bits = std::bit_cast<uint64_t>(value);
  return bits >> 63 ? ~bits : bits | (uint64_t{1} << 63);
}

double KthSmallest(std::span<double> values, uint64_t k) {
  if (!Distributed()) {
    auto nth = values.begin() + static_cast<ptrdiff_t>(k - 1);
    std::nth_element(values.begin(), nth, values.end());
    return *nth == 0 ? 0.0 : *nth;
  }
  std::vector<uint64_t> keys(values.size());
  std::transform(values.begin(), values.end(), keys.begin(), [](double v) { return OrderedKey(v); });
  const uint64_t key = KthSmallestKey(keys, k);
  const uint64_t bits = key >> 63 ? key & ~(uint64_t{1} << 63) : ~key;
  return std::bit_cast<double>(bits);
}

std::vector<uint64_t> CountBelow(std::span<const Key> sorted) {
  std::vector<uint64_t> below(sorted.size());
  // Below within this process's own keys: the first of each run of equal keys.
  for (size_t i = 0; i < sorted.size(); ++i) below[i] = i > 0 && sorted[i] == sorted[i - 1] ? below[i - 1] : i;
#ifdef RELC_HAVE_MPI
  if (!Distributed()) return below;
  const int ranks = Ranks(), rank = Rank();
  std::vector<uint64_t> mine(sorted.size() * 2), theirs;
  for (size_t i = 0; i < sorted.size(); ++i) mine[2 * i] = sorted[i].high, mine[2 * i + 1] = sorted[i].low;
  for (int step = 1; step < ranks; ++step) {
    const int to = (rank + step) % ranks, from = (rank - step + ranks) % ranks;
    uint64_t count = mine.size(), incoming = 0;
    MPI_Sendrecv(&count, 1, MPI_UINT64_T, to, 0, &incoming, 1, MPI_UINT64_T, from, 0, *world, MPI_STATUS_IGNORE);
    theirs.resize(incoming);
    // Large blocks go in pieces (MPI counts are `int`), all posted at once.
    constexpr uint64_t kPiece = uint64_t{1} << 26;
    std::vector<MPI_Request> requests;
    for (uint64_t at = 0; at < incoming; at += kPiece) {
      MPI_Irecv(theirs.data() + at, static_cast<int>(std::min(kPiece, incoming - at)), MPI_UINT64_T, from, 1, *world,
                &requests.emplace_back());
    }
    for (uint64_t at = 0; at < count; at += kPiece) {
      MPI_Isend(mine.data() + at, static_cast<int>(std::min(kPiece, count - at)), MPI_UINT64_T, to, 1, *world,
                &requests.emplace_back());
    }
    MPI_Waitall(static_cast<int>(requests.size()), requests.data(), MPI_STATUSES_IGNORE);
    // Both ascending: one pass counts, for each of ours, their keys below it.
    size_t j = 0;
    const size_t their_count = theirs.size() / 2;
    for (size_t i = 0; i < sorted.size(); ++i) {
      while (j < their_count && Key{theirs[2 * j], theirs[2 * j + 1]} < sorted[i]) ++j;
      below[i] += j;
    }
  }
#endif
  return below;
}

}  // namespace relc::distribute
