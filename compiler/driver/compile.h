// The front end's phases in order, for one root file: parse and check (sema), lower each
// scenario to its graph and analyse it, then lower each program for the engines. Commands call this rather than the phases.
#pragma once

#include <memory>
#include <vector>

#include "graph/scenario_graph.h"
#include "ir/ir.h"
#include "sema/sema.h"

namespace relc::driver {

struct CompiledFile {
  sema::CheckResult checked;
  std::vector<graph::ScenarioGraph> graphs;  // the root file's scenarios, templates aside
  std::vector<ir::Program> programs;         // the root file's programs, lowered for the engines
  bool has_errors = false;
};

CompiledFile CompileFile(const std::shared_ptr<const SourceFile>& file, DiagnosticSink& sink);

}  // namespace relc::driver
