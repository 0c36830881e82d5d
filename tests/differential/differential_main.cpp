// Differential testing: the JIT against the reference interpreter, on random programs and
// datasets and on the saved regressions. Every panel selection (and ranking threshold), KPI,
// expectation, event condition and scenario transition must agree bit for bit.
//
//   relc_differential --cases 250 --seed 1        random cases, seeds 1..250
//   relc_differential --regressions DIR           every DIR/*.rel, with the data its header names
//
// A failing case is shrunk to the fewest declarations that still disagree, and printed as a
// `.rel` file whose `// DATA:` line says how to generate its dataset: save it under
// tests/differential/regressions/ and it runs in CI from then on.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include "data/values.h"
#include "driver/data_schema.h"
#include "engine_comparison.h"
#include "random_program.h"

namespace relc::differential {
namespace {

// Drops declarations while the engines still disagree: each item, with those that need it.
std::string Shrink(const RandomProgram& program, Dataset& dataset, uint64_t seed) {
  std::set<std::string> keep;
  for (const Item& item : program.items) keep.insert(item.name);
  Counts ignored;
  for (auto it = program.items.rbegin(); it != program.items.rend(); ++it) {
    std::set<std::string> trial = keep;
    std::set<std::string> dropped = {it->name};
    for (const Item& item : program.items) {  // items only need earlier ones: one pass suffices
      for (const std::string& need : item.needs) {
        if (dropped.contains(need)) dropped.insert(item.name);
      }
    }
    for (const std::string& name : dropped) trial.erase(name);
    if (trial.empty()) continue;
    if (!Disagreement(program.Text(trial), dataset, seed, ignored).empty()) keep = trial;
  }
  return program.Text(keep);
}

std::optional<DataRecipe> ParseRecipe(const std::string& text) {
  auto at = text.find("// DATA:");
  if (at == std::string::npos) return std::nullopt;
  std::istringstream words(text.substr(at + 8, text.find('\n', at) - at - 8));
  DataRecipe recipe;
  for (std::string word; words >> word;) {
    auto equals = word.find('=');
    std::string key = word.substr(0, equals), value = word.substr(equals + 1);
    if (key == "customers") recipe.customers = std::stoull(value);
    if (key == "seed") recipe.seed = std::stoull(value);
    if (key == "as-of" && !data::ParseDate(value, recipe.as_of_day)) return std::nullopt;
  }
  return recipe;
}

int RunRegressions(const std::string& directory, const data::DataSchema& schema) {
  int failures = 0, files = 0;
  std::vector<std::filesystem::path> paths;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    if (entry.path().extension() == ".rel") paths.push_back(entry.path());
  }
  std::sort(paths.begin(), paths.end());
  for (const auto& path : paths) {
    std::ifstream in(path);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto recipe = ParseRecipe(text);
    if (!recipe) {
      std::cerr << path.string() << ": no `// DATA: customers=N seed=S as-of=DATE` line\n";
      ++failures;
      continue;
    }
    auto dataset = MakeDataset(*recipe, schema);
    std::string errors;
    auto compiled = Compile(text, &errors);
    if (!dataset || !compiled) {
      std::cerr << path.string() << ": does not check:\n" << errors;
      ++failures;
      continue;
    }
    Counts counts;
    std::string mismatch = CompareEngines(compiled->programs[0], *dataset, recipe->seed, counts);
    ++files;
    if (!mismatch.empty()) {
      std::cerr << path.string() << ": " << mismatch << '\n';
      ++failures;
    }
  }
  std::cout << fmt::format("differential regressions: {} files, {} failing\n", files, failures);
  return failures == 0 ? 0 : 1;
}

int RunRandom(uint64_t first_seed, uint64_t cases, const data::DataSchema& schema) {
  // A few datasets, shared by the cases: generating and fitting one per case would dominate.
  std::vector<Dataset> datasets;
  for (uint64_t d = 0; d < 4; ++d) {
    DataRecipe recipe{.customers = 40 + (first_seed * 7 + d * 53) % 200, .seed = first_seed + d,
                      .as_of_day = 20000 + static_cast<int32_t>((first_seed * 31 + d * 97) % 700)};
    auto dataset = MakeDataset(recipe, schema);
    if (!dataset) return 2;
    datasets.push_back(std::move(*dataset));
  }
  Counts counts;
  uint64_t rejected = 0, run = 0;
  std::string first_rejection;
  for (uint64_t seed = first_seed; run < cases; ++seed) {
    RandomProgram program = GenerateRandomProgram(seed);
    std::string text = program.Text();
    std::string errors;
    if (!Compile(text, &errors)) {
      // Random conditions can contradict each other (REL0301): such programs do not count.
      if (first_rejection.empty()) first_rejection = fmt::format("seed {}: {}", seed, errors);
      ++rejected;
      if (rejected > cases) {
        std::cerr << "the generator makes programs that do not check, such as\n" << first_rejection << text;
        return 2;
      }
      continue;
    }
    ++run;
    Dataset& dataset = datasets[seed % datasets.size()];
    std::string mismatch = Disagreement(text, dataset, seed, counts);
    if (mismatch.empty()) continue;
    std::string minimal = Shrink(program, dataset, seed);
    Counts ignored;
    std::cerr << fmt::format("MISMATCH (program seed {}): {}\n\nA minimal case, for tests/differential/regressions/:\n\n{}\n{}\n",
                             seed, mismatch, dataset.recipe.Header(), minimal);
    std::cerr << fmt::format("its disagreement: {}\n", Disagreement(minimal, dataset, seed, ignored));
    return 1;
  }
  std::cout << fmt::format(
      "differential: {} random programs (seeds from {}; {} more rejected by the checker), 0 mismatches in {} panels, "
      "{} scalars, {} customer values, {} event conditions, {} transitions\n",
      run, first_seed, rejected, counts.panels, counts.scalars, counts.values, counts.events, counts.transitions);
  return 0;
}

}  // namespace
}  // namespace relc::differential

int main(int argc, char** argv) {
  uint64_t cases = 100, seed = 1;
  std::string regressions;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string option = argv[i];
    if (option == "--cases") cases = std::stoull(argv[i + 1]);
    else if (option == "--seed") seed = std::stoull(argv[i + 1]);
    else if (option == "--regressions") regressions = argv[i + 1];
  }
  relc::DiagnosticCollector diagnostics;
  auto schema = relc::driver::LoadDataSchema("", diagnostics);
  if (!schema) {
    std::cerr << "cannot load the standard schema\n";
    return 2;
  }
  if (!regressions.empty()) return relc::differential::RunRegressions(regressions, *schema);
  return relc::differential::RunRandom(seed, cases, *schema);
}
