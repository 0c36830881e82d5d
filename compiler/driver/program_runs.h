// The programs of compiled files made ready to run over a dataset: an engine each, bound to the
// data, with their panels at the start and week by week. What `relc run`, `relc plan` and
// `relc apply` share.
#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <vector>

#include "driver/compile.h"
#include "driver/session.h"
#include "evaluate/bind.h"
#include "evaluate/panels.h"
#include "ir/engine.h"
#include "simulate/simulate.h"

namespace relc::driver {

struct ProgramRuns {
  std::vector<const CompiledFile*> files;  // per program: its file
  std::vector<std::unique_ptr<ir::Engine>> engines;
  std::vector<std::unique_ptr<evaluate::BoundData>> bound;
  std::vector<std::vector<evaluate::Selection>> panels;
  std::vector<std::vector<std::vector<evaluate::Selection>>> weekly_panels;
  std::vector<simulate::ProgramRun> runs;
};

// Every program of `compiled`, in order, bound to `dataset` at its start with `seed`, for `days`
// days. nullopt (an error printed, `exit_code` set) when an engine or a binding fails.
std::optional<ProgramRuns> PreparePrograms(const std::deque<CompiledFile>& compiled, const Dataset& dataset,
                                           const EngineChoice& choice, int days, uint64_t seed, Context& context, int& exit_code);

// A journey that ran away (a loop whose waits end at once) stops the run: an error naming it.
// False, with the error printed, when one did.
bool ReportRunaway(const std::vector<simulate::Result>& results, const std::vector<simulate::ProgramRun>& runs,
                   const data::CustomerStore& store, Context& context);

}  // namespace relc::driver
