#include "engine_comparison.h"

#include <fmt/format.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "codegen/jit.h"
#include "data/generate.h"
#include "data/load.h"
#include "data/values.h"
#include "evaluate/bind.h"
#include "evaluate/panels.h"
#include "interp/interpreter.h"

namespace relc::differential {

std::string DataRecipe::Header() const {
  return fmt::format("// DATA: customers={} seed={} as-of={}", customers, seed, data::FormatDate(as_of_day));
}

std::optional<Dataset> MakeDataset(const DataRecipe& recipe, const data::DataSchema& schema) {
  data::GeneratedFiles files = data::GenerateCrm({.customers = recipe.customers, .seed = recipe.seed, .as_of_day = recipe.as_of_day});
  auto directory = std::filesystem::temp_directory_path() / fmt::format("relc-differential-{}-{}", ::getpid(), recipe.seed);
  std::filesystem::create_directories(directory);
  std::ofstream(directory / "customers.csv") << files.customers_csv;
  std::ofstream(directory / "events.csv") << files.events_csv;
  data::LoadResult loaded = data::LoadData(directory.string(), schema, {});
  std::filesystem::remove_all(directory);
  if (!loaded.store) {
    std::cerr << "cannot load generated data: " << loaded.error << '\n';
    return std::nullopt;
  }
  Dataset dataset;
  dataset.recipe = recipe;
  dataset.store = std::move(*loaded.store);
  dataset.options.as_of_day = recipe.as_of_day;
  dataset.measures = measures::ComputeMeasures(dataset.store, dataset.options);
  dataset.now = int64_t{recipe.as_of_day} * 86400 + 9 * 3600;
  return dataset;
}

namespace {

class Comparer {
 public:
  Comparer(const ir::Program& program, Dataset& dataset, uint64_t seed) : program_(program), dataset_(dataset), seed_(seed) {}

  // The first disagreement, described; empty when the engines agree.
  std::string Run(Counts& counts) {
    codegen::JitResult jit = codegen::CompileWithJit(program_, {});
    if (!jit.engine) return "the JIT failed: " + jit.error;
    std::unique_ptr<ir::Engine> interp = interp::MakeInterpreter(program_);
    std::string error;
    auto jit_data = Bind(error);
    auto interp_data = Bind(error);
    if (!jit_data || !interp_data) return "cannot bind the data: " + error;

    auto jit_panels = evaluate::EvaluatePanels(program_, *jit.engine, *jit_data);
    auto interp_panels = evaluate::EvaluatePanels(program_, *interp, *interp_data);
    for (size_t p = 0; p < program_.panels.size(); ++p) {
      ++counts.panels;
      if (jit_panels[p] != interp_panels[p]) {
        return fmt::format("panel {} ({}): the JIT selects {} customers, the interpreter {}", p, Name(p),
                           evaluate::CountSelected(jit_panels[p]), evaluate::CountSelected(interp_panels[p]));
      }
    }
    // Once more at an earlier date, so that histories have events at and after `now`.
    const int64_t back = -86400 * static_cast<int64_t>(1 + Next() % 400);
    jit_data->AdvanceClock(back);
    interp_data->AdvanceClock(back);
    jit_panels = evaluate::EvaluatePanels(program_, *jit.engine, *jit_data);
    interp_panels = evaluate::EvaluatePanels(program_, *interp, *interp_data);
    jit_data->AdvanceClock(-back);
    interp_data->AdvanceClock(-back);
    for (size_t p = 0; p < program_.panels.size(); ++p) {
      ++counts.panels;
      if (jit_panels[p] != interp_panels[p]) {
        return fmt::format("panel {} ({}), {} days earlier: the JIT selects {} customers, the interpreter {}", p, Name(p),
                           -back / 86400, evaluate::CountSelected(jit_panels[p]), evaluate::CountSelected(interp_panels[p]));
      }
    }
    for (int32_t t = 0; t < program_.thresholds; ++t) {
      double a = jit_data->frame().thresholds[t], b = interp_data->frame().thresholds[t];
      if (std::memcmp(&a, &b, sizeof a) != 0) return fmt::format("ranking threshold {}: {} against {}", t, a, b);
    }
    if (auto mismatch = CompareScalars(*jit.engine, *interp, *jit_data, counts); !mismatch.empty()) return mismatch;
    if (auto mismatch = CompareEvents(*jit.engine, *interp, *jit_data, counts); !mismatch.empty()) return mismatch;
    for (ir::ExprId root : program_.customer_values) {
      for (uint64_t row = 0; row < jit_data->customer_count(); ++row) {
        ++counts.values;
        ir::Value a = jit.engine->CustomerValue(root, jit_data->frame(), row);
        ir::Value b = interp->CustomerValue(root, jit_data->frame(), row);
        if (!(a == b)) return fmt::format("customer value at node {}, row {}: {} against {}", root, row, a.bits, b.bits);
      }
    }
    return CompareTransitions(*jit.engine, *interp, *jit_data, counts);
  }

 private:
  std::optional<evaluate::BoundData> Bind(std::string& error) {
    return evaluate::BoundData::Bind(program_, dataset_.store, dataset_.measures, dataset_.options, dataset_.now, seed_, error);
  }

  std::string Name(size_t panel) const {
    return program_.panels[panel].name.empty() ? "written inline" : "`" + program_.panels[panel].name + "`";
  }

