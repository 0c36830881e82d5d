// The checker's internals, shared by the files of compiler/sema (not part of its interface).
#pragma once

#include <optional>
#include <set>

#include "sema/sema.h"

namespace relc::sema {

// What a name may refer to where it is written.
struct Context {
  bool customer = false;          // customer attributes and measures: inside `customers where`
  std::string event;              // fields of this event: inside `purchase where`
  bool metrics = false;           // KPI formulas and expectations
  const ast::ScenarioDecl* scenario = nullptr;  // step labels
  const std::map<std::string, const Symbol*, std::less<>>* locals = nullptr;  // parameters

  Context WithCustomer() const { Context c = *this; c.customer = true; return c; }
  Context WithEvent(std::string name) const { Context c = *this; c.event = std::move(name); c.customer = true; return c; }
};

// Built-in names, created once per check.
struct Builtins {
  std::map<std::string, const Symbol*, std::less<>> globals;   // channels, functions, constants, customers
  std::map<std::string, const Symbol*, std::less<>> measures;  // recency, frequency, monetary...
  std::map<std::string, const Symbol*, std::less<>> metrics;   // sent, converted, revenue...
};

// Money built-ins are in `model.currency`.
void AddBuiltins(SemanticModel& model, Builtins& builtins);

class Checker {
 public:
  Checker(SemanticModel& model, DiagnosticSink& sink, const CheckOptions& options)
      : model_(model), sink_(&sink), options_(options) {}

  bool Run(const std::shared_ptr<const SourceFile>& root);

 private:
  // checker.cpp: modules, declarations, programs.
  Module* LoadModule(const std::string& name, std::shared_ptr<const SourceFile> file, bool is_stdlib);
  const Module* LoadStandard(std::string_view name);
  void LoadImports(Module& module, std::vector<std::string>& stack);
  void DeclareSchema(const Module& module, const ast::SchemaDecl& schema);
  const Symbol* Declare(std::map<std::string, const Symbol*, std::less<>>& scope, SymbolKind kind,
                        const ast::Identifier& name, Type type, const ast::Decl* decl,
                        const std::shared_ptr<const SourceFile>& file);
  void CheckProgram(ProgramInfo& program);
  void CheckDecl(const ast::Decl& decl, const Context& context);
  // A standard library declaration that names fields the schema lacks (`birth_date`) is no
  // error until a program uses it: it is set aside, and the use is the error.
  void CheckGuarded(const ast::Decl& decl);
  void RecordUse(SourceRange range, const Symbol* symbol);
  void CheckDefault(const ast::Parameter& parameter, const Type& type, const Context& context);
  void CheckPressure(const ast::PressureDecl& pressure);
  void CheckOffer(const ast::OfferDecl& offer);
  void CheckProperties(const std::vector<ast::Property>& properties, std::string_view owner);
  void CheckInterval(const ast::Property& property, TypeKind type, bool allowed);
  void CheckBasketCurrency(const ast::Property& property);
  void CheckBaselineWindow(const ast::ModelBaseline& baseline);
  void ReportUnused(const ProgramInfo& program);

  // check_expr.cpp
  Type CheckExpr(const ast::Expr* expr, const Context& context);
  Type CheckName(const ast::NameExpr& name, const Context& context);
  Type CheckMember(const ast::MemberExpr& member, const Context& context);
  Type CheckCall(const ast::CallExpr& call, const Context& context);
  void CheckArguments(const std::vector<ast::Parameter>& parameters, const ast::CallExpr& call,
                      const std::vector<Type>& arguments, std::string_view callee);
  Type CheckBinary(const ast::BinaryExpr& binary, const Context& context);
  Type CheckNumber(const ast::NumberLiteral& number);
  // A KPI's value type, from its formula, computed once (the formula is checked then).
  Type KpiType(const ast::KpiDecl& kpi);
  const Symbol* Lookup(std::string_view name, const Context& context) const;
  std::vector<std::string> VisibleNames(const Context& context) const;
  void Expect(const ast::Expr* expr, const Type& actual, TypeKind wanted, std::string_view what);
  // A number literal, possibly negated (`-10%`): its signed value and its text as written.
  static std::optional<std::pair<double, std::string>> SignedNumber(const ast::Expr* expr);
  void CheckShare(const ast::Expr* expr, std::string_view what);

