// Evaluating a program's panels over a dataset, in the order lowering gave them: rankings first
// (a threshold over the panel's base), then the condition, through whichever engine runs.
#pragma once

#include <vector>

#include "evaluate/bind.h"
#include "ir/engine.h"

namespace relc::evaluate {

// A selection: a bit per customer row.
using Selection = std::vector<uint64_t>;

size_t CountSelected(const Selection& selection);

// Every panel's selection, by panel index. Leaves `data`'s frame pointing at them and at the
// thresholds it computed, so that scenario conditions can read panel membership.
std::vector<Selection> EvaluatePanels(const ir::Program& program, const ir::Engine& engine, BoundData& data);

}  // namespace relc::evaluate
