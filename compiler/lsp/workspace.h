// What relc knows of one open document, and the questions an editor asks of it: the symbol under
// the cursor, where it is declared and used, what to complete, the outline.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "diagnostics/diagnostic.h"
#include "sema/sema.h"

namespace relc::lsp {

// Checks one file the way `relc check` does (the driver's pipeline), diagnostics to the sink.
using CheckFunction = std::function<sema::CheckResult(const std::shared_ptr<const SourceFile>&, DiagnosticSink&)>;

struct Analysis {
  std::shared_ptr<const SourceFile> file;
  std::vector<Diagnostic> diagnostics;
  sema::CheckResult checked;
  bool resolved = false;  // names were resolved (the file parsed)
};

std::unique_ptr<Analysis> Analyze(std::shared_ptr<const SourceFile> file, const CheckFunction& check);

// A name at a place: a declaration's name or a use of it.
struct Occurrence {
  const SourceFile* file = nullptr;
  SourceRange range;
  const sema::Symbol* symbol = nullptr;
};

// Each import of the analysed file, with the path of every file it brings in: the imported file
// and, in turn, what it imports (for the diagnostics of imported files on the import line).
std::vector<std::pair<const ast::Import*, std::set<std::string>>> ImportsOf(const Analysis& analysis);

// The symbol named at `offset` of the analysed file (a cursor just after a name counts).
std::optional<Occurrence> SymbolAt(const Analysis& analysis, uint32_t offset);

// The declaration of `symbol` (when it has one in a file) and every use, each once, in file order.
std::vector<Occurrence> OccurrencesOf(const Analysis& analysis, const sema::Symbol* symbol);

// Markdown: what the symbol is, its type with its unit, its declaration and doc comment.
std::string HoverMarkdown(const sema::Symbol& symbol, const Analysis& analysis);

struct CompletionItem {
  std::string label;
  int kind = 0;  // LSP CompletionItemKind
  std::string detail;
  std::string documentation;
  std::string import;  // a standard library module to import with it ("std.scenarios"), if not in scope
};

// Every module of the standard library, checked together: what completion offers beyond the
// names in scope.
std::unique_ptr<Analysis> AnalyzeStandardLibrary(const CheckFunction& check);

// What may be written at `offset` of `text`; names come from `names` (the last analysis that
// resolved them, so that a half-typed line still completes), then from `stdlib`.
std::vector<CompletionItem> Complete(const std::string& text, uint32_t offset, const Analysis* names,
                                     const Analysis* stdlib);

struct OutlineItem {
  std::string name;
  std::string detail;
  int kind = 0;  // LSP SymbolKind
  SourceRange range;
  SourceRange selection;
  std::vector<OutlineItem> children;
};

std::vector<OutlineItem> Outline(const Analysis& analysis);

}  // namespace relc::lsp
