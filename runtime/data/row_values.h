// The values of a described source's rows: a cell's text, read as a number, a time or a truth
// value as the expression that uses it needs, in exact fixed point (millionths) so that sums
// of amounts are the same as an accountant's.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "data/source_description.h"
#include "data/store.h"

namespace relc::data {

constexpr int64_t kMicros = 1'000'000;

struct Cell {
  enum class Kind : uint8_t { Null, Text, Number, Bool, Time } kind = Kind::Null;
  std::string text;     // Text
  int64_t micros = 0;   // Number, in millionths
  int64_t seconds = 0;  // Time: seconds since the epoch, UTC
  int64_t local = 0;    // Time: the same instant on the table's clock (for dates)
  bool truth = false;   // Bool
};

// Why a row's value could not be read: the column at fault (empty when none) and the reason.
struct RowError {
  std::string column;
  std::string reason;
};

// How one table's text is written, and what its columns are.
class RowReader {
 public:
  RowReader(const TableDescription& table, std::vector<std::string> header);

  // The field of a column of the header, or -1; for messages, the closest name.
  int ColumnIndex(const std::string& name) const;
  std::string ClosestColumn(const std::string& name) const;
  const std::vector<std::string>& header() const { return header_; }

  // Reads `text` (of `column`) as a number, or a date and time.
  bool Number(std::string_view text, const std::string& column, Cell& out, RowError& error) const;
  bool Time(std::string_view text, const std::string& column, Cell& out, RowError& error) const;
  // A cell as the value of a field of that type, written as the data contract reads it.
  bool Render(const Cell& cell, ColumnType type, const std::string& field, std::string& out, RowError& error) const;

 private:
  const TableDescription& table_;
  std::vector<std::string> header_;
  std::vector<std::pair<int64_t, int64_t>> zone_changes_;  // empty: UTC
};

// Evaluates row expressions over one row's fields (`Column` nodes hold their field index in
// `text`, resolved by the loader) and keeps the group functions' running values.
class RowEvaluator {
 public:
  explicit RowEvaluator(const RowReader& reader) : reader_(reader) {}

  // The value of `expr` for a row; group functions read `groups` (their running values).
  struct GroupState;
  bool Evaluate(const RowExpr& expr, const std::vector<std::string_view>& row, const GroupState* group, Cell& out,
                RowError& error) const;

  // A group function's running value over the rows seen so far.
  struct Running {
    Cell value;
    bool seen = false;
    int64_t count = 0;
    std::map<std::string, std::pair<int64_t, int64_t>> counts;  // value -> (rows, first row seen)
  };
  struct GroupState {
    std::vector<Running> running;  // one per group function of the entity, in `functions` order
    const std::vector<const RowExpr*>* functions = nullptr;
  };
  // Adds a row to each group function's running value.
  bool Accumulate(const std::vector<const RowExpr*>& functions, const std::vector<std::string_view>& row, GroupState& group,
                  RowError& error) const;

 private:
  bool Compare(const Cell& left, const Cell& right, int& order, RowError& error) const;
  const RowReader& reader_;
};

}  // namespace relc::data
