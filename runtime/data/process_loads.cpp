// A load spread over processes, made one: what every process's part of the load says, merged
// into what one process reading the whole source would have said.
#include <algorithm>
#include <array>
#include <tuple>

#include "data/load.h"
#include "distribute/distribute.h"

namespace relc::data {

void MergeProcessLoads(LoadResult& result) {
  if (!distribute::Distributed()) return;
  // A failure anywhere fails the load everywhere: a bad row stops it at the first in the
  // source's order, as one process would have; another failure, the first process's.
  distribute::Packer failure;
  if (!result.store) {
    failure.Text(result.error);
    failure.Int(result.io_error);
    failure.Int(result.bad_row);
    failure.Text(result.stopped_at.first);
    failure.Int(result.stopped_at.second);
  }
  bool failed = false;
  for (const std::string& part : distribute::GatherAll(failure.bytes())) {
    if (part.empty()) continue;
    distribute::Unpacker in(part);
    std::string error = in.Text();
    const bool io_error = in.Int() != 0, bad_row = in.Int() != 0;
    std::pair<std::string, int64_t> at;
    at.first = in.Text();
    at.second = in.Int();
    if (failed && !(bad_row && result.bad_row && at < result.stopped_at)) continue;
    failed = true;
    result.store.reset();
    result.error = std::move(error);
    result.io_error = io_error;
    result.bad_row = bad_row;
    result.stopped_at = std::move(at);
  }
  if (failed) return;
  RowAccount& rows = result.rows;
  std::array<int64_t, 7> counts = {static_cast<int64_t>(rows.read),        static_cast<int64_t>(rows.loaded),
                                   static_cast<int64_t>(rows.left_out),    static_cast<int64_t>(rows.without_customer),
                                   static_cast<int64_t>(rows.unknown_customer), static_cast<int64_t>(rows.rejected),
                                   static_cast<int64_t>(result.events_for_unknown_customers)};
  distribute::SumAll(counts);
  rows = {static_cast<size_t>(counts[0]), static_cast<size_t>(counts[1]), static_cast<size_t>(counts[2]),
          static_cast<size_t>(counts[3]), static_cast<size_t>(counts[4]), static_cast<size_t>(counts[5])};
  result.events_for_unknown_customers = static_cast<size_t>(counts[6]);
  // The bad rows skipped, in the order of the source: by file, then line.
  distribute::Packer mine;
  mine.Text(result.first_unknown_customer);
  for (const BadRow& row : result.rejected) {
    for (const std::string* text : {&row.file, &row.column_name, &row.reason, &row.record}) mine.Text(*text);
    mine.Int(row.line);
    mine.Int(static_cast<int64_t>(row.column));
  }
  result.rejected.clear();
  result.first_unknown_customer.clear();
  for (const std::string& part : distribute::GatherAll(mine.bytes())) {
    distribute::Unpacker in(part);
    std::string first_unknown = in.Text();
    if (result.first_unknown_customer.empty()) result.first_unknown_customer = std::move(first_unknown);
    while (!in.done()) {
      BadRow& row = result.rejected.emplace_back();
      for (std::string* text : {&row.file, &row.column_name, &row.reason, &row.record}) *text = in.Text();
      row.line = in.Int();
      row.column = static_cast<size_t>(in.Int());
    }
  }
  std::stable_sort(result.rejected.begin(), result.rejected.end(),
                   [](const BadRow& a, const BadRow& b) { return std::tie(a.file, a.line) < std::tie(b.file, b.line); });
}

}  // namespace relc::data
