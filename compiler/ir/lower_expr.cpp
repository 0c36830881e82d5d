// Lowering expressions: names to column, metric and panel slots, units to machine values,
// event history to aggregates, rankings to panels of their own.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "diagnostics/diagnostic.h"
#include "ir/frame.h"
#include "ir/lowerer.h"
#include "sema/types.h"

namespace relc::ir {
namespace {

using sema::TypeKind;

constexpr double kDaySeconds = 86400;

Op ComparisonOp(ast::BinaryOp op) {
  switch (op) {
    case ast::BinaryOp::Less: return Op::Less;
    case ast::BinaryOp::LessEqual: return Op::LessEqual;
    case ast::BinaryOp::Greater: return Op::Greater;
    case ast::BinaryOp::GreaterEqual: return Op::GreaterEqual;
    case ast::BinaryOp::NotEqual: return Op::NotEqual;
    default: return Op::Equal;
  }
}

// The string a channel name or string literal stands for, when compared with a column.
std::optional<std::string> LiteralText(const ast::Expr& expr, const sema::Symbol* symbol) {
  if (auto* string = expr.As<ast::StringLiteral>()) return string->value;
  if (symbol != nullptr && symbol->kind == sema::SymbolKind::Channel) return symbol->name;
  return std::nullopt;
}

}  // namespace

ValueType ReprOf(const sema::Type& type) {
  switch (type.kind) {
    case TypeKind::Bool: return ValueType::Bool;
    case TypeKind::Decimal:
    case TypeKind::Percentage:
    case TypeKind::Duration: return ValueType::Float;
    default: return ValueType::Int;
  }
}

Storage StorageOf(std::string_view schema_type) {
  if (schema_type == "decimal" || schema_type == "number" || schema_type == "percentage") return Storage::Doubles;
  if (schema_type == "string" || schema_type == "channel") return Storage::Codes;
  if (schema_type == "bool") return Storage::Bits;
  return Storage::Ints;
}

ExprId Lowerer::LowerCondition(const ast::Expr* expr, const Scope& scope) {
  return Coerce(LowerExpr(expr, scope), ValueType::Bool);
}

ExprId Lowerer::LowerExpr(const ast::Expr* expr, const Scope& scope) {
  const sema::Type& type = SemaType(expr);
  switch (expr->kind) {
    case ast::ExprKind::Number: {
      auto* number = expr->As<ast::NumberLiteral>();
      switch (type.kind) {
        case TypeKind::Integer: return Constant(ValueType::Int, static_cast<int64_t>(number->value));
        case TypeKind::Percentage: return FloatConstant(number->value / 100);
        case TypeKind::Money: return Constant(ValueType::Int, std::llround(number->value * 100));
        case TypeKind::Duration: {
          auto unit = sema::ParseUnit(number->unit->name);
          return FloatConstant(number->value * unit->seconds);
        }
        default: return FloatConstant(number->value);
      }
      break;
    }
    case ast::ExprKind::Date: {
      auto* date = expr->As<ast::DateLiteral>();
      return Constant(ValueType::Int, relc_days_from_civil(date->year, date->month, date->day));
    }
    case ast::ExprKind::DateTime: {
      auto* time = expr->As<ast::DateTimeLiteral>();
      int64_t days = relc_days_from_civil(time->year, time->month, time->day);
      return Constant(ValueType::Int, days * 86400 + time->hour * 3600 + time->minute * 60);
    }
    case ast::ExprKind::TimeOfDay: {
      auto* time = expr->As<ast::TimeOfDayLiteral>();
      return Constant(ValueType::Int, time->hour * 60 + time->minute);
    }
    case ast::ExprKind::Bool: return Constant(ValueType::Bool, expr->As<ast::BoolLiteral>()->value);
    case ast::ExprKind::Null: return NullOf(ValueType::Bool);
    case ast::ExprKind::Name:
    case ast::ExprKind::Member: {
      if (const sema::Symbol* symbol = Reference(expr)) return LowerName(*expr, *symbol, scope);
      if (auto* member = expr->As<ast::MemberExpr>()) {
        if (SemaType(member->object.get()).Is(TypeKind::Customer)) {
          auto it = attribute_types_.find(member->member.name);
          if (it != attribute_types_.end()) {
            int32_t slot = CustomerColumn(ColumnSlot::Source::Attribute, it->first, StorageOf(it->second));
            return Add(Node{.op = Op::CustomerColumn, .type = ReprOf(type), .slot = slot});
          }
          sema::Symbol measure{.kind = sema::SymbolKind::Measure, .name = member->member.name, .type = type};
          return LowerName(*expr, measure, scope);
        }
      }
      return NotCompiled(expr->range, "this value", ReprOf(type));
    }
    case ast::ExprKind::Call: return LowerCall(*expr->As<ast::CallExpr>(), scope);
    case ast::ExprKind::Binary: return LowerBinary(*expr->As<ast::BinaryExpr>(), scope);
    case ast::ExprKind::Unary: {
      auto* unary = expr->As<ast::UnaryExpr>();
      switch (unary->op) {
        case ast::UnaryOp::Not: return Unary(Op::Not, ValueType::Bool, LowerCondition(unary->operand.get(), scope));
        case ast::UnaryOp::IsNull: return Unary(Op::IsNull, ValueType::Bool, LowerExpr(unary->operand.get(), scope));
        case ast::UnaryOp::IsNotNull:
          return Unary(Op::Not, ValueType::Bool,
                       Unary(Op::IsNull, ValueType::Bool, LowerExpr(unary->operand.get(), scope)));
        case ast::UnaryOp::Plus: return LowerExpr(unary->operand.get(), scope);
        case ast::UnaryOp::Negate: {
          ExprId operand = LowerExpr(unary->operand.get(), scope);
          if (TypeOf(operand) == ValueType::Int) {
            return Binary(Op::Subtract, ValueType::Int, Constant(ValueType::Int, 0), operand);
          }
          return Unary(Op::Negate, ValueType::Float, operand);
        }
      }
      break;
    }
    case ast::ExprKind::Conditional: {
      auto* conditional = expr->As<ast::ConditionalExpr>();
      ValueType result = ReprOf(type);
      ExprId condition = LowerCondition(conditional->condition.get(), scope);
      ExprId then_value = Coerce(LowerExpr(conditional->then_value.get(), scope), result);
      ExprId else_value = Coerce(LowerExpr(conditional->else_value.get(), scope), result);
      return Add(Node{.op = Op::Select, .type = result, .a = condition, .b = then_value, .c = else_value});
    }
    case ast::ExprKind::String:
    case ast::ExprKind::List:
      break;
  }
  return NotCompiled(expr->range, "this expression on its own", ReprOf(type));
}

ExprId Lowerer::LowerName(const ast::Expr& expr, const sema::Symbol& symbol, const Scope& scope) {
  const std::string& name = symbol.name;
  ValueType type = ReprOf(symbol.type);
  switch (symbol.kind) {
    case sema::SymbolKind::Attribute: {
      if (scope.event_type >= 0) {
        const auto& fields = event_fields_[out_.event_types[scope.event_type]];
        if (auto it = fields.find(name); it != fields.end()) {
          return Add(Node{.op = Op::EventColumn, .type = type, .slot = EventColumn(name, StorageOf(it->second))});
        }
      }
      auto it = attribute_types_.find(name);
      if (it == attribute_types_.end()) return NotCompiled(expr.range, "this attribute", type);
      int32_t slot = CustomerColumn(ColumnSlot::Source::Attribute, name, StorageOf(it->second));
      return Add(Node{.op = Op::CustomerColumn, .type = type, .slot = slot});
    }
    case sema::SymbolKind::Measure: {
      Storage storage = Storage::Ints;
      ColumnSlot::Source source = ColumnSlot::Source::Measure;
      if (name == "recency" || name == "tenure" || name == "p_alive") storage = Storage::Doubles;
      if (name == "lifecycle") storage = Storage::Codes;
      if (name == "frequency") storage = Storage::Int32s;
      if (name == "unsubscribed") {
        source = ColumnSlot::Source::State;
        storage = Storage::Bits;
      }
      return Add(Node{.op = Op::CustomerColumn, .type = type, .slot = CustomerColumn(source, name, storage)});
    }
    case sema::SymbolKind::Constant:
      if (name == "now") return Add(Node{.op = Op::Now, .type = ValueType::Int});
      if (name == "today") return Unary(Op::DayOf, ValueType::Int, Add(Node{.op = Op::Now, .type = ValueType::Int}));
      break;
    case sema::SymbolKind::Metric: return Add(Node{.op = Op::Metric, .type = type, .slot = Metric(name, "", "")});
    case sema::SymbolKind::Kpi: {
      auto* kpi = symbol.decl ? symbol.decl->As<ast::KpiDecl>() : nullptr;
      if (kpi == nullptr) break;
      if (!kpi->parameters) used_kpis_.insert(kpi);
      static const std::vector<ast::Parameter> kNone;
      return LowerInlined(kpi->formula.get(), kpi->parameters ? *kpi->parameters : kNone, {}, scope, Scope{});
    }
    case sema::SymbolKind::Parameter: {
      auto it = scope.bindings.find(name);
      if (it == scope.bindings.end()) break;
      return LowerExpr(it->second.expr, *it->second.scope);
    }
    default:
      break;
  }
  return NotCompiled(expr.range, fmt::format("`{}` as a value here", name), type);
}

// Each parameter bound to its argument (by name, else by position), lowered where the call was
// written, or else to its default value.
void Lowerer::BindArguments(const std::vector<ast::Parameter>& parameters, const std::vector<ast::Argument>& arguments,
                            const Scope& caller, Scope& inner) {
  auto shared_caller = std::make_shared<const Scope>(caller);
  auto defaults = std::make_shared<const Scope>(Scope{});
  for (size_t i = 0; i < parameters.size(); ++i) {
    const ast::Parameter& parameter = parameters[i];
    const ast::Expr* value = nullptr;
    for (size_t j = 0; j < arguments.size(); ++j) {
      const ast::Argument& argument = arguments[j];
      if (argument.name ? argument.name->name == parameter.name.name : j == i) value = argument.value.get();
    }
    if (value != nullptr) {
      inner.bindings[parameter.name.name] = Binding{value, shared_caller};
    } else if (parameter.default_value) {
      inner.bindings[parameter.name.name] = Binding{parameter.default_value.get(), defaults};
    }
  }
}

ExprId Lowerer::LowerInlined(const ast::Expr* body, const std::vector<ast::Parameter>& parameters,
                             const std::vector<ast::Argument>& arguments, const Scope& caller, Scope inner) {
  BindArguments(parameters, arguments, caller, inner);
  return LowerExpr(body, inner);
}

ExprId Lowerer::LowerCall(const ast::CallExpr& call, const Scope& scope) {
  const sema::Symbol* symbol = Reference(call.callee.get());
  ValueType type = ReprOf(SemaType(&call));
  if (symbol == nullptr) return NotCompiled(call.range, "this call", type);
  const std::string& name = symbol->name;
  const ast::Expr* first = call.arguments.empty() ? nullptr : call.arguments[0].value.get();

  if (symbol->kind == sema::SymbolKind::Metric && first != nullptr) {
    // sent(winback), converted(winback.first), opened(first) inside a scenario's KPIs.
    const sema::Symbol* target = Reference(first);
    if (target != nullptr && target->kind == sema::SymbolKind::Scenario) {
      return Add(Node{.op = Op::Metric, .type = type, .slot = Metric(name, target->name, "")});
    }
    if (auto* member = first->As<ast::MemberExpr>()) {
      if (const sema::Symbol* scenario = Reference(member->object.get())) {
        return Add(Node{.op = Op::Metric, .type = type, .slot = Metric(name, scenario->name, member->member.name)});
      }
    }
    return NotCompiled(call.range, "this metric", type);
  }
  if (symbol->kind == sema::SymbolKind::Kpi && symbol->decl != nullptr) {
    auto* kpi = symbol->decl->As<ast::KpiDecl>();
    return LowerInlined(kpi->formula.get(), *kpi->parameters, call.arguments, scope, Scope{});
  }
  if (symbol->kind != sema::SymbolKind::Function) return NotCompiled(call.range, "this call", type);
  if (symbol->decl != nullptr) {
    auto* function = symbol->decl->As<ast::FunctionDecl>();
    if (function == nullptr || function->body == nullptr) return NotCompiled(call.range, "a native function", type);
    Scope inner;
    inner.customer = scope.customer;
    inner.event_type = scope.event_type;
    return Coerce(LowerInlined(function->body.get(), function->parameters, call.arguments, scope, inner), type);
  }

  if (name == "count") return LowerAggregate(AggregateKind::Count, *first, scope);
  if (name == "exists") return LowerAggregate(AggregateKind::Exists, *first, scope);
  if (name == "sum" || name == "min" || name == "max") {
    auto kind = name == "sum" ? AggregateKind::Sum : name == "min" ? AggregateKind::Min : AggregateKind::Max;
    return Coerce(LowerAggregate(kind, *first, scope), type);
  }
  if (name == "avg") {
    ExprId mean = LowerAggregate(AggregateKind::Average, *first, scope);
    return type == ValueType::Int ? Unary(Op::RoundToInt, ValueType::Int, mean) : mean;
  }
  if (name == "consent") {
    const sema::Symbol* channel = Reference(first);
    if (channel == nullptr) return NotCompiled(first->range, "a computed channel");
    return LowerConsent(channel->name, scope);
  }
  if (name == "delivered" || name == "opened" || name == "clicked" || name == "converted") {
    auto* label = first->As<ast::NameExpr>();
    if (scope.steps == nullptr || label == nullptr || !scope.steps->contains(label->name)) {
      return NotCompiled(call.range, "a response outside its scenario's steps");
    }
    Outcome outcome = name == "delivered" ? Outcome::Delivered
                      : name == "opened"  ? Outcome::Opened
                      : name == "clicked" ? Outcome::Clicked
                                          : Outcome::Converted;
    return Add(Node{.op = Op::StepOutcome, .type = ValueType::Bool, .aux = static_cast<uint8_t>(outcome),
                    .slot = scope.steps->at(label->name)});
  }
  if (name == "month" || name == "year" || name == "day_of_week") {
    ExprId days = LowerExpr(first, scope);
    if (SemaType(first).Is(TypeKind::DateTime)) days = Unary(Op::DayOf, ValueType::Int, days);
    CalendarField field = name == "month" ? CalendarField::Month : name == "year" ? CalendarField::Year : CalendarField::DayOfWeek;
    return Unary(Op::Calendar, ValueType::Int, days, static_cast<uint8_t>(field));
  }
  if (name == "clv" || name == "expected_purchases") {
    auto* horizon = first->As<ast::NumberLiteral>();
    if (horizon == nullptr) return NotCompiled(first->range, "a horizon that is not a literal duration", type);
    double days = horizon->value * sema::ParseUnit(horizon->unit->name)->seconds / kDaySeconds;
    int32_t slot = CustomerColumn(ColumnSlot::Source::Measure, name, name == "clv" ? Storage::Ints : Storage::Doubles, days);
    return Add(Node{.op = Op::CustomerColumn, .type = type, .slot = slot});
  }
  return NotCompiled(call.range, fmt::format("`{}`", name), type);
}

// consent(channel): the program's rule for the channel, and no unsubscribe from it since.
ExprId Lowerer::LowerConsent(std::string_view channel, const Scope& scope) {
  ExprId allowed = kNoExpr;
  for (const ast::ConsentRule* rule : info_.consent_rules) {
    if (rule->channel.name != channel) continue;
    Scope customer;
    customer.customer = true;
    customer.bindings = scope.bindings;
    allowed = rule->condition ? LowerCondition(rule->condition.get(), customer) : Constant(ValueType::Bool, 1);
    break;
  }
  if (allowed == kNoExpr) return Constant(ValueType::Bool, 0);
  int32_t revoked = CustomerColumn(ColumnSlot::Source::State, fmt::format("revoked:{}", channel), Storage::Bits);
  ExprId still = Unary(Op::Not, ValueType::Bool, Add(Node{.op = Op::CustomerColumn, .type = ValueType::Bool, .slot = revoked}));
  return Binary(Op::And, ValueType::Bool, allowed, still);
}

ExprId Lowerer::LowerAggregate(AggregateKind kind, const ast::Expr& argument, const Scope& scope) {
  // Peel `within last D`, `.field` and `where C` down to the event's name.
  const ast::Expr* expr = &argument;
  ExprId window = kNoExpr;
  const ast::Expr* filter = nullptr;
  std::string field;
  for (;;) {
    auto* binary = expr->As<ast::BinaryExpr>();
    if (binary != nullptr && (binary->op == ast::BinaryOp::WithinLast || binary->op == ast::BinaryOp::Within)) {
      if (binary->op == ast::BinaryOp::Within) return NotCompiled(binary->op_range, "`within` without `last` in a condition");
      window = Coerce(LowerExpr(binary->right.get(), scope), ValueType::Float);
      expr = binary->left.get();
      continue;
    }
    if (auto* member = expr->As<ast::MemberExpr>(); member != nullptr && field.empty() &&
                                                    SemaType(member->object.get()).Is(TypeKind::Event)) {
      field = member->member.name;
      expr = member->object.get();
      continue;
    }
    if (binary != nullptr && binary->op == ast::BinaryOp::Where && filter == nullptr) {
      filter = binary->right.get();
      expr = binary->left.get();
      continue;
    }
    break;
  }
  const sema::Symbol* event = Reference(expr);
  if (event == nullptr || event->kind != sema::SymbolKind::Event) {
    return NotCompiled(expr->range, "this stream of events", kind == AggregateKind::Exists ? ValueType::Bool : ValueType::Int);
  }
  Node node{.op = Op::Aggregate, .aux = static_cast<uint8_t>(kind), .slot = EventType(event->name)};
  Scope inner = scope;
  inner.event_type = node.slot;
  inner.customer = true;
  if (filter != nullptr) node.a = LowerCondition(filter, inner);
  node.c = window;
  node.type = kind == AggregateKind::Exists ? ValueType::Bool : kind == AggregateKind::Count ? ValueType::Int : ValueType::Float;
  if (!field.empty()) {
    auto fields = event_fields_[event->name];
    auto it = fields.find(field);
    if (it == fields.end()) return NotCompiled(argument.range, "this field");
    Storage storage = StorageOf(it->second);
    ValueType value_type = storage == Storage::Doubles ? ValueType::Float : ValueType::Int;
    node.b = Add(Node{.op = Op::EventColumn, .type = value_type, .slot = EventColumn(field, storage)});
    if (kind == AggregateKind::Sum || kind == AggregateKind::Min || kind == AggregateKind::Max) node.type = value_type;
  } else if (kind != AggregateKind::Count && kind != AggregateKind::Exists) {
    return NotCompiled(argument.range, "an aggregate without a field", ValueType::Float);
  }
  return Add(node);
}

ExprId Lowerer::LowerBinary(const ast::BinaryExpr& binary, const Scope& scope) {
  using ast::BinaryOp;
  switch (binary.op) {
    case BinaryOp::And:
    case BinaryOp::Or:
      return Binary(binary.op == BinaryOp::And ? Op::And : Op::Or, ValueType::Bool, LowerCondition(binary.left.get(), scope),
                    LowerCondition(binary.right.get(), scope));
    case BinaryOp::Less:
    case BinaryOp::LessEqual:
    case BinaryOp::Greater:
    case BinaryOp::GreaterEqual:
    case BinaryOp::Equal:
    case BinaryOp::NotEqual:
      return LowerComparison(binary.op, *binary.left, *binary.right, scope, binary);
    case BinaryOp::In:
    case BinaryOp::NotIn: {
      ExprId result = kNoExpr;
      if (auto* list = binary.right->As<ast::ListExpr>()) {
        for (const auto& element : list->elements) {
          ExprId equal = LowerComparison(BinaryOp::Equal, *binary.left, *element, scope, binary);
          result = result == kNoExpr ? equal : Binary(Op::Or, ValueType::Bool, result, equal);
        }
        if (result == kNoExpr) result = Constant(ValueType::Bool, 0);
      } else {
        int32_t panel = LowerPanel(binary.right.get(), scope);
        result = Add(Node{.op = Op::InPanel, .type = ValueType::Bool, .slot = panel});
      }
      return binary.op == BinaryOp::In ? result : Unary(Op::Not, ValueType::Bool, result);
    }
    case BinaryOp::InTop:
    case BinaryOp::InBottom:
      return LowerRanking(binary, scope);
    case BinaryOp::Add:
    case BinaryOp::Subtract:
    case BinaryOp::Multiply:
    case BinaryOp::Divide:
      return LowerArithmetic(binary, scope);
    default:
      return NotCompiled(binary.range, "this operator in a value", ReprOf(SemaType(&binary)));
  }
}

ExprId Lowerer::LowerArithmetic(const ast::BinaryExpr& binary, const Scope& scope) {
  const sema::Type& left_type = SemaType(binary.left.get());
  const sema::Type& right_type = SemaType(binary.right.get());
  const sema::Type& result_type = SemaType(&binary);
  ExprId left = LowerExpr(binary.left.get(), scope);
  ExprId right = LowerExpr(binary.right.get(), scope);
  ValueType result = ReprOf(result_type);
  bool dated_left = left_type.Is(TypeKind::Date) || left_type.Is(TypeKind::DateTime);
  bool dated_right = right_type.Is(TypeKind::Date) || right_type.Is(TypeKind::DateTime);
  Op op = binary.op == ast::BinaryOp::Add        ? Op::Add
          : binary.op == ast::BinaryOp::Subtract ? Op::Subtract
          : binary.op == ast::BinaryOp::Multiply ? Op::Multiply
                                                 : Op::Divide;

  // A date moved by a duration: whole days for a date, seconds for a date-time.
  auto shift = [&](ExprId dated, const sema::Type& dated_type, ExprId duration) {
    ExprId amount = dated_type.Is(TypeKind::Date) ? Binary(Op::Divide, ValueType::Float, duration, FloatConstant(kDaySeconds)) : duration;
    return Binary(op, ValueType::Int, dated, Unary(Op::RoundToInt, ValueType::Int, amount));
  };
  if (dated_left && right_type.Is(TypeKind::Duration)) return shift(left, left_type, right);
  if (dated_right && left_type.Is(TypeKind::Duration)) return shift(right, right_type, left);
  if (dated_left && dated_right) {  // a duration between two dates
    ExprId difference = ToFloat(Binary(Op::Subtract, ValueType::Int, left, right));
    return left_type.Is(TypeKind::Date) ? Binary(Op::Multiply, ValueType::Float, difference, FloatConstant(kDaySeconds)) : difference;
  }
  // Money scaled by a number is rounded back to the cent.
  if (result_type.Is(TypeKind::Money) && (op == Op::Multiply || op == Op::Divide)) {
    return Unary(Op::RoundToInt, ValueType::Int, Binary(op, ValueType::Float, ToFloat(left), ToFloat(right)));
  }
  if (op == Op::Divide) return Binary(Op::Divide, ValueType::Float, ToFloat(left), ToFloat(right));
  if (result == ValueType::Int && TypeOf(left) == ValueType::Int && TypeOf(right) == ValueType::Int) {
    return Binary(op, ValueType::Int, left, right);
  }
  return Binary(op, ValueType::Float, ToFloat(left), ToFloat(right));
}

ExprId Lowerer::LowerComparison(ast::BinaryOp op, const ast::Expr& left, const ast::Expr& right, const Scope& scope,
                                const ast::Expr& whole) {
  bool left_null = left.As<ast::NullLiteral>() != nullptr, right_null = right.As<ast::NullLiteral>() != nullptr;
  if (left_null || right_null) {
    ExprId is_null = left_null && right_null ? Constant(ValueType::Bool, 1)
                                             : Unary(Op::IsNull, ValueType::Bool, LowerExpr(left_null ? &right : &left, scope));
    return op == ast::BinaryOp::NotEqual ? Unary(Op::Not, ValueType::Bool, is_null) : is_null;
  }
  if (auto strings = StringCompare(op, left, right, scope, whole)) return *strings;
  ExprId a = LowerExpr(&left, scope);
  ExprId b = LowerExpr(&right, scope);
  if (auto test = ExistenceTest(ComparisonOp(op), a, b)) return *test;
  if (TypeOf(a) != TypeOf(b)) {
    a = ToFloat(a);
    b = ToFloat(b);
  }
  return Binary(ComparisonOp(op), ValueType::Bool, a, b);
}

// `count(e) == 0`, `count(e) > 0` and the like only ask whether there is one such event: as
// `exists`, evaluation stops at the first, and a customer's latest event can answer alone
// (Frame::latest_event_times), which is what makes dormancy panels cheap over millions.
std::optional<ExprId> Lowerer::ExistenceTest(Op op, ExprId a, ExprId b) {
  auto is_count = [&](ExprId id) {
    const Node& node = out_[id];
    return node.op == Op::Aggregate && static_cast<AggregateKind>(node.aux) == AggregateKind::Count;
  };
  auto is_int = [&](ExprId id) { return out_[id].op == Op::Constant && out_[id].type == ValueType::Int; };
  if (is_int(a) && is_count(b)) {  // `0 < count(e)`: the count on the left
    std::swap(a, b);
    op = op == Op::Less ? Op::Greater : op == Op::Greater ? Op::Less : op == Op::LessEqual ? Op::GreaterEqual
       : op == Op::GreaterEqual ? Op::LessEqual : op;
  }
  if (!is_count(a) || !is_int(b)) return std::nullopt;
  const int64_t k = out_[b].int_value;
  bool some = (op == Op::NotEqual && k == 0) || (op == Op::Greater && k == 0) || (op == Op::GreaterEqual && k == 1);
  bool none = (op == Op::Equal && k == 0) || (op == Op::Less && k == 1) || (op == Op::LessEqual && k == 0);
  if (!some && !none) return std::nullopt;
  Node exists = out_[a];
  exists.aux = static_cast<uint8_t>(AggregateKind::Exists);
  exists.type = ValueType::Bool;
  ExprId test = Add(exists);
  return some ? test : Unary(Op::Not, ValueType::Bool, test);
}

// A string column against a literal compares dictionary codes; two columns of strings would
// need one dictionary for both, which the store does not keep.
std::optional<ExprId> Lowerer::StringCompare(ast::BinaryOp op, const ast::Expr& left, const ast::Expr& right,
                                             const Scope& scope, const ast::Expr& whole) {
  auto stringy = [&](const ast::Expr& e) {
    const sema::Type& t = SemaType(&e);
    return t.Is(TypeKind::String) || t.Is(TypeKind::Channel);
  };
  if (!stringy(left) && !stringy(right)) return std::nullopt;
  // A parameter stands for its argument: `lifecycle == stage` with `stage: "loyal"`.
  auto argument_of = [&](const ast::Expr& e) -> const ast::Expr& {
    const ast::Expr* at = &e;
    const Scope* in = &scope;
    while (auto* name = at->As<ast::NameExpr>()) {
      auto it = in->bindings.find(name->name);
      if (it == in->bindings.end() || it->second.expr == nullptr) break;
      at = it->second.expr;
      in = it->second.scope.get();
    }
    return *at;
  };
  const ast::Expr& left_value = argument_of(left);
  const ast::Expr& right_value = argument_of(right);
  auto left_text = LiteralText(left_value, Reference(&left_value));
  auto right_text = LiteralText(right_value, Reference(&right_value));
  if (left_text && right_text) {
    bool equal = *left_text == *right_text;
    return Constant(ValueType::Bool, op == ast::BinaryOp::NotEqual ? !equal : equal);
  }
  if (!left_text && !right_text) return NotCompiled(whole.range, "a comparison of two string columns");
  if (op != ast::BinaryOp::Equal && op != ast::BinaryOp::NotEqual) return NotCompiled(whole.range, "ordering strings");
  ExprId column = LowerExpr(left_text ? &right : &left, scope);
  ExprId code = StringLiteralCode(column, left_text ? *left_text : *right_text);
  if (code == kNoExpr) return NotCompiled(whole.range, "this comparison of strings");
  return Binary(ComparisonOp(op), ValueType::Bool, column, code);
}

ExprId Lowerer::StringLiteralCode(ExprId column, std::string literal) {
  const Node& node = out_[column];
  if (node.op != Op::CustomerColumn && node.op != Op::EventColumn) return kNoExpr;
  StringSlot slot{.event = node.op == Op::EventColumn, .column = node.slot, .literal = std::move(literal)};
  auto it = std::find_if(out_.strings.begin(), out_.strings.end(), [&](const StringSlot& s) {
    return s.event == slot.event && s.column == slot.column && s.literal == slot.literal;
  });
  int32_t index = static_cast<int32_t>(it - out_.strings.begin());
  if (it == out_.strings.end()) out_.strings.push_back(std::move(slot));
  return Add(Node{.op = Op::StringCode, .type = ValueType::Int, .slot = index});
}

// `monetary in top 20%`: a panel of its own, ranked over the panel being filtered, whose
// membership the condition then reads.
ExprId Lowerer::LowerRanking(const ast::BinaryExpr& binary, const Scope& scope) {
  Ranking ranking;
  ranking.top = binary.op == ast::BinaryOp::InTop;
  Scope customer = scope;
  customer.customer = true;
  ranking.value = ToFloat(LowerExpr(binary.left.get(), customer));
  auto* amount = binary.right->As<ast::NumberLiteral>();
  if (amount == nullptr) return NotCompiled(binary.right->range, "a share that is not a literal");
  if (amount->percent) {
    ranking.share = amount->value / 100;
  } else {
    ranking.count = static_cast<int64_t>(amount->value);
  }
  ranking.threshold = out_.thresholds++;
  ExprId threshold = Add(Node{.op = Op::Threshold, .type = ValueType::Float, .slot = ranking.threshold});
  Panel panel;
  panel.kind = Panel::Kind::Filter;
  panel.left = scope.ranking_base;
  panel.condition =
      Binary(ranking.top ? Op::GreaterEqual : Op::LessEqual, ValueType::Bool, ranking.value, threshold);
  panel.rankings.push_back(ranking);
  return Add(Node{.op = Op::InPanel, .type = ValueType::Bool, .slot = AddPanel(std::move(panel))});
}

int32_t Lowerer::LowerPanel(const ast::Expr* expr, const Scope& scope) {
  const sema::Symbol* symbol = Reference(expr);
  if (auto* call = expr->As<ast::CallExpr>()) symbol = Reference(call->callee.get());
  if (symbol != nullptr) {
    if (symbol->kind == sema::SymbolKind::Constant && symbol->name == "customers") return AllCustomers();
    if (symbol->kind == sema::SymbolKind::Parameter) {
      auto it = scope.bindings.find(symbol->name);
      if (it != scope.bindings.end()) return LowerPanel(it->second.expr, *it->second.scope);
    }
    if (auto* decl = symbol->decl ? symbol->decl->As<ast::PanelDecl>() : nullptr) {
      auto* call = expr->As<ast::CallExpr>();
      return LowerPanelDecl(*decl, call ? &call->arguments : nullptr, scope);
    }
  }
  auto* binary = expr->As<ast::BinaryExpr>();
  if (binary != nullptr && binary->op == ast::BinaryOp::Where) {
    Panel panel;
    panel.kind = Panel::Kind::Filter;
    panel.left = LowerPanel(binary->left.get(), scope);
    Scope customer = scope;
    customer.customer = true;
    customer.ranking_base = panel.left;
    panel.condition = LowerCondition(binary->right.get(), customer);
    return AddPanel(std::move(panel));
  }
  if (binary != nullptr && (binary->op == ast::BinaryOp::Union || binary->op == ast::BinaryOp::Intersect ||
                            binary->op == ast::BinaryOp::Except)) {
    Panel panel;
    panel.kind = binary->op == ast::BinaryOp::Union       ? Panel::Kind::Union
                 : binary->op == ast::BinaryOp::Intersect ? Panel::Kind::Intersect
                                                          : Panel::Kind::Except;
    panel.left = LowerPanel(binary->left.get(), scope);
    panel.right = LowerPanel(binary->right.get(), scope);
    return AddPanel(std::move(panel));
  }
  NotCompiled(expr->range, "this panel");
  return AllCustomers();
}

}  // namespace relc::ir
