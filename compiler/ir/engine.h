// What runs a lowered program: the JIT (compiler/codegen) or the reference interpreter
// (compiler/interp). Both implement this interface with the same results, bit for bit; the
// differential tests hold them to it.
#pragma once

#include <bit>
#include <cstdint>
#include <string_view>

#include "ir/frame.h"
#include "ir/ir.h"

namespace relc::ir {

// A value as kernels return it: the Int, the Bool (0 or 1) or the Float's bits.
struct Value {
  int64_t bits = 0;
  bool valid = false;

  static Value Of(int64_t value) { return {value, true}; }
  static Value OfFloat(double value) { return {std::bit_cast<int64_t>(value), true}; }
  double AsFloat() const { return std::bit_cast<double>(bits); }
  bool operator==(const Value&) const = default;
};

class Engine {
 public:
  virtual ~Engine() = default;

  // Panel `panel`'s condition (a Filter) over rows [begin, end), `begin` a multiple of 64: sets,
  // in `out`, the bit of each row of `base` (null: every customer) whose condition holds, and
  // clears the others. Words of `out` covering [begin, end) are written whole.
  virtual void Filter(int32_t panel, const Frame& frame, const uint64_t* base, uint64_t* out, uint64_t begin,
                      uint64_t end) const = 0;

  // The value ranking `ranking` of panel `panel` ranks by, for each row in [begin, end): the
  // value, and whether it is valid (0 for a null, or a row outside `base`), row `begin` first
  // (in values[0] and valid[0]).
  virtual void RankValues(int32_t panel, int32_t ranking, const Frame& frame, const uint64_t* base, double* values,
                          uint8_t* valid, uint64_t begin, uint64_t end) const = 0;

  // A KPI, expectation, target, response rate or constant (Program::constants): `root` is its
  // value.
  virtual Value Scalar(ExprId root, const Frame& frame) const = 0;

  // A per-customer value: `root` is one of Program::customer_values.
  virtual Value CustomerValue(ExprId root, const Frame& frame, uint64_t row) const = 0;

  // Whether event `event` of customer `row` passes event predicate `predicate`.
  virtual bool EventMatches(int32_t predicate, const Frame& frame, uint64_t row, uint64_t event) const = 0;

  // One move of scenario `scenario`'s step machine for customer `row` (see frame.h).
  virtual void Transition(int32_t scenario, const Frame& frame, uint64_t row, const Instance& instance,
                          const Input& input, Action& action) const = 0;
};

// Semantics both engines share, so that they cannot drift (documented in docs/language.md).
inline bool IsBitSet(const uint64_t* bits, uint64_t row) { return (bits[row >> 6] >> (row & 63)) & 1; }

}  // namespace relc::ir
