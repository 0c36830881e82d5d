// `relc ast FILE`: the AST as stable text, for golden tests of the front end.
#pragma once

#include <string>

#include "ast/ast.h"

namespace relc::ast {

// `with_positions` appends each line's @line:column; without them, two layouts of one program
// dump the same (the formatter's tests compare them).
std::string DumpAst(const Module& module, const SourceFile& file, bool with_positions = true);

}  // namespace relc::ast
