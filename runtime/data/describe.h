// What an unknown export holds, read from its rows: each column's type as its text suggests,
// how often it is empty, examples, and the shapes that matter to a source description (ids
// written as decimals, times and their format, invoice numbers shared by several lines,
// cancellations numbered apart). `relc data describe` prints it with a starting `source`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "data/table_reader.h"

namespace relc::data {

struct ColumnProfile {
  std::string name;
  // "integer", "decimal", "date", "datetime", "bool" or "text": what every non-empty value reads as.
  std::string type;
  std::string time_format;  // for dates and times: the strptime-like format they follow
  size_t empty = 0, distinct = 0, negative = 0;
  bool distinct_capped = false;  // more distinct values than were counted
  std::vector<std::string> examples;  // up to three distinct values, in order of appearance
  size_t decimal_ids = 0;             // whole numbers written with `.0`: ids through a spreadsheet
  std::string common_prefix;          // a letter some values start with (`C536379`), else empty
  size_t with_prefix = 0;
  size_t repeats = 0;  // rows whose value equals the previous row's: lines of one invoice
};

struct TableProfile {
  size_t rows = 0;
  std::vector<ColumnProfile> columns;
};

// Reads every row of `reader`.
TableProfile ProfileTable(TableReader& reader, std::string& error);

}  // namespace relc::data
