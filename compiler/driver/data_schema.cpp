#include "driver/data_schema.h"

#include <filesystem>

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
      return out;
    }
  }
  return std::nullopt;
}

}  // namespace relc::driver
