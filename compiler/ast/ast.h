// relc's abstract syntax tree.
//
// Built by compiler/syntax from the parse tree; every later phase reads only this. Each node
// carries its byte range in the source. Nodes are owned through unique_ptr; kinds are tagged so
// that passes can switch on them, and As<T>() checks the tag before a cast.
#pragma once

#include <cassert>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "source/source_file.h"

namespace relc::ast {

struct Identifier {
  std::string name;
  SourceRange range;
};

struct StringLiteralValue {
  std::string value;  // escapes resolved, UTF-8 kept as written
  SourceRange range;
};

// ---------------------------------------------------------------------------------------------
// Expressions

enum class ExprKind {
  Number,       // 12, 0.5, 30 days, 15 EUR, 20%
  String,
  Date,         // 2026-12-01
  DateTime,     // 2026-12-01T09:00
  TimeOfDay,    // 21:00
  Bool,
  Null,
  List,         // [email, sms]
  Name,
  Member,       // a.b
  Call,         // f(x, key: y)
  Unary,
  Binary,
  Conditional,  // if c then a else b
};

struct Expr {
  ExprKind kind;
  SourceRange range;
  explicit Expr(ExprKind kind) : kind(kind) {}
  virtual ~Expr() = default;

  template <typename T>
  const T* As() const {
    return kind == T::kKind ? static_cast<const T*>(this) : nullptr;
  }
  template <typename T>
  T* As() {
    return kind == T::kKind ? static_cast<T*>(this) : nullptr;
  }
};
using ExprPtr = std::unique_ptr<Expr>;

struct NumberLiteral : Expr {
  static constexpr ExprKind kKind = ExprKind::Number;
  NumberLiteral() : Expr(kKind) {}
  std::string digits;  // as written: "0.002"
  double value = 0;
  bool percent = false;
  std::optional<Identifier> unit;  // days, h, EUR, messages...
};

struct StringLiteral : Expr {
  static constexpr ExprKind kKind = ExprKind::String;
  StringLiteral() : Expr(kKind) {}
  std::string value;
};

struct DateLiteral : Expr {
  static constexpr ExprKind kKind = ExprKind::Date;
  DateLiteral() : Expr(kKind) {}
  int year = 0, month = 0, day = 0;
};

struct DateTimeLiteral : Expr {
  static constexpr ExprKind kKind = ExprKind::DateTime;
  DateTimeLiteral() : Expr(kKind) {}
  int year = 0, month = 0, day = 0, hour = 0, minute = 0;
};

struct TimeOfDayLiteral : Expr {
  static constexpr ExprKind kKind = ExprKind::TimeOfDay;
  TimeOfDayLiteral() : Expr(kKind) {}
  int hour = 0, minute = 0;
};

struct BoolLiteral : Expr {
  static constexpr ExprKind kKind = ExprKind::Bool;
  BoolLiteral() : Expr(kKind) {}
  bool value = false;
};

struct NullLiteral : Expr {
  static constexpr ExprKind kKind = ExprKind::Null;
  NullLiteral() : Expr(kKind) {}
};

struct ListExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::List;
  ListExpr() : Expr(kKind) {}
  std::vector<ExprPtr> elements;
};

struct NameExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::Name;
  NameExpr() : Expr(kKind) {}
  std::string name;
};

struct MemberExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::Member;
  MemberExpr() : Expr(kKind) {}
  ExprPtr object;
  Identifier member;
};

struct Argument {
  std::optional<Identifier> name;  // `key:` for a named argument
  ExprPtr value;
};

struct CallExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::Call;
  CallExpr() : Expr(kKind) {}
  ExprPtr callee;
  std::vector<Argument> arguments;
};

enum class UnaryOp { Negate, Plus, Not, IsNull, IsNotNull };

struct UnaryExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::Unary;
  UnaryExpr() : Expr(kKind) {}
  UnaryOp op;
  ExprPtr operand;
};

enum class BinaryOp {
  Add, Subtract, Multiply, Divide,
  Less, LessEqual, Greater, GreaterEqual, Equal, NotEqual,
  And, Or,
  Range,        // 21:00..08:00
  In, NotIn,    // customer in vip
  InTop, InBottom,  // monetary in top 20%
  Within, WithinLast,  // purchase within last 90 days
  Where,        // customers where ...
  Union, Intersect, Except,
};