  uint64_t Next() {
    uint64_t z = (rng_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  std::string CompareScalars(const ir::Engine& jit, const ir::Engine& interp, evaluate::BoundData& data, Counts& counts) {
    std::vector<ir::ExprId> roots;
    for (const auto* scalars : {&program_.kpis, &program_.expectations, &program_.targets}) {
      for (const ir::Scalar& scalar : *scalars) roots.push_back(scalar.value);
    }
    roots.insert(roots.end(), program_.constants.begin(), program_.constants.end());
    // Metrics: zeros (divisions by zero), small counts, and huge ones (overflow).
    for (int round = 0; round < 6; ++round) {
      for (int64_t& metric : data.metrics()) {
        uint64_t r = Next();
        metric = round == 0 ? 0 : round == 5 ? static_cast<int64_t>(r >> 2) : static_cast<int64_t>(r % (round == 1 ? 3 : 100000));
      }
      for (ir::ExprId root : roots) {
        ++counts.scalars;
        ir::Value a = jit.Scalar(root, data.frame()), b = interp.Scalar(root, data.frame());
        if (!(a == b)) {
          return fmt::format("scalar at node {}: the JIT gives {} ({}), the interpreter {} ({})", root, a.bits,
                             a.valid ? "valid" : "null", b.bits, b.valid ? "valid" : "null");
        }
      }
    }
    return {};
  }

  std::string CompareEvents(const ir::Engine& jit, const ir::Engine& interp, evaluate::BoundData& data, Counts& counts) {
    const ir::Frame& frame = data.frame();
    for (size_t p = 0; p < program_.event_predicates.size(); ++p) {
      for (uint64_t row = 0; row < std::min<uint64_t>(frame.customer_count, 40); ++row) {
        for (uint64_t event = frame.event_offsets[row]; event < frame.event_offsets[row + 1]; ++event) {
          ++counts.events;
          bool a = jit.EventMatches(static_cast<int32_t>(p), frame, row, event);
          bool b = interp.EventMatches(static_cast<int32_t>(p), frame, row, event);
          if (a != b) return fmt::format("event predicate {} on event {} of row {}: {} against {}", p, event, row, a, b);
        }
      }
    }
    return {};
  }

  std::string CompareTransitions(const ir::Engine& jit, const ir::Engine& interp, evaluate::BoundData& data, Counts& counts) {
    ir::Frame frame = data.frame();
    std::vector<int32_t> winners(static_cast<size_t>(program_.splits), -1);
    frame.split_winners = winners.data();
    for (size_t s = 0; s < program_.scenarios.size(); ++s) {
      const ir::Scenario& scenario = program_.scenarios[s];
      std::vector<uint8_t> outcomes(scenario.steps.size());
      for (int sample = 0; sample < 24 && frame.customer_count > 0; ++sample) {
        uint64_t row = Next() % frame.customer_count;
        for (uint8_t& outcome : outcomes) outcome = static_cast<uint8_t>(Next() & 15);
        for (int32_t& winner : winners) winner = static_cast<int32_t>(Next() % 4) - 1;
        frame.now = dataset_.now + static_cast<int64_t>(Next() % (86400 * 400));
        ir::Instance instance{outcomes.data(), frame.now - static_cast<int64_t>(Next() % 86400)};
        std::vector<ir::Input> inputs;
        for (int32_t step = -1; step <= static_cast<int32_t>(scenario.steps.size()); ++step) {
          inputs.push_back({ir::InputKind::Continue, step, 0});
          inputs.push_back({ir::InputKind::Timeout, step, 0});
          size_t routes = step >= 0 && step < static_cast<int32_t>(scenario.steps.size()) ? scenario.steps[step].routes.size() : 0;
          for (int32_t route = 0; route <= static_cast<int32_t>(routes); ++route) inputs.push_back({ir::InputKind::Event, step, route});
        }
        inputs.push_back({ir::InputKind::Start, scenario.entry, 0});
        for (const ir::Input& input : inputs) {
          ++counts.transitions;
          ir::Action a{}, b{};
          jit.Transition(static_cast<int32_t>(s), frame, row, instance, input, a);
          interp.Transition(static_cast<int32_t>(s), frame, row, instance, input, b);
          if (a.kind != b.kind || a.step != b.step || a.deadline != b.deadline || a.value != b.value || a.value_valid != b.value_valid) {
            return fmt::format(
                "scenario `{}`, row {}, input (kind {}, step {}, route {}): the JIT does (kind {}, step {}, deadline {}, value {}/{}), "
                "the interpreter (kind {}, step {}, deadline {}, value {}/{})",
                scenario.name, row, static_cast<int>(input.kind), input.step, input.route, static_cast<int>(a.kind), a.step,
                a.deadline, a.value, a.value_valid, static_cast<int>(b.kind), b.step, b.deadline, b.value, b.value_valid);
          }
        }
      }
    }
    return {};
  }

  const ir::Program& program_;
  Dataset& dataset_;
  uint64_t seed_;
  uint64_t rng_ = 12345;
};

}  // namespace

std::string CompareEngines(const ir::Program& program, Dataset& dataset, uint64_t seed, Counts& counts) {
  return Comparer(program, dataset, seed).Run(counts);
}

std::optional<driver::CompiledFile> Compile(const std::string& text, std::string* errors) {
  DiagnosticCollector diagnostics;
  driver::CompiledFile compiled = driver::CompileFile(std::make_shared<const SourceFile>("differential.rel", text), diagnostics);
  if (compiled.has_errors || compiled.programs.size() != 1) {
    if (errors != nullptr) {
      for (const auto& d : diagnostics.diagnostics()) {
        if (d.severity == Severity::Error) *errors += d.message + "\n";
      }
    }
    return std::nullopt;
  }
  return compiled;
}

std::string Disagreement(const std::string& text, Dataset& dataset, uint64_t seed, Counts& counts) {
  auto compiled = Compile(text);
  if (!compiled) return {};
  return CompareEngines(compiled->programs[0], dataset, seed, counts);
}

}  // namespace relc::differential
