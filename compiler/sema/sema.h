// Semantic analysis: from parsed files to a checked program.
//
// Check() loads the root file and its imports (the standard library from stdlib/, other files
// relative to the importing one), resolves every name, types every expression with its units,
// and runs the domain checks a marketer's mistakes call for. Its output, the SemanticModel, is
// what the scenario graph and code generation read.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "ast/ast.h"
#include "diagnostics/diagnostic.h"
#include "sema/types.h"

namespace relc::sema {

enum class SymbolKind {
  Panel, Offer, Scenario, Kpi, Channel, Event, Attribute, Measure, Metric, Function, Parameter,
  Step, Constant, Model,
};

// "panel", "KPI", "customer attribute": how messages and tools name a symbol's kind.
std::string_view KindWord(SymbolKind kind);

struct Symbol {
  SymbolKind kind;
  std::string name;
  Type type;
  const ast::Decl* decl = nullptr;                  // the declaration, for user symbols
  std::shared_ptr<const SourceFile> file;           // where it is declared (null: built in)
  SourceRange range;                                // its name, in `file`
  std::string doc;
  int uses = 0;
};

// A parsed file and the module name it was imported as.
struct Module {
  std::string name;  // "std.crm", or the path as imported
  std::shared_ptr<const SourceFile> file;
  ast::Module ast;
  bool is_stdlib = false;
  bool from_command_line = false;  // a `relc run --model` file: its figures are the nearest
};

struct ProgramInfo {
  const ast::ProgramDecl* decl = nullptr;
  std::shared_ptr<const SourceFile> file;
  // Everything the program's members may name: its own declarations, the file's top-level
  // ones, the imported modules' and the built-ins, innermost first.
  std::map<std::string, const Symbol*, std::less<>> names;
  // The consent rules in force: the program's own, then its file's and its imports' top-level ones.
  std::vector<const ast::ConsentRule*> consent_rules;
};

// A name written in a checked file and the symbol it resolved to: the index editors navigate by
// (`relc lsp`: go to definition, references, rename).
struct NameUse {
  const SourceFile* file = nullptr;
  SourceRange range;
  const Symbol* symbol = nullptr;
};

struct SemanticModel {
  std::deque<Module> modules;  // the root first; deque: stable addresses
  std::deque<Symbol> symbols;  // owns every symbol
  std::unordered_map<const ast::Expr*, Type> types;
  std::unordered_map<const ast::Expr*, const Symbol*> references;
  std::vector<NameUse> name_uses;  // in checking order; a template's body may appear once per instance
  std::vector<ProgramInfo> programs;
  // The currency of the schema's `purchase.amount` (empty for `money` without one): revenue,
  // cost, monetary value and CLV are in it.
  std::string currency = "EUR";
};

struct CheckOptions {
  std::string stdlib_dir;  // where `import std.x` looks: stdlib/ by default (see StdlibDir)
  // Files loaded beside the root as if it imported them, their models winning over every other
  // (`relc run --model calibrated.rel`).
  std::vector<std::string> model_files;
};

struct CheckResult {
  SemanticModel model;
  bool has_errors = false;
};

// A scenario made from a template, `scenario x = winback(audience: dormant, reward: comeback)`:
// the template, the call and the template's file.
struct TemplateUse {
  const ast::ScenarioDecl* scenario = nullptr;
  const ast::CallExpr* call = nullptr;
  std::shared_ptr<const SourceFile> file;

  // The argument bound to a parameter, or its default; null if `name` is no parameter.
  const ast::Expr* Argument(std::string_view name) const;
  // A channel or offer named in the template's steps, as this instance binds it.
  std::string Bound(std::string_view name) const;
};

// Null for a scenario that is not an instance of a checked template.
std::optional<TemplateUse> TemplateOf(const SemanticModel& model, const ast::ScenarioDecl& instance);

CheckResult Check(const std::shared_ptr<const SourceFile>& root, DiagnosticSink& sink, const CheckOptions& options);

// $RELC_STDLIB if set; else, for an installed relc, share/relc/stdlib beside its bin/; else the
// stdlib/ folder of the source tree relc was built from.
std::string StdlibDir();

}  // namespace relc::sema
