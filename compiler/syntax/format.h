// `relc fmt`: one canonical layout for .rel files.
//
// The formatter rewrites whitespace only: every token and comment of the input comes out in
// the same order, so the AST cannot change. Items (declarations, rules, properties, steps,
// arms) go one per line, indented two spaces per block; a block written on one line stays on
// one line (`{ cost = 2 EUR; valid = 14 days }`); a line break the author put inside an item is
// kept as a continuation line; spacing around tokens is fixed; one blank line at most between
// items. A file with syntax errors is never rewritten.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "diagnostics/diagnostic.h"

namespace relc::syntax {

// The file in canonical layout, or nullopt when it has syntax errors (reported to `sink`).
std::optional<std::string> Format(const std::shared_ptr<const SourceFile>& file, DiagnosticSink& sink);

}  // namespace relc::syntax
