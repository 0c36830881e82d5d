// The lowering's internals, shared by the files of compiler/ir (not part of its interface).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "graph/scenario_graph.h"
#include "ir/ir.h"
#include "ir/lower.h"

namespace relc::ir {

struct Scope;

// A parameter's argument, lowered where the call was written.
struct Binding {
  const ast::Expr* expr = nullptr;
  std::shared_ptr<const Scope> scope;
};

struct Scope {
  bool customer = false;           // customer attributes and measures may be read
  int32_t event_type = -1;         // inside an event filter: that event's fields
  const std::map<std::string, int32_t>* steps = nullptr;  // step labels of the scenario
  int32_t ranking_base = -1;       // the panel a `top` ranks within (-1: every customer)
  std::map<std::string, Binding> bindings;  // parameters of the panel, KPI or function inlined
};

class Lowerer {
 public:
  Lowerer(const sema::SemanticModel& model, const sema::ProgramInfo& info, Program& out, DiagnosticSink& sink);

  void LowerProgram();
  bool failed() const { return failed_; }

  // lower_expr.cpp
  ExprId LowerExpr(const ast::Expr* expr, const Scope& scope);
  ExprId LowerCondition(const ast::Expr* expr, const Scope& scope);  // Bool, a null literal allowed
  int32_t LowerPanel(const ast::Expr* expr, const Scope& scope);

 private:
  // lower.cpp
  void LowerScenario(const ast::ScenarioDecl& decl);
  // `bound`: a template's parameters, bound to an instance's arguments (empty otherwise).
  void LowerSteps(Scenario& scenario, const graph::ScenarioGraph& built, const Scope& bound);
  void LowerSettings(Scenario& scenario, const ast::ScenarioDecl& decl, const Scope& bound);
  std::string BoundName(const std::string& name, const Scope& scope) const;
  WaitRoute LowerEvent(const ast::Expr* event, const Scope& scope);
  void LowerModel(const ast::ModelDecl& model);
  // A figure's interval (`within LOW..HIGH`), when it states one.
  void LowerInterval(const ast::Property& property, ResponseRate& rate);
  void LowerPolicies(const ast::ProgramDecl& program);
  void LowerChannelConsents();
  void LowerChannelsAndModels();
  // A literal in canonical units (cents, seconds, 0.2 for 20 %); nullopt if not a literal.
  std::optional<double> Literal(const ast::Expr* expr) const;
  int32_t LowerPanelDecl(const ast::PanelDecl& decl, const std::vector<ast::Argument>* arguments, const Scope& caller);
  WaitRoute LowerRoute(const ast::WaitRoute& route, const Scope& scope);
  const ast::Expr* GoalEvent() const;

  // Runs `work` with diagnostics pointing into `file` (a declaration of another file), then back.
  template <typename Work>
  void InFile(std::shared_ptr<const SourceFile> file, Work&& work) {
    std::swap(file_, file);
    work();
    std::swap(file_, file);
  }

  template <typename... Args>
  DiagnosticBuilder Emit(DiagnosticKind kind, SourceRange range, const Args&... args) {
    failed_ = failed_ || Info(kind).severity == Severity::Error;  // a warning still lowers
    return DiagnosticEmitter(file_, sink_).Emit(kind, range, args...);
  }

  // lower_expr.cpp
  ExprId LowerName(const ast::Expr& expr, const sema::Symbol& symbol, const Scope& scope);
  ExprId LowerCall(const ast::CallExpr& call, const Scope& scope);
  ExprId LowerBinary(const ast::BinaryExpr& binary, const Scope& scope);
  ExprId LowerArithmetic(const ast::BinaryExpr& binary, const Scope& scope);
  ExprId LowerComparison(ast::BinaryOp op, const ast::Expr& left, const ast::Expr& right, const Scope& scope,
                         const ast::Expr& whole);
  ExprId LowerAggregate(AggregateKind kind, const ast::Expr& argument, const Scope& scope);
  ExprId LowerRanking(const ast::BinaryExpr& binary, const Scope& scope);
  ExprId LowerConsent(std::string_view channel, const Scope& scope);
  void BindArguments(const std::vector<ast::Parameter>& parameters, const std::vector<ast::Argument>& arguments,
                     const Scope& caller, Scope& inner);
  ExprId LowerInlined(const ast::Expr* body, const std::vector<ast::Parameter>& parameters,
                      const std::vector<ast::Argument>& arguments, const Scope& caller, Scope inner);
  std::optional<ExprId> ExistenceTest(Op op, ExprId a, ExprId b);
  std::optional<ExprId> StringCompare(ast::BinaryOp op, const ast::Expr& left, const ast::Expr& right,
                                      const Scope& scope, const ast::Expr& whole);
  ExprId StringLiteralCode(ExprId column, std::string literal);

  // Node builders.
  ExprId Add(Node node);
  ExprId Constant(ValueType type, int64_t value);
  ExprId FloatConstant(double value);
  ExprId NullOf(ValueType type);
  ExprId Unary(Op op, ValueType type, ExprId a, uint8_t aux = 0);
  ExprId Binary(Op op, ValueType type, ExprId a, ExprId b);
  ExprId ToFloat(ExprId a);
  ExprId Coerce(ExprId a, ValueType type);
  ValueType TypeOf(ExprId id) const { return out_[id].type; }

  int32_t CustomerColumn(ColumnSlot::Source source, const std::string& name, Storage storage, double horizon = 0);
  int32_t EventColumn(const std::string& name, Storage storage);
  int32_t EventType(const std::string& name);
  int32_t Metric(const std::string& metric, const std::string& scenario, const std::string& step);
  int32_t AllCustomers();
  int32_t AddPanel(Panel panel);

  const sema::Type& SemaType(const ast::Expr* expr) const;
  const sema::Symbol* Reference(const ast::Expr* expr) const;
  // Reports REL0500 at `range` and returns a null of `type` so lowering can go on.
  ExprId NotCompiled(SourceRange range, std::string_view what, ValueType type = ValueType::Bool);

  const sema::SemanticModel& model_;
  const sema::ProgramInfo& info_;
  Program& out_;
  DiagnosticSink& sink_;
  bool failed_ = false;
  std::shared_ptr<const SourceFile> file_;  // of the declaration being lowered
  std::map<const ast::Decl*, std::shared_ptr<const SourceFile>> decl_files_;

  // The data contract in force: customer attributes and each event's fields, with their types.
  std::map<std::string, std::string, std::less<>> attribute_types_;
  std::map<std::string, std::map<std::string, std::string, std::less<>>, std::less<>> event_fields_;
  const ast::ObjectiveDecl* objective_ = nullptr;

  std::map<std::string, int32_t> column_slots_, event_column_slots_, metric_slots_, event_type_slots_;
  std::map<std::string, int32_t> panels_by_key_;  // a declaration and its arguments, as written
  std::set<const ast::PanelDecl*> panels_in_progress_;
  int32_t all_customers_ = -1;
  std::map<std::string, int32_t> scenario_steps_;  // labels of the scenario being lowered
  std::set<const ast::KpiDecl*> used_kpis_;        // KPIs the program's formulas name
};

// Integer and float representations of literals and types, shared by the lowering files.
ValueType ReprOf(const sema::Type& type);
Storage StorageOf(std::string_view schema_type);

}  // namespace relc::ir
