// Lowering: from a checked file to one ir::Program per `program` declaration.
#pragma once

#include <vector>

#include "diagnostics/diagnostic.h"
#include "ir/ir.h"
#include "sema/sema.h"

namespace relc::ir {

struct LowerResult {
  std::vector<Program> programs;
  bool has_errors = false;
};

// `model` must be free of errors. Constructs the engines cannot run yet are reported (REL0500).
LowerResult Lower(const sema::SemanticModel& model, DiagnosticSink& sink);

}  // namespace relc::ir
