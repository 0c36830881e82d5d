// A CSV file read by several processes of a run (LoadOptions::ranks): each reads 1/N of its
// bytes and sends each record to the process of its customer, so that no process reads the
// whole file.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "data/csv.h"

namespace relc::data {

// This process's records of `text` (a file whose header `header` has read; `id_field`, the
// customer id's field), gathered from every process in rounds, in a temporary file it returns
// the path of: the header, then the records on their own lines, blank lines (which readers skip)
// standing for the others', so that line numbers and the source's order stay the file's. The
// caller maps it and removes it. Nullopt, with every process agreeing, when a cut between
// processes would fall inside a quoted field (a record over several lines): then each reads the
// whole file, keeping its customers. Every process calls it.
std::optional<std::string> OwnRecordsOfCsv(std::string_view text, const CsvReader& header, int id_field, int rank, int ranks);

}  // namespace relc::data
