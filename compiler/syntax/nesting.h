// How deep a file's expressions nest, measured on its tokens before parsing: every later phase
// (parser, transformer, checker, lowering, both engines) walks expressions recursively, so a
// bound here bounds the stack they all need.
#pragma once

#include <antlr4-runtime.h>

#include <optional>

namespace relc::syntax {

// Far beyond any program (clang allows 256 brackets), and shallow enough that every phase stays
// within the stack of a sanitizer build: 8,000 parentheses overflowed the release build's
// transformer, 1,000 chained `and`s the sanitizer build's checker.
inline constexpr int kMostNesting = 256;
// Brackets and chained operators together; the comparison in each term of an `or` chain counts
// too, so this allows some 250 terms such as `city == "Lyon"`.
inline constexpr int kMostOperatorDepth = 512;

struct TooDeep {
  antlr4::Token* token;  // where a limit is first passed
  int brackets;          // brackets, blocks and prefix operators open there
  int chained;           // binary operators before it in the expressions it is part of
};

// Depth at a token = open brackets and blocks + the run of prefix operators (`not not x`) +
// the binary operators already chained in each enclosing expression (`a and b and c` nests `c`
// two levels deep in the tree). The first token where brackets and prefix operators pass
// kMostNesting, or the whole passes kMostOperatorDepth, if any.
std::optional<TooDeep> FindTooDeep(antlr4::CommonTokenStream& tokens);

}  // namespace relc::syntax
