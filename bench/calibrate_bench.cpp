// Benchmark: `relc calibrate` over a past campaign of a million customers (the size at which a
// journey platform's user reported days of processing): reading and checking the history, then
// fitting the model by loyalty_member and country, then the --validate split and forecast; each
// in a fresh child process, beside one pass of relc's own CSV reader over the same file (the
// floor for reading it, run the same way).
//
//   relc_bench_calibrate [--customers N] [--runs R] [--max-ratio X] [--quick]
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "bench_harness.h"
#include "calibrate/campaign_generator.h"
#include "calibrate/fit.h"
#include "calibrate/validate.h"
#include "data/csv.h"

namespace {

using relc::bench::Clock;
using relc::bench::MillisecondsSince;

relc::calibrate::HistoryOptions ByMemberAndCountry() {
  relc::calibrate::HistoryOptions options;
  options.by = {"loyalty_member", "country"};
  options.known_channels = {"email", "sms", "phone"};
  options.attributes = {{"loyalty_member", relc::data::ColumnType::Bool}, {"country", relc::data::ColumnType::String}};
  return options;
}

// The floor: the file read and every record split into fields, nothing else.
double ScanCsv(const std::string& path) {
  auto start = Clock::now();
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  relc::data::CsvReader reader(text);
  std::vector<std::string_view> fields;
  std::string error;
  size_t count = 0;
  while (reader.Next(fields, error)) count += fields.size();
  return count > 0 && error.empty() ? MillisecondsSince(start) : -1;
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t customers = 1000000;
  int runs = 5;
  double max_ratio = 0;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--quick") {
      customers = 20000;
      runs = 1;
    } else if (arg == "--customers" && i + 1 < argc) {
      customers = std::strtoull(argv[++i], nullptr, 10);
    } else if (arg == "--runs" && i + 1 < argc) {
      runs = std::atoi(argv[++i]);
    } else if (arg == "--max-ratio" && i + 1 < argc) {
      max_ratio = std::atof(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: relc_bench_calibrate [--customers N] [--runs R] [--max-ratio X] [--quick]\n");
      return 2;
    }
  }
  const std::string path =
      (std::filesystem::temp_directory_path() / ("relc-bench-calibrate-" + std::to_string(::getpid()) + ".csv")).string();
  const std::string csv = relc::calibrate::GenerateCampaign({.customers = customers, .seed = 1}).history_csv;
  std::ofstream(path, std::ios::binary) << csv;
  const auto options = ByMemberAndCountry();

  std::vector<double> scan, load, fit, validate;
  for (int run = 0; run < runs; ++run) {  // interleaved, so that every step sees the same machine
    scan.push_back(relc::bench::InChild([&] { return ScanCsv(path); }));
    load.push_back(relc::bench::InChild([&] {
      auto start = Clock::now();
      return relc::calibrate::LoadHistory(path, options).history ? MillisecondsSince(start) : -1;
    }));
    fit.push_back(relc::bench::InChild([&] {
      auto start = Clock::now();
      auto history = relc::calibrate::LoadHistory(path, options).history;
      if (!history) return -1.0;
      relc::calibrate::Calibration fitted = relc::calibrate::Fit(*history, {}, 200);
      return fitted.arms.size() == 4 ? MillisecondsSince(start) : -1;
    }));
    validate.push_back(relc::bench::InChild([&] {
      auto start = Clock::now();
      auto history = relc::calibrate::LoadHistory(path, options).history;
      if (!history) return -1.0;
      relc::calibrate::Validation validation = relc::calibrate::Validate(*history, 0.5, 1, 200);
      return validation.arms.size() == 4 ? MillisecondsSince(start) : -1;
    }));
  }
  std::filesystem::remove(path);

  const auto floor = relc::bench::Summarize(scan);
  std::printf("A campaign of %llu customers (%.1f MB of CSV), by loyalty_member and country; %d fresh processes each, "
              "interleaved:\n\n",
              static_cast<unsigned long long>(customers), static_cast<double>(csv.size()) / 1e6, runs);
  std::printf("| step | median | min - max | customers/s | x the CSV scan |\n|---|---|---|---|---|\n");
  bool failed = false;
  double ratio = 0;
  for (auto [name, samples] : {std::pair{"CSV scan (the floor)", &scan}, std::pair{"read and check the history", &load},
                               std::pair{"... and fit the model", &fit}, std::pair{"... or --validate 50%", &validate}}) {
    const auto summary = relc::bench::Summarize(*samples);
    failed = failed || summary.failed;
    const double times = summary.median / floor.median;
    if (samples == &fit) ratio = times;
    std::printf("| %s | %.0f ms | %.0f - %.0f | %.2f M | %.1f |\n", name, summary.median, summary.min, summary.max,
                static_cast<double>(customers) / summary.median / 1e3, times);
  }
  if (failed) {
    std::fprintf(stderr, "calibrate bench: a run failed\n");
    return 1;
  }
  if (max_ratio > 0) {
    std::printf("\nTarget: fitting takes at most %.0f times the CSV scan: %s (%.1f).\n", max_ratio,
                ratio <= max_ratio ? "met" : "MISSED", ratio);
    if (ratio > max_ratio) return 1;
  }
  return 0;
}