struct BinaryExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::Binary;
  BinaryExpr() : Expr(kKind) {}
  BinaryOp op;
  ExprPtr left;
  ExprPtr right;
  SourceRange op_range;
};

struct ConditionalExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::Conditional;
  ConditionalExpr() : Expr(kKind) {}
  ExprPtr condition;
  ExprPtr then_value;
  ExprPtr else_value;
};

// ---------------------------------------------------------------------------------------------
// Shared pieces of declarations

struct TypeRef {
  Identifier name;                  // money
  std::optional<Identifier> unit;   // money(EUR)
  SourceRange range;
};

struct Parameter {
  Identifier name;
  TypeRef type;
  ExprPtr default_value;  // may be null
  SourceRange range;
};

// `name = value`; a model's figure may state its 95 % interval: `converted = 2.10% within
// 1.69%..2.51%`, which `relc run --runs` draws the figure from.
struct Property {
  Identifier name;
  ExprPtr value;
  SourceRange range;
  ExprPtr low, high;  // the interval's bounds; null without one
};

// ---------------------------------------------------------------------------------------------
// Scenario steps

enum class StepKind { Send, Wait, Branch, Split, Set, Tag, Untag, Goto, Enter, Exit };

struct Step;
using StepPtr = std::unique_ptr<Step>;

// Where a transition leads: one inline step, or a braced sequence.
struct StepTarget {
  std::vector<StepPtr> steps;
  bool braced = false;
  SourceRange range;
};

struct Step {
  StepKind kind;
  std::optional<Identifier> label;
  SourceRange range;
  explicit Step(StepKind kind) : kind(kind) {}
  virtual ~Step() = default;

  template <typename T>
  const T* As() const {
    return kind == T::kKind ? static_cast<const T*>(this) : nullptr;
  }
};

struct SendStep : Step {
  static constexpr StepKind kKind = StepKind::Send;
  SendStep() : Step(kKind) {}
  Identifier channel;
  std::optional<StringLiteralValue> message;
  std::optional<Identifier> offer;
};

struct WaitRoute {
  ExprPtr event;                       // purchase, clicked(first), ...
  std::optional<Identifier> match_key; // matching cart_id
  StepTarget target;
  SourceRange range;
};

struct WaitStep : Step {
  static constexpr StepKind kKind = StepKind::Wait;
  WaitStep() : Step(kKind) {}
  bool until = false;  // `wait until X` rather than `wait DURATION`
  ExprPtr spec;
  std::vector<WaitRoute> routes;
};

struct BranchArm {
  ExprPtr condition;
  StepTarget target;
  SourceRange range;
};

struct BranchStep : Step {
  static constexpr StepKind kKind = StepKind::Branch;
  BranchStep() : Step(kKind) {}
  std::vector<BranchArm> arms;
  std::optional<StepTarget> otherwise;
};

struct SplitArm {
  ExprPtr weight;
  StepTarget target;
  SourceRange range;
};

struct WinnerRule {
  ExprPtr metric;
  ExprPtr after;
  SourceRange range;
};

struct SplitStep : Step {
  static constexpr StepKind kKind = StepKind::Split;
  SplitStep() : Step(kKind) {}
  std::vector<SplitArm> arms;
  std::optional<WinnerRule> winner;
};

struct SetStep : Step {
  static constexpr StepKind kKind = StepKind::Set;
  SetStep() : Step(kKind) {}
  std::vector<Identifier> path;
  ExprPtr value;
};

struct TagStep : Step {
  static constexpr StepKind kKind = StepKind::Tag;
  TagStep() : Step(kKind) {}
  StringLiteralValue tag;
};

struct UntagStep : Step {
  static constexpr StepKind kKind = StepKind::Untag;
  UntagStep() : Step(kKind) {}
  StringLiteralValue tag;
};

struct GotoStep : Step {
  static constexpr StepKind kKind = StepKind::Goto;
  GotoStep() : Step(kKind) {}
  Identifier target;
};

struct EnterStep : Step {
  static constexpr StepKind kKind = StepKind::Enter;
  EnterStep() : Step(kKind) {}
  Identifier scenario;
};

struct ExitStep : Step {
  static constexpr StepKind kKind = StepKind::Exit;
  ExitStep() : Step(kKind) {}
};

// ---------------------------------------------------------------------------------------------
// Scenario settings

