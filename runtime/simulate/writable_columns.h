// The customer columns `set` steps write, copied per thread: a customer's new value is what
// their later conditions read, and a thread simulates its own rows, so copies never race.
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "simulate/simulate.h"

namespace relc::simulate {

// One program's writable columns, for one thread.
class WritableColumns {
 public:
  // `written_slots`: the customer column slots the program's `set` steps write.
  WritableColumns(const ProgramRun& run, const std::vector<int32_t>& written_slots);
  const ir::ColumnView* views() const { return views_.data(); }
  void Write(int32_t slot, uint64_t row, int64_t value, bool valid);

 private:
  // One written column: the array its storage names, and its validity.
  struct Copy {
    std::vector<int64_t> ints;
    std::vector<double> doubles;
    std::vector<uint32_t> codes;
    std::vector<int32_t> int32s;
    std::vector<uint64_t> bits;
    std::vector<uint64_t> validity;
  };

  const ir::Program* program_;
  std::vector<ir::ColumnView> views_;
  std::deque<Copy> copies_;             // a deque: the views point into its elements
  std::vector<int32_t> index_of_slot_;  // slot -> copies_ index, or -1
};

}  // namespace relc::simulate
