// The JIT against the interpreter: any bytes as a program, run over one of three small
// generated CRMs when it checks. Oracle: the engines agree on every panel, KPI, expectation, event condition and
// scenario transition (tests/differential's comparison), and neither crashes.
#include <cstdint>
#include <functional>
#include <string>
#include <tuple>
#include <vector>

#include "data/values.h"
#include "engine_comparison.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Three generated CRMs of different sizes, seeds and as-of dates; the input picks one.
  static std::vector<relc::differential::Dataset> datasets = [] {
    relc::DiagnosticCollector ignored;
    const auto schema = relc::driver::LoadDataSchema("", ignored);
    FUZZ_REQUIRE(schema.has_value(), "the standard schema does not load");
    std::vector<relc::differential::Dataset> made;
    for (auto [customers, seed, as_of] : {std::tuple{60, 7, "2026-01-01"}, {150, 11, "2025-03-15"}, {30, 3, "2024-12-31"}}) {
      relc::differential::DataRecipe recipe{.customers = static_cast<uint64_t>(customers), .seed = static_cast<uint64_t>(seed)};
      FUZZ_REQUIRE(relc::data::ParseDate(as_of, recipe.as_of_day), "the as-of date");
      made.push_back(*relc::differential::MakeDataset(recipe, *schema));
    }
    return made;
  }();
  const std::string text(reinterpret_cast<const char*>(data), size);
  const uint64_t pick = std::hash<std::string>{}(text);
  relc::differential::Counts counts;
  const std::string disagreement = relc::differential::Disagreement(text, datasets[pick % datasets.size()], pick, counts);
  FUZZ_REQUIRE(disagreement.empty(), "%s\n--- program\n%s", disagreement.c_str(), text.c_str());
  return 0;
}
