#include "driver/data_schema.h"

#include <fmt/format.h>

#include <filesystem>
#include <map>

#include "driver/compile.h"

namespace relc::driver {
namespace {

data::ColumnType ColumnTypeOf(const std::string& type) {
  if (type == "bool") return data::ColumnType::Bool;
  if (type == "integer" || type == "count") return data::ColumnType::Integer;
  if (type == "decimal" || type == "number") return data::ColumnType::Decimal;
  if (type == "percentage") return data::ColumnType::Percentage;
  if (type == "money") return data::ColumnType::Money;
  if (type == "date") return data::ColumnType::Date;
  if (type == "datetime") return data::ColumnType::DateTime;
  return data::ColumnType::String;  // string, channel: names kept as text
}

data::EntitySpec EntityOf(const ast::SchemaEntity& entity) {
  data::EntitySpec spec;
  spec.name = entity.name.name;
  for (const auto& field : entity.fields) {
    data::ColumnSpec column;
    column.name = field.name.name;
    column.type = ColumnTypeOf(field.type.name.name);
    column.required = true;
    for (auto modifier : field.modifiers) {
      if (modifier == ast::FieldModifier::Optional) column.required = false;
      if (modifier == ast::FieldModifier::Key) column.key = true;
    }
    spec.columns.push_back(column);
  }
  return spec;
}

// A source's expression over rows, as the loader evaluates it (sema has checked its shape).
data::RowExpr RowExprOf(const ast::Expr& expr) {
  using Op = data::RowExpr::Op;
  data::RowExpr out;
  auto with = [&](Op op, std::initializer_list<const ast::Expr*> args) {
    out.op = op;
    for (const ast::Expr* arg : args) out.args.push_back(RowExprOf(*arg));
    return out;
  };
  switch (expr.kind) {
    case ast::ExprKind::Name: out.op = Op::Column; out.text = expr.As<ast::NameExpr>()->name; return out;
    case ast::ExprKind::String: out.op = Op::Text; out.text = expr.As<ast::StringLiteral>()->value; return out;
    case ast::ExprKind::Number: out.op = Op::Number; out.text = expr.As<ast::NumberLiteral>()->digits; return out;
    case ast::ExprKind::Bool: out.op = Op::Bool; out.text = expr.As<ast::BoolLiteral>()->value ? "true" : "false"; return out;
    case ast::ExprKind::Date: {
      auto* date = expr.As<ast::DateLiteral>();
      out.op = Op::Text;
      out.text = fmt::format("{:04}-{:02}-{:02}", date->year, date->month, date->day);
      return out;
    }
    case ast::ExprKind::DateTime: {
      auto* time = expr.As<ast::DateTimeLiteral>();
      out.op = Op::Text;
      out.text = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}", time->year, time->month, time->day, time->hour, time->minute);
      return out;
    }
    case ast::ExprKind::Unary: {
      auto* unary = expr.As<ast::UnaryExpr>();
      switch (unary->op) {
        case ast::UnaryOp::Negate: return with(Op::Negate, {unary->operand.get()});
        case ast::UnaryOp::Plus: return RowExprOf(*unary->operand);
        case ast::UnaryOp::Not: return with(Op::Not, {unary->operand.get()});
        case ast::UnaryOp::IsNull: return with(Op::IsNull, {unary->operand.get()});
        case ast::UnaryOp::IsNotNull: return with(Op::IsNotNull, {unary->operand.get()});
      }
      return out;
    }
    case ast::ExprKind::Conditional: {
      auto* conditional = expr.As<ast::ConditionalExpr>();
      return with(Op::If, {conditional->condition.get(), conditional->then_value.get(), conditional->else_value.get()});
    }
    case ast::ExprKind::Binary: {
      auto* binary = expr.As<ast::BinaryExpr>();
      static const std::map<ast::BinaryOp, Op> kOps = {
          {ast::BinaryOp::Add, Op::Add}, {ast::BinaryOp::Subtract, Op::Subtract}, {ast::BinaryOp::Multiply, Op::Multiply},
          {ast::BinaryOp::Divide, Op::Divide}, {ast::BinaryOp::Less, Op::Less}, {ast::BinaryOp::LessEqual, Op::LessEqual},
          {ast::BinaryOp::Greater, Op::Greater}, {ast::BinaryOp::GreaterEqual, Op::GreaterEqual},
          {ast::BinaryOp::Equal, Op::Equal}, {ast::BinaryOp::NotEqual, Op::NotEqual}, {ast::BinaryOp::And, Op::And},
          {ast::BinaryOp::Or, Op::Or}, {ast::BinaryOp::In, Op::In}, {ast::BinaryOp::NotIn, Op::NotIn}};
      out.op = kOps.at(binary->op);
      out.args.push_back(RowExprOf(*binary->left));
      if (auto* list = binary->right->As<ast::ListExpr>()) {
        for (const auto& element : list->elements) out.args.push_back(RowExprOf(*element));
      } else {
        out.args.push_back(RowExprOf(*binary->right));
      }
      return out;
    }
    case ast::ExprKind::Call: {
      auto* call = expr.As<ast::CallExpr>();
      const std::string& name = call->callee->As<ast::NameExpr>()->name;
      if (name == "column") {
        out.op = Op::Column;
        out.text = call->arguments[0].value->As<ast::StringLiteral>()->value;
        return out;
      }
      static const std::map<std::string, Op, std::less<>> kFunctions = {
          {"starts_with", Op::StartsWith}, {"ends_with", Op::EndsWith}, {"contains", Op::Contains}, {"sum", Op::Sum},
          {"min", Op::Min}, {"max", Op::Max}, {"first", Op::First}, {"last", Op::Last}, {"count", Op::Count},
          {"most_frequent", Op::MostFrequent}};
      out.op = kFunctions.at(name);
      for (const auto& argument : call->arguments) out.args.push_back(RowExprOf(*argument.value));
      return out;
    }
    default:
      return out;
  }
}

data::SourceDescription SourceOf(const ast::SourceDecl& source) {
  data::SourceDescription out;
  out.name = source.name.name;
  for (const auto& table : source.tables) {
    data::TableDescription& t = out.tables.emplace_back();
    t.name = table.name.name;
    t.location = table.location.value;
    for (const auto& option : table.options) {
      const std::string& value = option.value->As<ast::StringLiteral>()->value;
      const std::string& name = option.name.name;
      if (name == "format") t.whitespace = value == "whitespace";
      if (name == "decimal") t.decimal = value.empty() ? 0 : value[0];
      if (name == "time_format") t.time_format = value;
      if (name == "time_zone") t.time_zone = value;
      if (name == "currency") t.currency = value;
      if (name == "round") t.round = value;
    }
  }
  for (const auto& entity : source.entities) {
    data::EntityDescription& e = out.entities.emplace_back();
    e.is_event = entity.is_event;
    e.name = entity.name.name;
    e.table = entity.table.name;
    if ((e.has_when = entity.when != nullptr)) e.when = RowExprOf(*entity.when);
    if ((e.has_group = entity.group_by != nullptr)) e.group_by = RowExprOf(*entity.group_by);
    for (const auto& field : entity.fields) e.fields.emplace_back(field.name.name, RowExprOf(*field.value));
  }
  return out;
}

}  // namespace

