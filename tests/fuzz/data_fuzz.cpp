// The CSV loader: the input is customers.csv, then a NUL byte, then events.csv (the standard
// schema, bad rows skipped). Oracle: no crash; every row read is loaded, left out, or counted
// as rejected or unattached, and reading the files in many small parts on two threads gives
// the same customers, events and rejects as one reader.
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "data/load.h"
#include "driver/data_schema.h"
#include "fuzz_check.h"

namespace {

const relc::data::DataSchema& Schema() {
  static const relc::data::DataSchema schema = [] {
    relc::DiagnosticCollector ignored;
    return *relc::driver::LoadDataSchema("", ignored);
  }();
  return schema;
}

size_t Accounted(const relc::data::RowAccount& rows) {
  return rows.loaded + rows.left_out + rows.without_customer + rows.unknown_customer + rows.rejected;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::filesystem::path directory =
      std::filesystem::temp_directory_path() / ("relc-fuzz-data-" + std::to_string(getpid()));
  std::filesystem::create_directories(directory);
  const std::string input(reinterpret_cast<const char*>(data), size);
  const size_t split = std::min(input.find('\0'), input.size());
  std::ofstream(directory / "customers.csv", std::ios::binary | std::ios::trunc) << input.substr(0, split);
  std::ofstream(directory / "events.csv", std::ios::binary | std::ios::trunc)
      << (split < input.size() ? input.substr(split + 1) : "customer_id,type,timestamp\n");

  relc::data::LoadOptions whole{.on_bad_row = relc::data::OnBadRow::Skip, .threads = 1};
  relc::data::LoadResult one = relc::data::LoadData(directory.string(), Schema(), whole);
  if (!one.store) return 0;
  FUZZ_REQUIRE(one.rows.read == Accounted(one.rows), "%zu rows read, %zu accounted for", one.rows.read, Accounted(one.rows));
  FUZZ_REQUIRE(one.rows.rejected == one.rejected.size(), "%zu rejected, %zu listed", one.rows.rejected, one.rejected.size());

  relc::data::LoadOptions parts{.on_bad_row = relc::data::OnBadRow::Skip, .threads = 2, .part_bytes = 64};
  relc::data::LoadResult many = relc::data::LoadData(directory.string(), Schema(), parts);
  FUZZ_REQUIRE(many.store.has_value(), "read in parts, the load failed: %s", many.error.c_str());
  if (many.rejected.size() != one.rejected.size()) {
    for (const auto& row : one.rejected) std::fprintf(stderr, "whole: %s\n", relc::data::FormatBadRow(row).c_str());
    for (const auto& row : many.rejected) std::fprintf(stderr, "parts: %s\n", relc::data::FormatBadRow(row).c_str());
  }
  FUZZ_REQUIRE(many.store->customers.rows == one.store->customers.rows &&
                   many.store->event_time == one.store->event_time && many.store->event_offsets == one.store->event_offsets &&
                   many.rejected.size() == one.rejected.size(),
               "in parts: %zu customers, %zu events, %zu rejected; whole: %zu, %zu, %zu", many.store->customers.rows,
               many.store->event_time.size(), many.rejected.size(), one.store->customers.rows, one.store->event_time.size(),
               one.rejected.size());
  for (size_t i = 0; i < one.rejected.size(); ++i) {
    FUZZ_REQUIRE(many.rejected[i].line == one.rejected[i].line && many.rejected[i].reason == one.rejected[i].reason,
                 "reject %zu differs: line %lld (%s) in parts, line %lld (%s) whole", i, static_cast<long long>(many.rejected[i].line),
                 many.rejected[i].reason.c_str(), static_cast<long long>(one.rejected[i].line), one.rejected[i].reason.c_str());
  }
  return 0;
}
