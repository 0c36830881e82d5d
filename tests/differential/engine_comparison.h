// The JIT against the reference interpreter on one program and one dataset: every panel
// selection (and ranking threshold), KPI, expectation, event condition and scenario transition
// must agree bit for bit. Shared by the differential tester and the engines' fuzz harness.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "data/store.h"
#include "driver/compile.h"
#include "driver/data_schema.h"
#include "measures/customer_measures.h"

namespace relc::differential {

struct DataRecipe {
  uint64_t customers = 100;
  uint64_t seed = 1;
  int32_t as_of_day = 0;

  std::string Header() const;
};

struct Dataset {
  DataRecipe recipe;
  data::CustomerStore store;
  measures::CustomerMeasures measures;
  measures::MeasureOptions options;
  int64_t now = 0;
};

// The generated CRM of `recipe`, loaded as `relc run` loads it.
std::optional<Dataset> MakeDataset(const DataRecipe& recipe, const data::DataSchema& schema);

// What was compared, for the summary.
struct Counts {
  size_t panels = 0, scalars = 0, values = 0, events = 0, transitions = 0;
};

// Checks and lowers `text`; nullopt (with the diagnostics in `errors`) if it does not check or
// does not hold exactly one program.
std::optional<driver::CompiledFile> Compile(const std::string& text, std::string* errors = nullptr);

// The first disagreement between the engines on `program` over `dataset`, described; empty when
// they agree. `seed` drives the random parts (splits, dates).
std::string CompareEngines(const ir::Program& program, Dataset& dataset, uint64_t seed, Counts& counts);

// The first disagreement between the engines on `text` over `dataset`, described; empty when
// they agree or when `text` does not compile. `seed` drives the random parts (splits, dates).
std::string Disagreement(const std::string& text, Dataset& dataset, uint64_t seed, Counts& counts);

}  // namespace relc::differential
