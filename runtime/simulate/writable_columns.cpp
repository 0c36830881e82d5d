#include "simulate/writable_columns.h"

#include <bit>

namespace relc::simulate {

WritableColumns::WritableColumns(const ProgramRun& run, const std::vector<int32_t>& written_slots) : program_(run.program) {
  const ir::Frame& frame = run.data->frame();
  views_.assign(frame.customer_columns, frame.customer_columns + run.program->customer_columns.size());
  index_of_slot_.assign(views_.size(), -1);
  const size_t rows = frame.customer_count, words = (rows + 63) / 64;
  for (int32_t slot : written_slots) {
    ir::ColumnView& view = views_[slot];
    Copy& copy = copies_.emplace_back();
    // The copy owns the values; the view reads them there.
    auto own = [](auto& values, auto& pointer, size_t count) {
      values.assign(pointer, pointer + count);
      pointer = values.data();
    };
    switch (run.program->customer_columns[slot].storage) {
      case ir::Storage::Ints: own(copy.ints, view.ints, rows); break;
      case ir::Storage::Doubles: own(copy.doubles, view.doubles, rows); break;
      case ir::Storage::Codes: own(copy.codes, view.codes, rows); break;
      case ir::Storage::Int32s: own(copy.int32s, view.int32s, rows); break;
      case ir::Storage::Bits: own(copy.bits, view.bits, words); break;
    }
    own(copy.validity, view.validity, words);
    index_of_slot_[slot] = static_cast<int32_t>(copies_.size() - 1);
  }
}

void WritableColumns::Write(int32_t slot, uint64_t row, int64_t value, bool valid) {
  const int32_t index = index_of_slot_[slot];
  if (index < 0) return;
  Copy& copy = copies_[static_cast<size_t>(index)];
  auto set_bit = [&](std::vector<uint64_t>& words, bool bit) {
    words[row >> 6] = (words[row >> 6] & ~(uint64_t{1} << (row & 63))) | (uint64_t{bit} << (row & 63));
  };
  switch (program_->customer_columns[slot].storage) {
    case ir::Storage::Ints: copy.ints[row] = value; break;
    case ir::Storage::Doubles: copy.doubles[row] = std::bit_cast<double>(value); break;  // a Float's bits
    case ir::Storage::Codes: copy.codes[row] = static_cast<uint32_t>(value); break;
    case ir::Storage::Int32s: copy.int32s[row] = static_cast<int32_t>(value); break;
    case ir::Storage::Bits: set_bit(copy.bits, value != 0); break;
  }
  set_bit(copy.validity, valid);
}

}  // namespace relc::simulate
