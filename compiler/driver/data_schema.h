// The data contract a program declares (or the standard one, stdlib/std/crm.rel), handed to
// the runtime's loaders as their own plain description.
#pragma once

#include <optional>
#include <string>

#include "data/store.h"
#include "diagnostics/diagnostic.h"
#include "sema/sema.h"

namespace relc::driver {

// From `program` (its schema, or the standard one if it declares none); with an empty path,
// the standard one. Diagnostics go to `sink`; nullopt if the program has errors.
// The contract of a checked file: its schema, or the standard one loaded with it.
std::optional<data::DataSchema> DataSchemaOf(const sema::SemanticModel& model);

std::optional<data::DataSchema> LoadDataSchema(const std::string& program, DiagnosticSink& sink);

}  // namespace relc::driver
