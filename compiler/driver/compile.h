// The front end's phases in order, for one root file: parse and check (sema), lower each
// scenario to its graph and analyse it, then lower each program for the engines. Commands call this rather than the phases.
#pragma once

#include <memory>
#include <vector>

#include "graph/scenario_graph.h"
#include "ir/ir.h"
#include "sema/sema.h"

namespace relc::driver {

// Where compiling a file went, in milliseconds (for `bench/` and --jit-stats).
struct PhaseTimes {
  double check_ms = 0;  // parsing the file and its imports, names, types, domain checks
  double graph_ms = 0;  // scenario graphs built and analysed
  double lower_ms = 0;  // lowering for the engines
};

struct CompiledFile {
  sema::CheckResult checked;
  PhaseTimes times;
  std::vector<graph::ScenarioGraph> graphs;  // the root file's scenarios, templates aside
  std::vector<ir::Program> programs;         // the root file's programs, lowered for the engines
  bool has_errors = false;
};

struct CompileOptions {
  std::vector<std::string> model_files;  // `relc run --model`: response models that win over the program's
};

CompiledFile CompileFile(const std::shared_ptr<const SourceFile>& file, DiagnosticSink& sink,
                         const CompileOptions& compile_options = {});

}  // namespace relc::driver
