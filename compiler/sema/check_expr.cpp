// Names and expressions: resolution, types and unit rules.
#include <algorithm>
#include <cmath>

#include "diagnostics/suggest.h"
#include "sema/checker.h"

namespace relc::sema {
namespace {

std::string_view KindName(SymbolKind kind) {
  switch (kind) {
    case SymbolKind::Panel: return "a panel";
    case SymbolKind::Offer: return "an offer";
    case SymbolKind::Scenario: return "a scenario";
    case SymbolKind::Kpi: return "a KPI";
    case SymbolKind::Channel: return "a channel";
    case SymbolKind::Event: return "an event";
    case SymbolKind::Attribute: return "a customer attribute";
    case SymbolKind::Measure: return "a customer measure";
    case SymbolKind::Metric: return "a metric";
    case SymbolKind::Function: return "a function";
    case SymbolKind::Parameter: return "a parameter";
    case SymbolKind::Step: return "a step";
    case SymbolKind::Constant: return "a constant";
    case SymbolKind::Model: return "a model";
  }
  return "a name";
}

bool Dimensionless(const Type& t) { return t.IsNumber(); }

}  // namespace

const Symbol* Checker::Lookup(std::string_view name, const Context& context) const {
  auto find = [&](const std::map<std::string, const Symbol*, std::less<>>& table) -> const Symbol* {
    auto it = table.find(name);
    return it != table.end() ? it->second : nullptr;
  };
  if (context.locals != nullptr) {
    if (const Symbol* symbol = find(*context.locals)) return symbol;
  }
  if (!context.event.empty()) {
    if (auto fields = event_fields_.find(context.event); fields != event_fields_.end()) {
      if (const Symbol* symbol = find(fields->second)) return symbol;
    }
  }
  if (context.customer) {
    if (const Symbol* symbol = find(attributes_)) return symbol;
    if (const Symbol* symbol = find(builtins_.measures)) return symbol;
  }
  if (context.metrics) {
    if (const Symbol* symbol = find(builtins_.metrics)) return symbol;
  }
  return current_program_ != nullptr ? find(current_program_->names) : nullptr;
}

std::vector<std::string> Checker::VisibleNames(const Context& context) const {
  std::vector<std::string> names;
  auto add = [&](const std::map<std::string, const Symbol*, std::less<>>& table) {
    for (const auto& [name, symbol] : table) names.push_back(name);
  };
  if (context.locals != nullptr) add(*context.locals);
  if (!context.event.empty()) {
    if (auto fields = event_fields_.find(context.event); fields != event_fields_.end()) add(fields->second);
  }
  if (context.customer) {
    add(attributes_);
    add(builtins_.measures);
  }
  if (context.metrics) add(builtins_.metrics);
  if (current_program_ != nullptr) add(current_program_->names);
  return names;
}

void Checker::Expect(const ast::Expr* expr, const Type& actual, TypeKind wanted, std::string_view what) {
  if (expr == nullptr || actual.IsError() || actual.kind == wanted) return;
  if (wanted == TypeKind::Decimal && actual.IsNumber()) return;
  Emit(DiagnosticKind::TypeMismatch, expr->range, what, TypeName(actual)).Primary(fmt::format("this is {}", TypeName(actual)));
}

std::optional<std::pair<double, std::string>> Checker::SignedNumber(const ast::Expr* expr) {
  double sign = 1;
  std::string text;
  if (auto* unary = expr->As<ast::UnaryExpr>(); unary != nullptr && unary->op == ast::UnaryOp::Negate) {
    sign = -1;
    text = "-";
    expr = unary->operand.get();
  }
  auto* number = expr != nullptr ? expr->As<ast::NumberLiteral>() : nullptr;
  if (number == nullptr) return std::nullopt;
  return std::pair{sign * number->value, text + number->digits};
}

void Checker::CheckShare(const ast::Expr* expr, std::string_view what) {
  if (expr == nullptr) return;
  Type type = CheckExpr(expr, Context{});
  if (type.IsError()) return;
  if (!type.Is(TypeKind::Percentage)) {
    Emit(DiagnosticKind::TypeMismatch, expr->range, fmt::format("{} as a percentage", what), TypeName(type))
        .Primary("write a share such as `10%`");
    return;
  }
  // `holdout -10%` was taken as no holdout at all.
  if (auto number = SignedNumber(expr); number && (number->first < 0 || number->first > 100)) {
    Emit(DiagnosticKind::ShareOutOfRange, expr->range, what, number->second + "%").Primary("not a share of a whole");
  }
}

Type Checker::CheckNumber(const ast::NumberLiteral& number) {
  if (number.percent) return Type::Of(TypeKind::Percentage);
  if (!number.unit) {
    return Type::Of(number.digits.find('.') == std::string::npos ? TypeKind::Integer : TypeKind::Decimal);
  }
  std::optional<Unit> unit = ParseUnit(number.unit->name);
  if (!unit) {
    auto builder = Emit(DiagnosticKind::UnknownUnit, number.unit->range, number.unit->name);
    builder.Primary("not a unit of time or a currency");
    if (auto close = ClosestMatch(number.unit->name, KnownUnitNames())) {
      builder.Help(fmt::format("did you mean `{}`?", *close), {{number.unit->range, *close}});
    }
    return Type::Of(TypeKind::Error);
  }
  if (unit->kind == UnitKind::Duration) return Type::Of(TypeKind::Duration);
  return Type::MoneyIn(unit->currency.empty() ? model_.currency : unit->currency);
}

Type Checker::CheckExpr(const ast::Expr* expr, const Context& context) {
  if (expr == nullptr) return Type::Of(TypeKind::Error);
  Type type;
  switch (expr->kind) {
    case ast::ExprKind::Number: type = CheckNumber(*expr->As<ast::NumberLiteral>()); break;
    case ast::ExprKind::String: type = Type::Of(TypeKind::String); break;
    case ast::ExprKind::Date: type = Type::Of(TypeKind::Date); break;
    case ast::ExprKind::DateTime: type = Type::Of(TypeKind::DateTime); break;
    case ast::ExprKind::TimeOfDay: type = Type::Of(TypeKind::TimeOfDay); break;
    case ast::ExprKind::Bool: type = Type::Of(TypeKind::Bool); break;
    case ast::ExprKind::Null: type = Type::Of(TypeKind::Null); break;
    case ast::ExprKind::List:
      for (const auto& element : expr->As<ast::ListExpr>()->elements) CheckExpr(element.get(), context);
      type = Type::Of(TypeKind::List);
      break;
    case ast::ExprKind::Name: type = CheckName(*expr->As<ast::NameExpr>(), context); break;
    case ast::ExprKind::Member: type = CheckMember(*expr->As<ast::MemberExpr>(), context); break;
    case ast::ExprKind::Call: type = CheckCall(*expr->As<ast::CallExpr>(), context); break;
    case ast::ExprKind::Binary: type = CheckBinary(*expr->As<ast::BinaryExpr>(), context); break;
    case ast::ExprKind::Unary: {
      auto* unary = expr->As<ast::UnaryExpr>();
      Type operand = CheckExpr(unary->operand.get(), context);
      switch (unary->op) {
        case ast::UnaryOp::Not:
          Expect(unary->operand.get(), operand, TypeKind::Bool, "a condition after `not`");
          type = Type::Of(TypeKind::Bool);
          break;
        case ast::UnaryOp::IsNull:
        case ast::UnaryOp::IsNotNull:
          type = Type::Of(TypeKind::Bool);
          break;
        case ast::UnaryOp::Negate:
        case ast::UnaryOp::Plus:
          if (!operand.IsError() && !operand.IsNumber() && !operand.Is(TypeKind::Money) && !operand.Is(TypeKind::Duration)) {
            Emit(DiagnosticKind::InvalidOperands, expr->range, "negate", TypeName(operand), "nothing")
                .Primary(fmt::format("{} has no sign", TypeName(operand)));
            operand = Type::Of(TypeKind::Error);
          }
          type = operand;
          break;
      }
      break;
    }
    case ast::ExprKind::Conditional: {
      auto* conditional = expr->As<ast::ConditionalExpr>();
      Expect(conditional->condition.get(), CheckExpr(conditional->condition.get(), context), TypeKind::Bool,
             "a condition after `if`");
      Type then_type = CheckExpr(conditional->then_value.get(), context);
      Type else_type = CheckExpr(conditional->else_value.get(), context);
      bool compatible = then_type == else_type || then_type.IsError() || else_type.IsError() ||
                        (then_type.IsNumber() && else_type.IsNumber());
      if (!compatible) {
        Emit(DiagnosticKind::TypeMismatch, conditional->else_value->range, TypeName(then_type), TypeName(else_type))
            .Primary("the `else` value")
            .Label(conditional->then_value->range, fmt::format("the `then` value is {}", TypeName(then_type)));
      }
      type = then_type.IsError() ? else_type : then_type;
      break;
    }
  }
  model_.types[expr] = type;
  return type;
}

Type Checker::CheckName(const ast::NameExpr& name, const Context& context) {
  const Symbol* symbol = Lookup(name.name, context);
  if (symbol == nullptr) {
    if (!unknown_names_.emplace(current_file_.get(), name.name).second) return Type::Of(TypeKind::Error);
    auto builder = Emit(DiagnosticKind::UnknownName, name.range, name.name);
    builder.Primary("not found");
    if (auto close = ClosestMatch(name.name, VisibleNames(context))) {
      builder.Help(fmt::format("did you mean `{}`?", *close), {{name.range, *close}});
    } else if (!context.customer && attributes_.contains(name.name)) {
      builder.Note(fmt::format("`{}` is a customer attribute: use it in a condition such as `customers where {} ...`",
                               name.name, name.name));
    }
    return Type::Of(TypeKind::Error);
  }
  const_cast<Symbol*>(symbol)->uses++;
  model_.references[&name] = symbol;
  RecordUse(name.range, symbol);
  if (symbol->kind == SymbolKind::Kpi && symbol->decl != nullptr) return KpiType(*symbol->decl->As<ast::KpiDecl>());
  return symbol->type;
}

Type Checker::KpiType(const ast::KpiDecl& kpi) {
  auto [it, first_time] = kpi_types_.try_emplace(&kpi, std::nullopt);
  if (!first_time) return it->second.value_or(Type::Of(TypeKind::Error));  // known, or a cycle
  Context metrics;
  metrics.metrics = true;
  // Checked where it is declared, whichever file first uses it.
  auto saved_file = current_file_;
  for (const Module& module : model_.modules) {
    for (const auto& decl : module.ast.decls) {
      if (decl.get() == &kpi) current_file_ = module.file;
    }
  }
  Type type = CheckExpr(kpi.formula.get(), metrics);
  current_file_ = saved_file;
  kpi_types_[&kpi] = type;
  return type;
}

Type Checker::CheckMember(const ast::MemberExpr& member, const Context& context) {
  // `alias.name`: a declaration of a module imported `as alias`.
  if (auto* qualifier = member.object->As<ast::NameExpr>()) {
    for (const Module& module : model_.modules) {
      if (module.file != current_file_) continue;
      auto alias = aliases_[&module].find(qualifier->name);
      if (alias == aliases_[&module].end()) break;
      const auto& scope = module_scopes_[alias->second];
      auto it = scope.find(member.member.name);
      if (it == scope.end()) {
        std::vector<std::string> names;
        for (const auto& [name, symbol] : scope) names.push_back(name);
        auto builder = Emit(DiagnosticKind::UnknownName, member.range, qualifier->name + "." + member.member.name);
        builder.Primary(fmt::format("module `{}` declares no `{}`", alias->second->name, member.member.name));
        if (auto close = ClosestMatch(member.member.name, names)) {
          builder.Help(fmt::format("did you mean `{}.{}`?", qualifier->name, *close), {{member.member.range, *close}});
        }
        return Type::Of(TypeKind::Error);
      }
      const_cast<Symbol*>(it->second)->uses++;
      model_.references[&member] = it->second;
      RecordUse(member.member.range, it->second);
      if (it->second->kind == SymbolKind::Kpi && it->second->decl != nullptr) return KpiType(*it->second->decl->As<ast::KpiDecl>());
      return it->second->type;
    }
  }
  Type object = CheckExpr(member.object.get(), context);
  if (object.IsError()) return object;
  if (object.Is(TypeKind::Event)) {
    auto fields = event_fields_.find(object.event);
    if (fields != event_fields_.end()) {
      if (auto it = fields->second.find(member.member.name); it != fields->second.end()) {
        RecordUse(member.member.range, it->second);
        return it->second->type;
      }
    }
    std::vector<std::string> names;
    if (fields != event_fields_.end()) {
      for (const auto& [name, symbol] : fields->second) names.push_back(name);
    }
    auto builder = Emit(DiagnosticKind::UnknownField, member.member.range, TypeName(object), member.member.name);
    builder.Primary("no such field");
    if (auto close = ClosestMatch(member.member.name, names)) builder.Help(fmt::format("did you mean `{}`?", *close));
    return Type::Of(TypeKind::Error);
  }
  if (object.Is(TypeKind::Customer)) {
    Context customer = context.WithCustomer();
    if (const Symbol* symbol = Lookup(member.member.name, customer);
        symbol != nullptr && (symbol->kind == SymbolKind::Attribute || symbol->kind == SymbolKind::Measure)) {
      RecordUse(member.member.range, symbol);
      return symbol->type;
    }
    Emit(DiagnosticKind::UnknownField, member.member.range, "the customer", member.member.name).Primary("no such attribute");
    return Type::Of(TypeKind::Error);
  }
  Emit(DiagnosticKind::UnknownField, member.member.range, TypeName(object), member.member.name)
      .Primary(fmt::format("{} has no fields", TypeName(object)));
  return Type::Of(TypeKind::Error);
}

// Each argument against its parameter's type (by name, else by position); a parameter without
// a default must be given.
void Checker::CheckArguments(const std::vector<ast::Parameter>& parameters, const ast::CallExpr& call,
                             const std::vector<Type>& arguments, std::string_view callee) {
  for (size_t i = 0; i < parameters.size(); ++i) {
    const ast::Parameter& parameter = parameters[i];
    std::optional<size_t> given;
    for (size_t j = 0; j < call.arguments.size(); ++j) {
      const ast::Argument& argument = call.arguments[j];
      if (argument.name ? argument.name->name == parameter.name.name : j == i) given = j;
    }
    if (!given) {
      if (!parameter.default_value) {
        Emit(DiagnosticKind::WrongArguments, call.range, callee, fmt::format("a value for `{}`", parameter.name.name))
            .Primary(fmt::format("`{}` is missing", parameter.name.name))
            .Help(fmt::format("add `{}: ...`, or give the parameter a default", parameter.name.name));
      }
      continue;
    }
    std::string unit = parameter.type.unit ? parameter.type.unit->name : "";
    std::optional<Type> type = ParseTypeName(parameter.type.name.name, unit);
    if (!type || type->IsError()) continue;
    Expect(call.arguments[*given].value.get(), arguments[*given], type->kind,
           fmt::format("a {} (the type of `{}`)", parameter.type.name.name, parameter.name.name));
  }
}

Type Checker::CheckCall(const ast::CallExpr& call, const Context& context) {
  auto* callee_name = call.callee->As<ast::NameExpr>();
  if (callee_name == nullptr) {
    CheckExpr(call.callee.get(), context);
    Emit(DiagnosticKind::NotCallable, call.callee->range, "this").Primary("not a function");
    return Type::Of(TypeKind::Error);
  }
  Type callee = CheckName(*callee_name, context);
  if (callee.IsError()) return callee;
  const Symbol* symbol = model_.references[callee_name];
  // consent(email) names a channel: the customer's `email` attribute must not hide it.
  Context argument_context = context;
  if (symbol->kind == SymbolKind::Function && symbol->decl == nullptr && symbol->name == "consent") {
    argument_context.customer = false;
    argument_context.event.clear();
  }
  std::vector<Type> arguments;
  for (const auto& argument : call.arguments) arguments.push_back(CheckExpr(argument.value.get(), argument_context));
  auto wrong_arguments = [&](std::string_view wanted) {
    Emit(DiagnosticKind::WrongArguments, call.range, symbol->name, wanted).Primary("in this call");
    return Type::Of(TypeKind::Error);
  };
  auto first = [&](TypeKind wanted, std::string_view what) -> bool {
    if (arguments.size() != 1) return false;
    Expect(call.arguments[0].value.get(), arguments[0], wanted, what);
    return true;
  };

  switch (symbol->kind) {
    case SymbolKind::Function: {
      const std::string& name = symbol->name;
      if (symbol->decl != nullptr) {
        auto* function = symbol->decl->As<ast::FunctionDecl>();
        if (function != nullptr && function->parameters.size() != arguments.size()) {
          return wrong_arguments(fmt::format("{} arguments", function->parameters.size()));
        }
        if (function != nullptr) CheckArguments(function->parameters, call, arguments, symbol->name);
        return symbol->type;
      }
      if (name == "count" || name == "exists") {
        if (!first(TypeKind::Event, "a stream of events, such as `purchase within last 90 days`")) {
          return wrong_arguments("one stream of events");
        }
        return symbol->type;
      }
      if (name == "sum" || name == "avg" || name == "min" || name == "max") {
        if (arguments.size() != 1) return wrong_arguments("one event field, such as `purchase.amount`");
        if (!arguments[0].IsError() && !arguments[0].IsNumber() && !arguments[0].Is(TypeKind::Money) &&
            !arguments[0].Is(TypeKind::Duration)) {
          Emit(DiagnosticKind::TypeMismatch, call.arguments[0].value->range, "an event field holding a quantity",
               TypeName(arguments[0]))
              .Primary("cannot be added up")
              .Help(fmt::format("name a field: `{}(purchase.amount within last 90 days)`", name));
          return Type::Of(TypeKind::Error);
        }
        return name == "avg" && arguments[0].Is(TypeKind::Integer) ? Type::Of(TypeKind::Decimal) : arguments[0];
      }
      if (name == "consent") {
        if (!first(TypeKind::Channel, "a channel")) return wrong_arguments("one channel");
        return symbol->type;
      }
      if (name == "delivered" || name == "opened" || name == "clicked" || name == "converted") {
        if (!first(TypeKind::Step, "a labelled `send` step")) return wrong_arguments("one step label");
        return symbol->type;
      }
      if (name == "month" || name == "year" || name == "day_of_week") {
        if (arguments.size() != 1) return wrong_arguments("one date");
        if (!arguments[0].IsError() && !arguments[0].Is(TypeKind::Date) && !arguments[0].Is(TypeKind::DateTime)) {
          Expect(call.arguments[0].value.get(), arguments[0], TypeKind::Date, "a date");
        }
        return symbol->type;
      }
      if (name == "clv" || name == "expected_purchases") {
        if (!first(TypeKind::Duration, "a horizon, such as `365 days`")) return wrong_arguments("one horizon");
        return symbol->type;
      }
      return symbol->type;
    }
    case SymbolKind::Metric:
      // converted(winback), sent(winback.first): a metric of one scenario or step.
      if (arguments.size() != 1) return wrong_arguments("one scenario or step");
      if (!arguments[0].IsError() && !arguments[0].Is(TypeKind::Scenario) && !arguments[0].Is(TypeKind::Step)) {
        Emit(DiagnosticKind::TypeMismatch, call.arguments[0].value->range, "a scenario or a step", TypeName(arguments[0]))
            .Primary("a metric counts what a scenario or a step did");
      }
      return symbol->type;
    case SymbolKind::Panel:
    case SymbolKind::Scenario:
    case SymbolKind::Kpi: {
      const std::optional<std::vector<ast::Parameter>>* parameters = nullptr;
      if (auto* panel = symbol->decl ? symbol->decl->As<ast::PanelDecl>() : nullptr) parameters = &panel->parameters;
      if (auto* scenario = symbol->decl ? symbol->decl->As<ast::ScenarioDecl>() : nullptr) parameters = &scenario->parameters;
      if (auto* kpi = symbol->decl ? symbol->decl->As<ast::KpiDecl>() : nullptr) parameters = &kpi->parameters;
      if (parameters == nullptr || !parameters->has_value()) {
        Emit(DiagnosticKind::NotCallable, call.callee->range, symbol->name)
            .Primary(fmt::format("{} without parameters", KindName(symbol->kind)));
        return Type::Of(TypeKind::Error);
      }
      for (const auto& argument : call.arguments) {
        if (!argument.name) continue;
        bool known = std::any_of((*parameters)->begin(), (*parameters)->end(),
                                 [&](const ast::Parameter& p) { return p.name.name == argument.name->name; });
        if (!known) {
          std::vector<std::string> names;
          for (const auto& parameter : **parameters) names.push_back(parameter.name.name);
          auto builder = Emit(DiagnosticKind::UnknownParameter, argument.name->range, symbol->name, argument.name->name);
          builder.Primary("unknown parameter");
          if (auto close = ClosestMatch(argument.name->name, names)) {
            builder.Help(fmt::format("did you mean `{}`?", *close), {{argument.name->range, *close}});
          }
        }
      }
      CheckArguments(**parameters, call, arguments, symbol->name);
      return symbol->type;
    }
    default:
      Emit(DiagnosticKind::NotCallable, call.callee->range, symbol->name)
          .Primary(fmt::format("{} cannot be called", KindName(symbol->kind)));
      return Type::Of(TypeKind::Error);
  }
}

Type Checker::CheckBinary(const ast::BinaryExpr& binary, const Context& context) {
  using ast::BinaryOp;
  auto error = Type::Of(TypeKind::Error);
  switch (binary.op) {
    case BinaryOp::Where: {
      Type left = CheckExpr(binary.left.get(), context);
      if (left.Is(TypeKind::Panel)) {
        Expect(binary.right.get(), CheckExpr(binary.right.get(), context.WithCustomer()), TypeKind::Bool,
               "a condition on the customer");
        return left;
      }
      if (left.Is(TypeKind::Event)) {
        Expect(binary.right.get(), CheckExpr(binary.right.get(), context.WithEvent(left.event)), TypeKind::Bool,
               "a condition on the event");
        return left;
      }
      CheckExpr(binary.right.get(), context.WithCustomer());
      if (!left.IsError()) {
        Emit(DiagnosticKind::TypeMismatch, binary.left->range, "a panel or an event before `where`", TypeName(left))
            .Primary("cannot be filtered");
      }
      return error;
    }
    case BinaryOp::Within:
    case BinaryOp::WithinLast: {
      Type left = CheckExpr(binary.left.get(), context);
      Type right = CheckExpr(binary.right.get(), context);
      Expect(binary.right.get(), right, TypeKind::Duration, "a duration after `within`");
      // `purchase.amount within last 90 days`: the field's values over the window.
      auto* member = binary.left->As<ast::MemberExpr>();
      if (member != nullptr && model_.types[member->object.get()].Is(TypeKind::Event)) return left;
      Expect(binary.left.get(), left, TypeKind::Event, "an event before `within`");
      return left.Is(TypeKind::Event) ? left : error;
    }
    default:
      break;
  }

  Type left = CheckExpr(binary.left.get(), context);
  Type right = CheckExpr(binary.right.get(), context);
  if (left.IsError() || right.IsError()) return error;
  auto invalid = [&](std::string_view verb) {
    Emit(DiagnosticKind::InvalidOperands, binary.op_range, verb, TypeName(left), TypeName(right))
        .Primary("here")
        .Label(binary.left->range, TypeName(left))
        .Label(binary.right->range, TypeName(right));
    return error;
  };
  auto currencies_differ = [&](std::string_view verb) {
    if (left.Is(TypeKind::Money) && right.Is(TypeKind::Money) && left.currency != right.currency &&
        !left.currency.empty() && !right.currency.empty()) {
      Emit(DiagnosticKind::CurrencyMismatch, binary.op_range, verb, left.currency, right.currency)
          .Primary("different currencies")
          .Label(binary.left->range, left.currency)
          .Label(binary.right->range, right.currency)
          .Help("convert one amount first: relc never converts currencies by itself");
      return true;
    }
    return false;
  };

  switch (binary.op) {
    case BinaryOp::And:
    case BinaryOp::Or:
      Expect(binary.left.get(), left, TypeKind::Bool, "a condition");
      Expect(binary.right.get(), right, TypeKind::Bool, "a condition");
      return Type::Of(TypeKind::Bool);
    case BinaryOp::Union:
    case BinaryOp::Intersect:
    case BinaryOp::Except:
      Expect(binary.left.get(), left, TypeKind::Panel, "a panel");
      Expect(binary.right.get(), right, TypeKind::Panel, "a panel");
      return Type::Of(TypeKind::Panel);
    case BinaryOp::In:
    case BinaryOp::NotIn:
      if (right.Is(TypeKind::Panel)) {
        Expect(binary.left.get(), left, TypeKind::Customer, "`customer` before `in` a panel");
      } else if (!right.Is(TypeKind::List)) {
        Expect(binary.right.get(), right, TypeKind::Panel, "a panel or a list after `in`");
      }
      return Type::Of(TypeKind::Bool);
    case BinaryOp::InTop:
    case BinaryOp::InBottom: {
      if (!left.IsNumber() && !left.Is(TypeKind::Money) && !left.Is(TypeKind::Duration)) {
        Emit(DiagnosticKind::TypeMismatch, binary.left->range, "a measure to rank customers by", TypeName(left))
            .Primary("cannot be ranked");
      }
      if (right.Is(TypeKind::Percentage)) {
        auto* share = binary.right->As<ast::NumberLiteral>();
        if (share != nullptr && (share->value <= 0 || share->value > 100)) {
          Emit(DiagnosticKind::ShareOutOfRange, binary.right->range, "a top share", share->digits + "%")
              .Primary("not a share of the customers");
        }
      } else {
        Expect(binary.right.get(), right, TypeKind::Integer, "a share such as `20%` or a count such as `100`");
      }
      return Type::Of(TypeKind::Bool);
    }
    case BinaryOp::Range:
      if (left.kind != right.kind && !(left.IsNumber() && right.IsNumber())) return invalid("make a range of");
      return Type::Of(TypeKind::Range);
    case BinaryOp::Less:
    case BinaryOp::LessEqual:
    case BinaryOp::Greater:
    case BinaryOp::GreaterEqual:
    case BinaryOp::Equal:
    case BinaryOp::NotEqual: {
      if (currencies_differ("compare")) return Type::Of(TypeKind::Bool);
      bool equality = binary.op == BinaryOp::Equal || binary.op == BinaryOp::NotEqual;
      bool comparable = (Dimensionless(left) && Dimensionless(right)) || left.kind == right.kind ||
                        (equality && (left.Is(TypeKind::Null) || right.Is(TypeKind::Null)));
      if (!comparable) return invalid("compare");
      // Order is defined on numbers, money, durations and time; `true > false` or `"b" < "c"`
      // would mean what an engine happened to compute (they did not agree).
      auto ordered = [](const Type& t) {
        return t.IsNumber() || t.Is(TypeKind::Money) || t.Is(TypeKind::Duration) || t.Is(TypeKind::Date) ||
               t.Is(TypeKind::DateTime) || t.Is(TypeKind::TimeOfDay) || t.IsError();
      };
      if (!equality && (!ordered(left) || !ordered(right))) {
        Emit(DiagnosticKind::InvalidOperands, binary.op_range, "order", TypeName(left), TypeName(right))
            .Primary("no order between these values")
            .Label(binary.left->range, TypeName(left))
            .Label(binary.right->range, TypeName(right))
            .Help("compare with `==` or `!=`");
        return Type::Of(TypeKind::Bool);
      }
      return Type::Of(TypeKind::Bool);
    }
    case BinaryOp::Add:
    case BinaryOp::Subtract: {
      std::string_view verb = binary.op == BinaryOp::Add ? "add" : "subtract";
      if (currencies_differ(verb)) return error;
      if (Dimensionless(left) && Dimensionless(right)) {
        return left.kind == right.kind ? left : Type::Of(TypeKind::Decimal);
      }
      if (left.kind == right.kind && (left.Is(TypeKind::Money) || left.Is(TypeKind::Duration))) return left;
      bool dated = left.Is(TypeKind::Date) || left.Is(TypeKind::DateTime);
      if (dated && right.Is(TypeKind::Duration)) return left;
      if (binary.op == BinaryOp::Add && left.Is(TypeKind::Duration) && (right.Is(TypeKind::Date) || right.Is(TypeKind::DateTime))) {
        return right;
      }
      if (binary.op == BinaryOp::Subtract && dated && left.kind == right.kind) return Type::Of(TypeKind::Duration);
      return invalid(verb);
    }
    case BinaryOp::Multiply: {
      if (Dimensionless(left) && Dimensionless(right)) {
        return left.Is(TypeKind::Percentage) && right.Is(TypeKind::Percentage) ? left : Type::Of(TypeKind::Decimal);
      }
      // money x percentage is money; duration x 2 is a duration.
      if ((left.Is(TypeKind::Money) || left.Is(TypeKind::Duration)) && Dimensionless(right)) return left;
      if (Dimensionless(left) && (right.Is(TypeKind::Money) || right.Is(TypeKind::Duration))) return right;
      return invalid("multiply");
    }
    case BinaryOp::Divide: {
      if (currencies_differ("divide")) return error;
      if (Dimensionless(left) && Dimensionless(right)) return Type::Of(TypeKind::Decimal);
      if (left.kind == right.kind && (left.Is(TypeKind::Money) || left.Is(TypeKind::Duration))) {
        return Type::Of(TypeKind::Decimal);  // a ratio: revenue / cost
      }
      if ((left.Is(TypeKind::Money) || left.Is(TypeKind::Duration)) && Dimensionless(right)) return left;
      return invalid("divide");
    }
    default:
      return error;
  }
}

}  // namespace relc::sema