std::optional<data::DataSchema> LoadDataSchema(const std::string& program, DiagnosticSink& sink) {
  std::string path = program.empty() ? (std::filesystem::path(sema::StdlibDir()) / "std" / "crm.rel").string() : program;
  std::string reason;
  auto source = SourceFile::Read(path, reason);
  if (!source) {
    sink.Consume(MakeDiagnostic(DiagnosticKind::CannotReadFile, path, path, reason));
    return std::nullopt;
  }
  CompiledFile compiled = CompileFile(std::make_shared<const SourceFile>(std::move(*source)), sink);
  if (compiled.has_errors) return std::nullopt;
  return DataSchemaOf(compiled.checked.model);
}

std::optional<data::DataSchema> DataSchemaOf(const sema::SemanticModel& model) {
  for (const auto& module : model.modules) {
    for (const auto& decl : module.ast.decls) {
      auto* schema = decl->As<ast::SchemaDecl>();
      if (schema == nullptr) continue;
      data::DataSchema out;
      for (const auto& entity : schema->entities) {
        if (entity.is_event) {
          out.events.push_back(EntityOf(entity));
        } else {
          out.customer = EntityOf(entity);
        }
      }
      for (const auto& described : model.modules) {
        for (const auto& source_decl : described.ast.decls) {
          auto* source = source_decl->As<ast::SourceDecl>();
          if (source != nullptr && source->schema.name == schema->name.name) out.source = SourceOf(*source);
        }
      }
      return out;
    }
  }
  return std::nullopt;
}

}  // namespace relc::driver