enum class TriggerKind {
  EnterPanel,  // trigger enter dormant
  Event,       // trigger on cart_abandoned where value > 30 EUR
  Recurring,   // trigger every year on birth_date at 09:00
  Date,        // trigger at 2026-12-01T10:00
  Inactivity,  // trigger after 90 days without purchase
};

struct Trigger {
  TriggerKind kind;
  ExprPtr subject;                   // the panel, event, date or duration
  std::optional<Identifier> period;  // every <year>
  ExprPtr time_of_day;               // at 09:00 (recurring only; may be null)
  std::optional<Identifier> event;   // without <purchase>
  SourceRange range;
};

enum class ReentryKind { Once, OncePer, Always };

struct Reentry {
  ReentryKind kind;
  ExprPtr period;  // OncePer only
  SourceRange range;
};

// ---------------------------------------------------------------------------------------------
// Declarations

enum class DeclKind {
  Program, Priority, Objective, Panel, Pressure, Consent, Holdout, Offer, Channel, Scenario,
  Kpi, Expect, Model, Schema, Source, Function,
};

struct Decl {
  DeclKind kind;
  SourceRange range;
  std::string doc;  // from `///` lines just above
  explicit Decl(DeclKind kind) : kind(kind) {}
  virtual ~Decl() = default;

  template <typename T>
  const T* As() const {
    return kind == T::kKind ? static_cast<const T*>(this) : nullptr;
  }
};
using DeclPtr = std::unique_ptr<Decl>;

struct ProgramDecl : Decl {
  static constexpr DeclKind kKind = DeclKind::Program;
  ProgramDecl() : Decl(kKind) {}
  StringLiteralValue title;
  std::vector<DeclPtr> members;
};

struct PriorityDecl : Decl {
  static constexpr DeclKind kKind = DeclKind::Priority;
  PriorityDecl() : Decl(kKind) {}
  ExprPtr value;
};

enum class ObjectiveItemKind { Goal, Target };

struct ObjectiveItem {
  ObjectiveItemKind kind;
  ExprPtr value;
  SourceRange range;
};

struct ObjectiveDecl : Decl {
  static constexpr DeclKind kKind = DeclKind::Objective;
  ObjectiveDecl() : Decl(kKind) {}
  Identifier name;
  std::vector<ObjectiveItem> items;
};

struct PanelDecl : Decl {
  static constexpr DeclKind kKind = DeclKind::Panel;
  PanelDecl() : Decl(kKind) {}
  Identifier name;
  std::optional<std::vector<Parameter>> parameters;
  ExprPtr definition;
};

enum class PressureRuleKind {
  Cap,          // at most 2 messages per 7 days [across programs]
  MinimumGap,   // at least 2 days between messages
  QuietHours,   // quiet hours 21:00..08:00 [then defer|drop]
  WhenCapped,   // when capped then skip|exit
};

struct PressureRule {
  PressureRuleKind kind;
  ExprPtr amount;   // Cap: the count; MinimumGap: the gap; QuietHours: the range
  ExprPtr period;   // Cap only
  bool across_programs = false;
  std::optional<Identifier> word;  // MinimumGap: `messages`; QuietHours/WhenCapped: the action
  SourceRange range;
};

struct PressureDecl : Decl {
  static constexpr DeclKind kKind = DeclKind::Pressure;
  PressureDecl() : Decl(kKind) {}
  std::vector<PressureRule> rules;
};

struct ConsentRule {
  Identifier channel;
  ExprPtr condition;  // null means `always`
  SourceRange range;
};

struct ConsentDecl : Decl {
  static constexpr DeclKind kKind = DeclKind::Consent;
  ConsentDecl() : Decl(kKind) {}
  bool braced = false;
  std::vector<ConsentRule> rules;
};

struct HoldoutDecl : Decl {
  static constexpr DeclKind kKind = DeclKind::Holdout;
  HoldoutDecl() : Decl(kKind) {}
  ExprPtr share;
};

struct OfferDecl : Decl {
  static constexpr DeclKind kKind = DeclKind::Offer;
  OfferDecl() : Decl(kKind) {}
  Identifier name;
  Identifier offer_kind;  // discount, trial, free_shipping, ...
  ExprPtr value;          // may be null
  std::optional<std::vector<Property>> properties;
};

struct ChannelDecl : Decl {
  static constexpr DeclKind kKind = DeclKind::Channel;
  ChannelDecl() : Decl(kKind) {}
  Identifier name;
  std::vector<Property> properties;
};

