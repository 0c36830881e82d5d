// Lowering: from a checked file to one ir::Program per `program` declaration.
#pragma once

#include <memory>
#include <optional>
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

// Adds a `pressure` block's rules to `pressure` (several blocks add up).
void LowerPressure(const ast::PressureDecl& decl, const std::shared_ptr<const SourceFile>& file, Pressure& pressure);

// A shared pressure policy: the `pressure` blocks at the top level of the root file; nullopt
// when it has none.
std::optional<Pressure> LowerSharedPressure(const sema::SemanticModel& model);

}  // namespace relc::ir
