// `relc ast FILE`: the AST as stable text, for golden tests of the front end.
#pragma once

#include <string>

#include "ast/ast.h"

namespace relc::ast {

std::string DumpAst(const Module& module, const SourceFile& file);

}  // namespace relc::ast
