// The campaign history reader of `relc calibrate`: any bytes as a history CSV. Oracle: no
// crash; a history is read exactly when no error is reported, and every row it holds points
// at an arm and at a value of each `by` column that it has.
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "calibrate/history.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path =
      (std::filesystem::temp_directory_path() / ("relc-fuzz-history-" + std::to_string(getpid()) + ".csv")).string();
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  relc::calibrate::HistoryOptions options;
  options.known_channels = {"email", "sms", "phone", "voice", "mail"};
  // Broken down by `segment` when the input names it, so that both paths are fuzzed.
  if (std::string_view(reinterpret_cast<const char*>(data), size).find("segment") != std::string_view::npos) options.by = {"segment"};
  const relc::calibrate::HistoryLoad load = relc::calibrate::LoadHistory(path, options);
  if (load.io_error) return 0;
  FUZZ_REQUIRE(load.history.has_value() == load.errors.empty(), "%zu errors, and a history %s", load.errors.size(),
               load.history ? "read" : "not read");
  if (!load.history) return 0;
  const relc::calibrate::History& history = *load.history;
  for (const relc::calibrate::HistoryRow& row : history.rows) {
    FUZZ_REQUIRE(row.arm >= 0 && static_cast<size_t>(row.arm) < history.arms.size(), "arm %d of %zu", row.arm, history.arms.size());
    FUZZ_REQUIRE(row.segment.size() == history.segment_values.size(), "a row with %zu segments of %zu", row.segment.size(),
                 history.segment_values.size());
    for (size_t b = 0; b < row.segment.size(); ++b) {
      FUZZ_REQUIRE(row.segment[b] >= 0 && static_cast<size_t>(row.segment[b]) < history.segment_values[b].size(),
                   "segment value %d of %zu", row.segment[b], history.segment_values[b].size());
    }
  }
  return 0;
}
