// The syntax phase: UTF-8 text in, our AST and syntax diagnostics out.
//
// ANTLR does the parsing; nothing it defines escapes this folder. Every independent syntax error
// in a file is reported, each once, in our own words (see syntax_errors.cpp).
#pragma once

#include <memory>

#include "ast/ast.h"
#include "diagnostics/diagnostic.h"

namespace relc::syntax {

struct ParseResult {
  ast::Module module;
  // The AST is always built, but with syntax errors it may miss pieces (null expressions,
  // empty names); later phases must not run on it.
  bool has_errors = false;
};

ParseResult Parse(const std::shared_ptr<const SourceFile>& file, DiagnosticSink& sink);

// Every keyword of the language, from the grammar, in alphabetical order (for completion).
const std::vector<std::string>& Keywords();

// Whether `name` can name a declaration: an identifier that is not a reserved word.
bool IsValidName(std::string_view name);

}  // namespace relc::syntax
