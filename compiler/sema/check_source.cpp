// Sources: an export described as it is. Names in a source's expressions are the columns of its
// tables, which only the data knows, so they are checked when the data loads; here, what the
// description itself can get wrong: which schema, tables and fields it names, the options of
// its tables, the functions it calls, and whether every required field gets a value.
#include <fmt/format.h>

#include <algorithm>

#include "diagnostics/suggest.h"
#include "sema/checker.h"

namespace relc::sema {
namespace {

// What each option of a table accepts, and says.
struct TableOption {
  std::string_view name;
  std::vector<std::string_view> choices;  // empty: any text
};

const std::vector<TableOption>& TableOptions() {
  static const std::vector<TableOption> options = {
      {"format", {"csv", "whitespace"}},
      {"decimal", {".", ","}},
      {"time_format", {}},
      {"time_zone", {}},
      {"currency", {}},
      {"round", {"half_up", "half_even"}},
  };
  return options;
}

// Functions of one row's values, and functions of a group's rows.
const std::vector<std::string_view> kRowFunctions = {"starts_with", "ends_with", "contains", "column"};
const std::vector<std::string_view> kGroupFunctions = {"sum", "min", "max", "first", "last", "count", "most_frequent"};

bool Contains(const std::vector<std::string_view>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::vector<std::string> Strings(const std::vector<std::string_view>& names) { return {names.begin(), names.end()}; }

}  // namespace

void Checker::CheckSource(const ast::SourceDecl& source) {
  auto schema_it = schemas_.find(source.schema.name);
  if (schema_it == schemas_.end()) {
    std::vector<std::string> names;
    for (const auto& [name, schema] : schemas_) names.push_back(name);
    auto builder = Emit(DiagnosticKind::UnknownName, source.schema.range, source.schema.name);
    builder.Primary("not a schema");
    if (auto close = ClosestMatch(source.schema.name, names)) builder.Help(fmt::format("did you mean `{}`?", *close));
    return;
  }
  const ast::SchemaDecl& schema = *schema_it->second;
  if (auto [described, first] = described_schemas_.try_emplace(schema.name.name, &source); !first) {
    Emit(DiagnosticKind::DuplicateDefinition, source.name.range, "source for schema `" + schema.name.name + "`")
        .Primary("a second description of the same export")
        .Label(described->second->name.range, "first described here")
        .Help("describe each export once; merge the two sources");
  }

  std::map<std::string, const ast::SourceTable*, std::less<>> tables;
  for (const auto& table : source.tables) {
    if (auto [it, first] = tables.try_emplace(table.name.name, &table); !first) {
      Emit(DiagnosticKind::DuplicateDefinition, table.name.range, table.name.name).Primary("a second table of this name");
    }
    for (const auto& option : table.options) {
      if (option.low) CheckInterval(option, TypeKind::Error, false);
      auto known = std::find_if(TableOptions().begin(), TableOptions().end(),
                                [&](const TableOption& o) { return o.name == option.name.name; });
      if (known == TableOptions().end()) {
        std::vector<std::string> names;
        for (const auto& o : TableOptions()) names.emplace_back(o.name);
        auto builder = Emit(DiagnosticKind::UnknownField, option.name.range, "a table", option.name.name);
        builder.Primary("not an option of a table");
        if (auto close = ClosestMatch(option.name.name, names)) {
          builder.Help(fmt::format("did you mean `{}`?", *close), {{option.name.range, *close}});
        } else {
          builder.Note("a table's options are format, decimal, time_format, time_zone, currency and round");
        }
        continue;
      }
      auto* text = option.value->As<ast::StringLiteral>();
      if (text == nullptr) {
        Emit(DiagnosticKind::TypeMismatch, option.value->range, "a text in quotes", "something else").Primary("write it in quotes");
        continue;
      }
      std::vector<std::string_view> choices = known->choices;
      if (option.name.name == "currency") {
        if (!ParseUnit(text->value) || ParseUnit(text->value)->currency.empty()) {
          Emit(DiagnosticKind::UnknownUnit, text->range, text->value).Primary("not a currency relc knows");
        }
      } else if (!choices.empty() && !Contains(choices, text->value)) {
        std::string listed;
        for (auto choice : choices) listed += fmt::format("{}`\"{}\"`", listed.empty() ? "" : " or ", choice);
        Emit(DiagnosticKind::InvalidChoice, text->range, text->value, listed).Primary("not a choice of `" + option.name.name + "`");
      }
    }
  }

  std::map<std::string, const ast::SchemaEntity*, std::less<>> entities;
  for (const auto& entity : schema.entities) entities[entity.name.name] = &entity;
  std::set<std::string, std::less<>> described;
  for (const auto& entity : source.entities) {
    auto schema_entity = entities.find(entity.name.name);
    if (schema_entity == entities.end() || schema_entity->second->is_event != entity.is_event) {
      std::vector<std::string> names;
      for (const auto& e : schema.entities) {
        if (e.is_event == entity.is_event) names.push_back(e.name.name);
      }
      auto builder = Emit(DiagnosticKind::UnknownSchemaEntity, entity.name.range, entity.name.name);
      builder.Primary(fmt::format("schema `{}` has no {} of this name", schema.name.name, entity.is_event ? "event" : "entity"));
      if (auto close = ClosestMatch(entity.name.name, names)) {
        builder.Help(fmt::format("did you mean `{}`?", *close), {{entity.name.range, *close}});
      }
      continue;
    }
    if (!described.insert(entity.name.name).second) {
      Emit(DiagnosticKind::DuplicateDefinition, entity.name.range, entity.name.name)
          .Primary("described twice")
          .Help("read it from one table; a `when` rule picks the rows");
    }
    auto table = tables.find(entity.table.name);
    if (table == tables.end()) {
      std::vector<std::string> names;
      for (const auto& [name, t] : tables) names.push_back(name);
      auto builder = Emit(DiagnosticKind::UnknownName, entity.table.range, entity.table.name);
      builder.Primary("not a table of this source");
      if (auto close = ClosestMatch(entity.table.name, names)) builder.Help(fmt::format("did you mean `{}`?", *close));
    }
    const bool grouped = entity.group_by != nullptr;
    const std::string what = entity.is_event ? "event `" + entity.name.name + "`" : "the customer";
    if (entity.when) CheckRowExpr(entity.when.get(), false, what);
    if (entity.group_by) CheckRowExpr(entity.group_by.get(), false, what);

    // The schema's fields, plus an event's customer and time.
    std::map<std::string, const ast::SchemaField*, std::less<>> fields;
    for (const auto& field : schema_entity->second->fields) fields[field.name.name] = &field;
    std::vector<std::string> needed;
    if (entity.is_event) needed = {"customer", "time"};
    for (const auto& field : schema_entity->second->fields) {
      auto has = [&](ast::FieldModifier m) { return std::find(field.modifiers.begin(), field.modifiers.end(), m) != field.modifiers.end(); };
      // Customers grouped by their id get it from the group.
      if (has(ast::FieldModifier::Optional) || (has(ast::FieldModifier::Key) && grouped && !entity.is_event)) continue;
      needed.push_back(field.name.name);
    }
    std::set<std::string, std::less<>> given;
    for (const auto& field : entity.fields) {
      if (field.low) CheckInterval(field, TypeKind::Error, false);
      const bool special = entity.is_event && (field.name.name == "customer" || field.name.name == "time");
      if (!special && !fields.contains(field.name.name)) {
        std::vector<std::string> names;
        for (const auto& [name, f] : fields) names.push_back(name);
        if (entity.is_event) names.insert(names.end(), {"customer", "time"});
        auto builder = Emit(DiagnosticKind::UnknownField, field.name.range, what, field.name.name);
        builder.Primary("not a field of the schema");
        if (auto close = ClosestMatch(field.name.name, names)) {
          builder.Help(fmt::format("did you mean `{}`?", *close), {{field.name.range, *close}});
        }
        continue;
      }
      if (!given.insert(field.name.name).second) {
        Emit(DiagnosticKind::DuplicateDefinition, field.name.range, field.name.name).Primary("given twice");
      }
      CheckRowExpr(field.value.get(), grouped, what);
      // An amount read from a table whose currency is another: the schema decides.
      if (!special && table != tables.end()) {
        const ast::SchemaField& schema_field = *fields.at(field.name.name);
        for (const auto& option : table->second->options) {
          auto* currency = option.value->As<ast::StringLiteral>();
          if (option.name.name != "currency" || currency == nullptr || schema_field.type.name.name != "money" ||
              !schema_field.type.unit || schema_field.type.unit->name == currency->value) {
            continue;
          }
          Emit(DiagnosticKind::CurrencyMismatch, field.range, "read", schema_field.type.unit->name, currency->value)
              .Primary(fmt::format("`{}` is in {} in the schema", field.name.name, schema_field.type.unit->name))
              .Label(option.range, "the table's amounts are in " + currency->value)
              .Help("declare the field `money(" + currency->value + ")` in the schema, or fix the table's currency");
        }
      }
    }
    for (const auto& field : needed) {
      if (given.contains(field)) continue;
      std::string description =
          field == "customer" ? "`customer`, the id of the customer it belongs to"
          : field == "time"   ? "`time`, when it happened"
                              : fmt::format("`{}`, a required field of {}", field, what);
      Emit(DiagnosticKind::SourceFieldMissing, entity.name.range, source.name.name, description)
          .Primary(fmt::format("{} is read here", what))
          .Help(fmt::format("add `{} = COLUMN` (a column of the table), or a constant such as `{} = true`", field, field));
    }
  }
}

void Checker::CheckRowExpr(const ast::Expr* expr, bool grouped, const std::string& what, bool in_aggregate) {
  if (expr == nullptr) return;
  switch (expr->kind) {
    case ast::ExprKind::Name:
    case ast::ExprKind::String:
    case ast::ExprKind::Bool:
    case ast::ExprKind::Null:
    case ast::ExprKind::Date:
    case ast::ExprKind::DateTime:
      return;
    case ast::ExprKind::Number: {
      auto* number = expr->As<ast::NumberLiteral>();
      if (number->unit || number->percent) {
        Emit(DiagnosticKind::NotInSource, expr->range, "a number with a unit")
            .Primary("the schema gives the unit")
            .Help("write the number alone");
      }
      return;
    }
    case ast::ExprKind::Unary:
      CheckRowExpr(expr->As<ast::UnaryExpr>()->operand.get(), grouped, what, in_aggregate);
      return;
    case ast::ExprKind::Conditional: {
      auto* conditional = expr->As<ast::ConditionalExpr>();
      for (const ast::Expr* part : {conditional->condition.get(), conditional->then_value.get(), conditional->else_value.get()}) {
        CheckRowExpr(part, grouped, what, in_aggregate);
      }
      return;
    }
    case ast::ExprKind::Binary: {
      auto* binary = expr->As<ast::BinaryExpr>();
      switch (binary->op) {
        case ast::BinaryOp::Add: case ast::BinaryOp::Subtract: case ast::BinaryOp::Multiply: case ast::BinaryOp::Divide:
        case ast::BinaryOp::Less: case ast::BinaryOp::LessEqual: case ast::BinaryOp::Greater:
        case ast::BinaryOp::GreaterEqual: case ast::BinaryOp::Equal: case ast::BinaryOp::NotEqual:
        case ast::BinaryOp::And: case ast::BinaryOp::Or:
          CheckRowExpr(binary->left.get(), grouped, what, in_aggregate);
          CheckRowExpr(binary->right.get(), grouped, what, in_aggregate);
          return;
        case ast::BinaryOp::In: case ast::BinaryOp::NotIn:
          CheckRowExpr(binary->left.get(), grouped, what, in_aggregate);
          if (auto* list = binary->right->As<ast::ListExpr>()) {
            for (const auto& element : list->elements) CheckRowExpr(element.get(), grouped, what, in_aggregate);
            return;
          }
          Emit(DiagnosticKind::NotInSource, binary->right->range, "this").Primary("expected a list such as [\"UK\", \"EIRE\"]");
          return;
        default:
          Emit(DiagnosticKind::NotInSource, binary->op_range, "this operator")
              .Primary("not an operation on a row's values")
              .Note("a source reads rows with + - * /, comparisons, and, or, not, in [...], is null and if-then-else");
          return;
      }
    }
    case ast::ExprKind::Call: {
      auto* call = expr->As<ast::CallExpr>();
      auto* callee = call->callee->As<ast::NameExpr>();
      const std::string name = callee ? callee->name : "";
      const bool row_function = Contains(kRowFunctions, name), group_function = Contains(kGroupFunctions, name);
      if (!row_function && !group_function) {
        std::vector<std::string> names = Strings(kRowFunctions);
        for (auto f : kGroupFunctions) names.emplace_back(f);
        auto builder = Emit(DiagnosticKind::NotInSource, call->callee->range, name.empty() ? "this" : "`" + name + "`");
        builder.Primary("not a function of a source");
        if (auto close = ClosestMatch(name, names)) {
          builder.Help(fmt::format("did you mean `{}`?", *close), {{call->callee->range, *close}});
        } else {
          builder.Note("a source's functions are starts_with, ends_with, contains, column, and for groups sum, min, "
                       "max, first, last, count and most_frequent");
        }
        return;
      }
      const size_t arity = name == "count" ? 0 : (name == "column" || group_function) ? 1 : 2;
      if (call->arguments.size() != arity) {
        Emit(DiagnosticKind::WrongArguments, call->range, name,
             arity == 0 ? "none" : arity == 1 ? "one value" : "two values")
            .Primary(fmt::format("{} given", call->arguments.size()));
        return;
      }
      if (name == "column" && call->arguments[0].value->As<ast::StringLiteral>() == nullptr) {
        Emit(DiagnosticKind::TypeMismatch, call->arguments[0].value->range, "a column's name in quotes", "something else")
            .Primary("`column(\"Unit Price\")` names a column that is not a plain name");
        return;
      }
      if (group_function && (!grouped || in_aggregate)) {
        Emit(DiagnosticKind::AggregateWithoutGroup, call->range, name, in_aggregate ? "its argument" : what)
            .Primary(in_aggregate ? "inside another group function" : "no `by` groups the rows")
            .Help(in_aggregate ? "group functions do not nest" : "group the rows with `by COLUMN` after the table");
        return;
      }
      for (const auto& argument : call->arguments) CheckRowExpr(argument.value.get(), grouped, what, in_aggregate || group_function);
      return;
    }
    default:
      Emit(DiagnosticKind::NotInSource, expr->range, "this").Primary("not a value of a row");
      return;
  }
}

}  // namespace relc::sema