struct ScenarioDecl : Decl {
  static constexpr DeclKind kKind = DeclKind::Scenario;
  ScenarioDecl() : Decl(kKind) {}
  Identifier name;
  std::optional<std::vector<Parameter>> parameters;
  ExprPtr instance_of;  // `scenario x = template(...)`; null for a block
  std::vector<Trigger> triggers;
  std::vector<Reentry> reentry;
  std::vector<ExprPtr> audiences;
  std::vector<ExprPtr> exit_criteria;
  std::vector<ExprPtr> holdouts;
  std::vector<ExprPtr> priorities;
  std::vector<StepPtr> steps;
  SourceRange open_brace;
};

struct KpiDecl : Decl {
  static constexpr DeclKind kKind = DeclKind::Kpi;
  KpiDecl() : Decl(kKind) {}
  Identifier name;
  std::optional<std::vector<Parameter>> parameters;
  ExprPtr formula;
};

struct ExpectDecl : Decl {
  static constexpr DeclKind kKind = DeclKind::Expect;
  ExpectDecl() : Decl(kKind) {}
  ExprPtr condition;
  std::optional<StringLiteralValue> message;
};

struct ModelResponse {
  Identifier channel;
  std::optional<StringLiteralValue> message;
  ExprPtr segment;  // for <panel>; may be null
  std::vector<Property> properties;
  SourceRange range;
};

// What customers buy anyway: `baseline [for <panel>] { converted = ...; basket = ...; window = ... }`.
struct ModelBaseline {
  ExprPtr segment;  // may be null
  std::vector<Property> properties;
  SourceRange range;
};

struct ModelDecl : Decl {
  static constexpr DeclKind kKind = DeclKind::Model;
  ModelDecl() : Decl(kKind) {}
  Identifier name;
  std::vector<ModelResponse> responses;
  std::vector<ModelBaseline> baselines;
  std::vector<Property> properties;
};

enum class FieldModifier { Key, Optional, Required };

struct SchemaField {
  Identifier name;
  TypeRef type;
  std::vector<FieldModifier> modifiers;
  std::string doc;
  SourceRange range;
};

struct SchemaEntity {
  bool is_event = false;
  Identifier name;  // `customer`, or the event's name
  std::vector<SchemaField> fields;
  std::string doc;
  SourceRange range;
};

struct SchemaDecl : Decl {
  static constexpr DeclKind kKind = DeclKind::Schema;
  SchemaDecl() : Decl(kKind) {}
  Identifier name;
  std::vector<SchemaEntity> entities;
};

// `table lines from "lines.csv" { time_zone = "Europe/London" }`: a file of the data folder, or a
// table or view of a database, with how its text is written.
struct SourceTable {
  Identifier name;
  StringLiteralValue location;
  std::vector<Property> options;
  std::string doc;
  SourceRange range;
};

// `event purchase from lines when ... by InvoiceNo { amount = sum(Quantity * UnitPrice) }`: how
// the customer or an event is read from a table's rows, one per row or one per group.
struct SourceEntity {
  bool is_event = false;
  Identifier name;   // `customer`, or the event's name
  Identifier table;
  ExprPtr when;      // which rows; may be null (all)
  ExprPtr group_by;  // may be null (one per row)
  std::vector<Property> fields;
  std::string doc;
  SourceRange range;
};

struct SourceDecl : Decl {
  static constexpr DeclKind kKind = DeclKind::Source;
  SourceDecl() : Decl(kKind) {}
  Identifier name;
  Identifier schema;
  std::vector<SourceTable> tables;
  std::vector<SourceEntity> entities;
};

struct FunctionDecl : Decl {
  static constexpr DeclKind kKind = DeclKind::Function;
  FunctionDecl() : Decl(kKind) {}
  bool native = false;
  Identifier name;
  std::vector<Parameter> parameters;
  TypeRef result;
  ExprPtr body;  // null when native
};

// ---------------------------------------------------------------------------------------------
// A whole file

struct Import {
  bool is_file = false;           // import "./x.rel" rather than import std.x
  std::vector<Identifier> path;   // std.channels
  StringLiteralValue file;        // ./x.rel
  std::optional<Identifier> alias;
  SourceRange range;
};

struct Module {
  std::vector<Import> imports;
  std::vector<DeclPtr> decls;
};

}  // namespace relc::ast
