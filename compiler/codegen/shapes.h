// Kernels of the same shape share one compiled body. A long program is mostly copies of a few
// panels and journeys with other thresholds and delays (a plan of 10,000 lines is hundreds of
// the same win-back), so a kernel reads its literal numbers from a table passed at each call
// (emitter.h), and kernels that then emit the same function are compiled once. Whether two are
// the same is decided by LLVM's FunctionComparator, the test of its MergeFunctions pass, on
// the functions as emitted: exact, whatever the emitter did with a constant. The JIT's time
// then grows with the program's shapes, not its length, and a changed threshold changes no
// module, so the JIT's cache still holds the code.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "codegen/emitter.h"

namespace relc::codegen {

struct Shapes {
  std::vector<Kernel> bodies;                    // the kernels compiled: one per shape
  std::vector<size_t> body_of;                   // kernel k runs bodies[body_of[k]]
  std::vector<ConstantTable> tables;             // with this table (its values; `table` is null)
};

// A table's values as text, each as what it is: "[7776000, 0.05, #2]" (#: a place in an array).
std::string DescribeTable(const ConstantTable& table);

Shapes ShareShapes(const ir::Program& program, const std::vector<Kernel>& kernels, const llvm::DataLayout& layout,
                   const std::string& triple);

}  // namespace relc::codegen
