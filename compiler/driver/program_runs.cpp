#include "driver/program_runs.h"

#include <fmt/format.h>

#include "data/values.h"

namespace relc::driver {

std::optional<ProgramRuns> PreparePrograms(const std::deque<CompiledFile>& compiled, const Dataset& dataset,
                                           const EngineChoice& choice, int days, uint64_t seed, Context& context, int& exit_code) {
  ProgramRuns out;
  for (const CompiledFile& file : compiled) {
    for (const ir::Program& program : file.programs) {
      std::unique_ptr<ir::Engine> engine = MakeEngine(program, file, choice, context);
      if (!engine) {
        exit_code = kExitProgramErrors;
        return std::nullopt;
      }
      std::string error;
      auto bound = evaluate::BoundData::Bind(program, dataset.store, dataset.measures, dataset.measure_options, dataset.now, seed, error);
      if (!bound) {
        context.err << "error: " << error << '\n';
        exit_code = kExitProgramErrors;
        return std::nullopt;
      }
      out.files.push_back(&file);
      out.bound.push_back(std::make_unique<evaluate::BoundData>(std::move(*bound)));
      out.weekly_panels.push_back(simulate::WeeklyPanels(program, *engine, *out.bound.back(), days));
      out.panels.push_back(evaluate::EvaluatePanels(program, *engine, *out.bound.back()));
      out.engines.push_back(std::move(engine));
    }
  }
  size_t p = 0;
  for (const CompiledFile& file : compiled) {
    for (const ir::Program& program : file.programs) {
      out.runs.push_back({&program, out.engines[p].get(), out.bound[p].get(), &out.panels[p], &out.weekly_panels[p]});
      ++p;
    }
  }
  exit_code = kExitSuccess;
  return out;
}

bool ReportRunaway(const std::vector<simulate::Result>& results, const std::vector<simulate::ProgramRun>& runs,
                   const data::CustomerStore& store, Context& context) {
  for (size_t p = 0; p < results.size(); ++p) {
    if (!results[p].runaway) continue;
    const simulate::Runaway& runaway = *results[p].runaway;
    const ir::Scenario& scenario = runs[p].program->scenarios[runaway.scenario];
    context.err << fmt::format(
        "error: in program \"{}\", a journey of scenario `{}` went through {} steps by {} at `{}` (customer {}): a loop "
        "whose waits end at once or nearly never ends; the simulation stopped\n  = help: wait longer in the loop, or give "
        "it an exit\n",
        runs[p].program->title, scenario.name, simulate::kMostJourneySteps, data::FormatDateTime(runaway.time),
        runaway.step >= 0 ? scenario.steps[runaway.step].text : "the trigger", runaway.customer_id.empty() ? std::string(store.customers.columns[store.key_column].String(runaway.customer)) : runaway.customer_id);
    return false;
  }
  return true;
}

}  // namespace relc::driver
