// The list of a program's kernels, their names, and a rough size of each (to share them out
// between modules compiled in parallel).
#include <fmt/format.h>

#include <set>

#include "codegen/emitter.h"

namespace relc::codegen {

std::string KernelName(const Kernel& kernel) {
  switch (kernel.kind) {
    case Kernel::Kind::Filter: return fmt::format("relc.filter.{}", kernel.index);
    case Kernel::Kind::Rank: return fmt::format("relc.rank.{}.{}", kernel.index, kernel.ranking);
    case Kernel::Kind::Scalar: return fmt::format("relc.scalar.{}", kernel.index);
    case Kernel::Kind::Value: return fmt::format("relc.value.{}", kernel.index);
    case Kernel::Kind::Event: return fmt::format("relc.event.{}", kernel.index);
    case Kernel::Kind::Transition: return fmt::format("relc.transition.{}", kernel.index);
  }
  return "";
}

namespace {

// Nodes reachable from `root`: the size of the code it makes.
size_t TreeSize(const ir::Program& program, ir::ExprId root) {
  if (root == ir::kNoExpr) return 0;
  const ir::Node& node = program[root];
  return 1 + TreeSize(program, node.a) + TreeSize(program, node.b) + TreeSize(program, node.c);
}

}  // namespace

std::vector<Kernel> KernelsOf(const ir::Program& program) {
  std::vector<Kernel> kernels;
  constexpr size_t kLoop = 20;  // the loop around a per-customer kernel
  for (size_t p = 0; p < program.panels.size(); ++p) {
    const ir::Panel& panel = program.panels[p];
    if (panel.kind != ir::Panel::Kind::Filter) continue;
    int32_t index = static_cast<int32_t>(p);
    kernels.push_back({Kernel::Kind::Filter, index, 0, kLoop + TreeSize(program, panel.condition)});
    for (size_t r = 0; r < panel.rankings.size(); ++r) {
      kernels.push_back({Kernel::Kind::Rank, index, static_cast<int32_t>(r), kLoop + TreeSize(program, panel.rankings[r].value)});
    }
  }
  std::set<ir::ExprId> roots;
  for (const auto* scalars : {&program.kpis, &program.expectations, &program.targets}) {
    for (const ir::Scalar& scalar : *scalars) roots.insert(scalar.value);
  }
  for (const auto* figures : {&program.response_rates, &program.baseline_rates}) {
    for (const ir::ResponseRate& rate : *figures) {
      for (ir::ExprId figure : {rate.value, rate.low, rate.high}) {
        if (figure != ir::kNoExpr) roots.insert(figure);
      }
    }
  }
  roots.insert(program.constants.begin(), program.constants.end());
  for (ir::ExprId root : roots) kernels.push_back({Kernel::Kind::Scalar, root, 0, TreeSize(program, root)});
  for (ir::ExprId root : std::set<ir::ExprId>(program.customer_values.begin(), program.customer_values.end())) {
    kernels.push_back({Kernel::Kind::Value, root, 0, TreeSize(program, root)});
  }
  for (size_t e = 0; e < program.event_predicates.size(); ++e) {
    kernels.push_back({Kernel::Kind::Event, static_cast<int32_t>(e), 0, TreeSize(program, program.event_predicates[e].condition)});
  }
  for (size_t s = 0; s < program.scenarios.size(); ++s) {
    size_t weight = 0;
    for (const ir::Step& step : program.scenarios[s].steps) {
      weight += 4 + TreeSize(program, step.wait_value) + TreeSize(program, step.value);
      for (ir::ExprId condition : step.conditions) weight += TreeSize(program, condition);
    }
    kernels.push_back({Kernel::Kind::Transition, static_cast<int32_t>(s), 0, weight});
  }
  return kernels;
}

}  // namespace relc::codegen