  // check_source.cpp
  void CheckSource(const ast::SourceDecl& source);
  // An expression over a table's row (`grouped`: of a group of rows, where sum() and the like
  // may appear, but not inside one another).
  void CheckRowExpr(const ast::Expr* expr, bool grouped, const std::string& what, bool in_aggregate = false);

  // check_scenario.cpp
  // The program's declaration of `name` if it is of `kind`; else reports `if_not`, with the
  // closest name of that kind.
  const Symbol* ResolveAs(const ast::Identifier& name, SymbolKind kind, DiagnosticKind if_not, std::string_view label);
  void CheckScenario(const ast::ScenarioDecl& scenario, const Context& context);
  // A channel's or offer's cost in another currency than the data's amounts (std.channels'
  // prices are in EUR): the report would add them up as one.
  void CheckCostCurrency(const Symbol* symbol, SourceRange use);
  void CheckTrigger(const ast::Trigger& trigger, const Context& context);
  void CheckSteps(const std::vector<ast::StepPtr>& steps, const Context& context);
  void CheckStep(const ast::Step& step, const Context& context);
  void CheckTarget(const ast::StepTarget& target, const Context& context);
  void CollectLabels(const std::vector<ast::StepPtr>& steps, const ast::ScenarioDecl& scenario);

  // domain_checks.cpp
  void CheckConsentCoverage(ProgramInfo& program);
  void CheckObjectives(const ProgramInfo& program);
  void CheckKpiDivisions(const ast::Expr* expr, std::string_view kpi_name);
  void CheckTriggersCanFire(const ProgramInfo& program);

  template <typename... Args>
  DiagnosticBuilder Emit(DiagnosticKind kind, SourceRange range, const Args&... args) {
    errors_ += Info(kind).severity == Severity::Error;
    return DiagnosticEmitter(current_file_, *sink_).Emit(kind, range, args...);
  }
  Symbol& NewSymbol(SymbolKind kind, std::string name, Type type);

  SemanticModel& model_;
  DiagnosticSink* sink_;  // another while a standard declaration is checked (CheckGuarded)
  const CheckOptions& options_;
  Builtins builtins_;
  int errors_ = 0;
  bool parse_failed_ = false;
  bool prelude_missing_ = false;  // reported once

  // Customer attributes and event fields of the schema in force.
  std::map<std::string, const Symbol*, std::less<>> attributes_;
  std::map<std::string, std::map<std::string, const Symbol*, std::less<>>, std::less<>> event_fields_;
  // Per module: the modules its imports name, and its top-level declarations.
  std::map<const Module*, std::vector<const Module*>> imports_;
  // Per module: `import ... as alias` names, for qualified references such as `policy.vip`.
  std::map<const Module*, std::map<std::string, const Module*, std::less<>>> aliases_;
  std::map<const Module*, std::map<std::string, const Symbol*, std::less<>>> module_scopes_;
  // Per scenario: its step labels.
  std::map<const ast::ScenarioDecl*, std::map<std::string, const ast::Step*, std::less<>>> labels_;

  std::map<const ast::KpiDecl*, std::optional<Type>> kpi_types_;
  // Schemas by name, and the source that describes each.
  std::map<std::string, const ast::SchemaDecl*, std::less<>> schemas_;
  std::map<std::string, const ast::SourceDecl*, std::less<>> described_schemas_;
  // Standard declarations set aside, with the names they miss; reported once per use site.
  std::map<const ast::Decl*, std::vector<std::string>> unavailable_;
  std::string schema_name_;
  std::set<const Symbol*> cost_currency_checked_;  // nullopt while being computed

  std::shared_ptr<const SourceFile> current_file_;
  // Names reported unknown, per file: a misspelt name used five times is one mistake, said once.
  std::set<std::pair<const SourceFile*, std::string>> unknown_names_;
  ProgramInfo* current_program_ = nullptr;
};

}  // namespace relc::sema
