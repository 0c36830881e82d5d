// Modules, declarations and programs.
#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "diagnostics/suggest.h"
#include "sema/checker.h"
#include "syntax/parse.h"

namespace relc::sema {
namespace fs = std::filesystem;

std::string StdlibDir() {
  if (const char* dir = std::getenv("RELC_STDLIB"); dir != nullptr && *dir != '\0') return dir;
  // Installed: beside the binary (bin/../share/relc/stdlib), wherever the prefix was moved.
  std::error_code error;
  const fs::path binary = fs::read_symlink("/proc/self/exe", error);
  if (!error) {
    const fs::path installed = (binary.parent_path() / RELC_STDLIB_FROM_BINARY).lexically_normal();
    if (fs::is_directory(installed / "std", error)) return installed.string();
  }
  return RELC_DEFAULT_STDLIB_DIR;  // run from the build tree: the sources' stdlib/
}

CheckResult Check(const std::shared_ptr<const SourceFile>& root, DiagnosticSink& sink, const CheckOptions& options) {
  CheckResult result;
  Checker checker(result.model, sink, options);
  result.has_errors = !checker.Run(root);
  return result;
}

Symbol& Checker::NewSymbol(SymbolKind kind, std::string name, Type type) {
  Symbol& symbol = model_.symbols.emplace_back();
  symbol.kind = kind;
  symbol.name = std::move(name);
  symbol.type = std::move(type);
  return symbol;
}

Module* Checker::LoadModule(const std::string& name, std::shared_ptr<const SourceFile> file, bool is_stdlib) {
  DiagnosticCollector parse_diagnostics;
  syntax::ParseResult parsed = syntax::Parse(file, parse_diagnostics);
  for (auto& diagnostic : parse_diagnostics.diagnostics()) {
    errors_ += diagnostic.severity == Severity::Error;
    sink_->Consume(std::move(diagnostic));
  }
  if (parsed.has_errors) parse_failed_ = true;
  Module& module = model_.modules.emplace_back();
  module.name = name;
  module.file = std::move(file);
  module.ast = std::move(parsed.module);
  module.is_stdlib = is_stdlib;
  return &module;
}

void Checker::LoadImports(Module& module, std::vector<std::string>& stack) {
  for (const auto& import : module.ast.imports) {
    current_file_ = module.file;
    std::string name, path;
    bool is_stdlib = !import.is_file;
    if (import.is_file) {
      name = import.file.value;
      path = (fs::path(module.file->path()).parent_path() / import.file.value).lexically_normal().string();
    } else {
      for (const auto& part : import.path) name += (name.empty() ? "" : ".") + part.name;
      fs::path file_path = options_.stdlib_dir;
      for (const auto& part : import.path) file_path /= part.name;
      path = file_path.string() + ".rel";
    }
    if (std::find(stack.begin(), stack.end(), path) != stack.end()) {
      std::string cycle;
      for (auto it = std::find(stack.begin(), stack.end(), path); it != stack.end(); ++it) cycle += *it + " -> ";
      Emit(DiagnosticKind::ImportCycle, import.range, cycle + path)
          .Primary("this import closes the cycle")
          .Help("move what both files need into a third file that neither imports");
      continue;
    }
    auto loaded = std::find_if(model_.modules.begin(), model_.modules.end(),
                               [&](const Module& m) { return m.file->path() == path; });
    if (loaded != model_.modules.end()) {
      imports_[&module].push_back(&*loaded);
      if (import.alias) aliases_[&module][import.alias->name] = &*loaded;
      continue;
    }
    std::string reason;
    auto source = SourceFile::Read(path, reason);
    if (!source) {
      auto builder = Emit(DiagnosticKind::UnknownModule, import.range, name);
      builder.Primary(is_stdlib ? "not in the standard library" : reason);
      if (is_stdlib) builder.Note("the standard library is read from " + options_.stdlib_dir);
      continue;
    }
    Module* imported = LoadModule(name, std::make_shared<const SourceFile>(std::move(*source)), is_stdlib);
    imports_[&module].push_back(imported);
    if (import.alias) aliases_[&module][import.alias->name] = imported;
    stack.push_back(path);
    LoadImports(*imported, stack);
    stack.pop_back();
  }
}

const Symbol* Checker::Declare(std::map<std::string, const Symbol*, std::less<>>& scope, SymbolKind kind,
                               const ast::Identifier& name, Type type, const ast::Decl* decl,
                               const std::shared_ptr<const SourceFile>& file) {
  if (name.name.empty()) return nullptr;
  if (auto it = scope.find(name.name); it != scope.end() && it->second->file != nullptr) {
    const Symbol* first = it->second;
    auto builder = Emit(DiagnosticKind::DuplicateDefinition, name.range, name.name);
    builder.Primary("defined again here");
    if (first->file == file) {
      builder.Label(first->range, "first defined here");
    } else {
      builder.Note(fmt::format("first defined in {}", first->file->path()));
    }
    builder.Help("rename one of them");
    return nullptr;
  }
  Symbol& symbol = NewSymbol(kind, name.name, std::move(type));
  symbol.decl = decl;
  symbol.file = file;
  symbol.range = name.range;
  if (decl != nullptr) symbol.doc = decl->doc;
  scope[name.name] = &symbol;
  return &symbol;
}

void Checker::DeclareSchema(const Module& module, const ast::SchemaDecl& schema) {
  current_file_ = module.file;
  for (const auto& entity : schema.entities) {
    std::map<std::string, const Symbol*, std::less<>> fields;
    for (const auto& field : entity.fields) {
      std::string unit = field.type.unit ? field.type.unit->name : "";
      std::optional<Type> type = ParseTypeName(field.type.name.name, unit);
      if (!type) {
        Emit(DiagnosticKind::UnknownType, field.type.range, field.type.name.name).Primary("not a type");
        type = Type::Of(TypeKind::Error);
      }
      if (const Symbol* symbol = Declare(fields, SymbolKind::Attribute, field.name, *type, &schema, module.file)) {
        const_cast<Symbol*>(symbol)->doc = field.doc;
      }
    }
    if (entity.is_event) {
      event_fields_[entity.name.name] = std::move(fields);
      Symbol& event = NewSymbol(SymbolKind::Event, entity.name.name, Type::EventNamed(entity.name.name));
      event.file = module.file;
      event.range = entity.name.range;
      event.doc = entity.doc;
      module_scopes_[&module][entity.name.name] = &event;
    } else if (entity.name.name == "customer") {
      attributes_ = std::move(fields);
    } else {
      Emit(DiagnosticKind::UnknownSchemaEntity, entity.name.range, entity.name.name)
          .Primary("neither `customer` nor an event")
          .Help(fmt::format("write `event {} {{ ... }}` for an event type", entity.name.name));
    }
  }
}

// A module of the prelude (std.channels, std.model, std.crm), unless a file imported it already.
const Module* Checker::LoadStandard(std::string_view name) {
  fs::path path = fs::path(options_.stdlib_dir) / "std" / (std::string(name) + ".rel");
  std::error_code error;
  fs::path canonical = fs::weakly_canonical(path, error);
  for (const Module& module : model_.modules) {
    if (fs::weakly_canonical(module.file->path(), error) == canonical) return &module;
  }
  std::string reason;
  auto source = SourceFile::Read(path.string(), reason);
  if (!source) {
    if (!prelude_missing_) {
      current_file_ = model_.modules.front().file;
      Emit(DiagnosticKind::UnknownModule, SourceRange{}, "std." + std::string(name))
          .Primary("the standard library is missing")
          .Note(fmt::format("every file sees std.channels and std.model; they are read from {}", options_.stdlib_dir))
          .Help("set RELC_STDLIB to the stdlib/ folder of relc's sources");
    }
    prelude_missing_ = true;
    return nullptr;
  }
  return LoadModule("std." + std::string(name), std::make_shared<const SourceFile>(std::move(*source)), true);
}

bool Checker::Run(const std::shared_ptr<const SourceFile>& root) {
  Module* root_module = LoadModule(root->path(), root, false);
  std::vector<std::string> stack = {root->path()};
  LoadImports(*root_module, stack);
  for (const std::string& path : options_.model_files) {
    std::string reason;
    auto source = SourceFile::Read(path, reason);
    if (!source) {
      auto diagnostic = MakeDiagnostic(DiagnosticKind::CannotReadFile, path, path, reason);
      errors_ += 1;
      sink_->Consume(std::move(diagnostic));
      continue;
    }
    Module* model = LoadModule(path, std::make_shared<const SourceFile>(std::move(*source)), false);
    model->from_command_line = true;
    std::vector<std::string> model_stack = {path};
    LoadImports(*model, model_stack);
  }

  // The data contract: the schemas declared in the loaded modules, else the standard one.
  auto has_schema = [](const Module& m) {
    return std::any_of(m.ast.decls.begin(), m.ast.decls.end(),
                       [](const ast::DeclPtr& d) { return d->kind == ast::DeclKind::Schema; });
  };
  bool declares_schema = std::any_of(model_.modules.begin(), model_.modules.end(), has_schema);
  // The prelude every file sees: the channels and the default behaviour model, and the standard
  // data contract when no loaded file declares a schema.
  std::vector<const Module*> prelude;
  for (std::string_view name : {"channels", "model", "crm"}) {
    if (name == "crm" && declares_schema) continue;
    if (const Module* module = LoadStandard(name)) prelude.push_back(module);
  }
  if (parse_failed_) return false;

  for (const Module& module : model_.modules) {
    for (const auto& decl : module.ast.decls) {
      if (auto* schema = decl->As<ast::SchemaDecl>()) {
        DeclareSchema(module, *schema);
        schemas_.try_emplace(schema->name.name, schema);
        if (schema_name_.empty()) schema_name_ = schema->name.name;
      }
    }
  }
  for (const Module& module : model_.modules) {
    current_file_ = module.file;
    for (const auto& decl : module.ast.decls) {
      if (auto* source = decl->As<ast::SourceDecl>()) CheckSource(*source);
    }
  }
  // The built-ins come after the data contract: their money is in the purchases' currency.
  if (auto purchase = event_fields_.find("purchase"); purchase != event_fields_.end()) {
    auto amount = purchase->second.find("amount");
    if (amount != purchase->second.end() && amount->second->type.Is(TypeKind::Money)) model_.currency = amount->second->type.currency;
  }
  AddBuiltins(model_, builtins_);

  // Top-level declarations of every module, then each module's own checks.
  auto declare_members = [&](std::map<std::string, const Symbol*, std::less<>>& scope,
                             const std::vector<ast::DeclPtr>& decls, const std::shared_ptr<const SourceFile>& file) {
    for (const auto& decl : decls) {
      switch (decl->kind) {
        case ast::DeclKind::Panel:
          Declare(scope, SymbolKind::Panel, decl->As<ast::PanelDecl>()->name, Type::Of(TypeKind::Panel), decl.get(), file);
          break;
        case ast::DeclKind::Offer:
          Declare(scope, SymbolKind::Offer, decl->As<ast::OfferDecl>()->name, Type::Of(TypeKind::Offer), decl.get(), file);
          break;
        case ast::DeclKind::Scenario:
          Declare(scope, SymbolKind::Scenario, decl->As<ast::ScenarioDecl>()->name, Type::Of(TypeKind::Scenario),
                  decl.get(), file);
          break;
        case ast::DeclKind::Kpi:
          Declare(scope, SymbolKind::Kpi, decl->As<ast::KpiDecl>()->name, Type::Of(TypeKind::Kpi), decl.get(), file);
          break;
        case ast::DeclKind::Channel:
          Declare(scope, SymbolKind::Channel, decl->As<ast::ChannelDecl>()->name, Type::Of(TypeKind::Channel),
                  decl.get(), file);
          break;
        case ast::DeclKind::Model:
          Declare(scope, SymbolKind::Model, decl->As<ast::ModelDecl>()->name, Type::Of(TypeKind::Error), decl.get(), file);
          break;
        case ast::DeclKind::Function: {
          auto* function = decl->As<ast::FunctionDecl>();
          std::string unit = function->result.unit ? function->result.unit->name : "";
          Type result = ParseTypeName(function->result.name.name, unit).value_or(Type::Of(TypeKind::Error));
          Declare(scope, SymbolKind::Function, function->name, result, decl.get(), file);
          break;
        }
        default:
          break;
      }
    }
  };
  for (Module& module : model_.modules) {
    current_file_ = module.file;
    declare_members(module_scopes_[&module], module.ast.decls, module.file);
  }

  // Scopes: built-ins, then what the imports bring, then the file's own names, then a program's.
  auto file_names = [&](const Module& module) {
    std::map<std::string, const Symbol*, std::less<>> names = builtins_.globals;
    for (const Module* standard : prelude) {
      for (const auto& [name, symbol] : module_scopes_[standard]) names[name] = symbol;
    }
    for (const Module* imported : imports_[&module]) {
      for (const auto& [name, symbol] : module_scopes_[imported]) names[name] = symbol;
    }
    for (const auto& [name, symbol] : module_scopes_[&module]) names[name] = symbol;
    return names;
  };

  // The standard library first: a program's use of one of its declarations needs to know
  // whether the schema has what it reads (CheckGuarded).
  std::vector<Module*> order;
  for (Module& module : model_.modules) {
    if (module.is_stdlib) order.push_back(&module);
  }
  for (Module& module : model_.modules) {
    if (!module.is_stdlib) order.push_back(&module);
  }
  for (Module* checked : order) {
    Module& module = *checked;
    current_file_ = module.file;
    ProgramInfo top_level;
    top_level.file = module.file;
    top_level.names = file_names(module);
    current_program_ = &top_level;
    for (const auto& decl : module.ast.decls) {
      if (decl->kind == ast::DeclKind::Program || decl->kind == ast::DeclKind::Schema || decl->kind == ast::DeclKind::Source) continue;
      if (module.is_stdlib) {
        CheckGuarded(*decl);
      } else {
        CheckDecl(*decl, Context{});
      }
    }
    for (const auto& decl : module.ast.decls) {
      auto* program_decl = decl->As<ast::ProgramDecl>();
      if (program_decl == nullptr) continue;
      ProgramInfo& program = model_.programs.emplace_back();
      program.decl = program_decl;
      program.file = module.file;
      program.names = top_level.names;
      std::map<std::string, const Symbol*, std::less<>> members;
      declare_members(members, program_decl->members, module.file);
      for (const auto& [name, symbol] : members) program.names[name] = symbol;
      CheckProgram(program);
    }
  }
  current_program_ = nullptr;
  return errors_ == 0;
}

void Checker::CheckGuarded(const ast::Decl& decl) {
  DiagnosticCollector collected;
  DiagnosticSink* sink = sink_;
  const int errors_before = errors_;
  sink_ = &collected;
  CheckDecl(decl, Context{});
  sink_ = sink;
  const auto& diagnostics = collected.diagnostics();
  const bool only_missing_names =
      collected.error_count() > 0 && std::all_of(diagnostics.begin(), diagnostics.end(), [](const Diagnostic& d) {
        return d.severity != Severity::Error || d.kind == DiagnosticKind::UnknownName;
      });
  if (!only_missing_names) {
    for (const Diagnostic& diagnostic : diagnostics) sink_->Consume(diagnostic);
    return;
  }
  errors_ = errors_before;
  std::vector<std::string>& missing = unavailable_[&decl];
  for (const Diagnostic& diagnostic : diagnostics) {
    if (diagnostic.kind != DiagnosticKind::UnknownName || diagnostic.file == nullptr) continue;
    std::string name(diagnostic.file->text().substr(diagnostic.range.begin, diagnostic.range.end - diagnostic.range.begin));
    if (std::find(missing.begin(), missing.end(), name) == missing.end()) missing.push_back(name);
  }
}

void Checker::RecordUse(SourceRange range, const Symbol* symbol) {
  model_.name_uses.push_back({current_file_.get(), range, symbol});
  if (symbol == nullptr || symbol->decl == nullptr) return;
  auto unavailable = unavailable_.find(symbol->decl);
  if (unavailable == unavailable_.end()) return;
  std::vector<std::string> names;
  for (const std::string& name : unavailable->second) names.push_back("`" + name + "`");
  std::string module_name = "the standard library";
  for (const Module& module : model_.modules) {
    if (module.file == symbol->file) module_name = module.name;
  }
  Emit(DiagnosticKind::NeedsMissingField, range, symbol->name, fmt::format("{}", fmt::join(names, ", ")), schema_name_)
      .Primary(fmt::format("declared in {} for schemas that have {}", module_name, fmt::join(names, ", ")))
      .Help(fmt::format("add {} to schema `{}`, or use another declaration", fmt::join(names, ", "), schema_name_));
}

void Checker::CheckProgram(ProgramInfo& program) {
  current_program_ = &program;
  current_file_ = program.file;
  int errors_before = errors_;
  for (const auto& member : program.decl->members) {
    if (member->kind == ast::DeclKind::Program || member->kind == ast::DeclKind::Schema ||
        member->kind == ast::DeclKind::Source) {
      Emit(DiagnosticKind::MisplacedDeclaration, member->range,
           member->kind == ast::DeclKind::Program  ? "a program"
           : member->kind == ast::DeclKind::Schema ? "a schema"
                                                   : "a source")
          .Primary("not allowed inside a program")
          .Help("move it to the top level of the file");
      continue;
    }
    CheckDecl(*member, Context{});
  }
  CheckConsentCoverage(program);
  CheckObjectives(program);
  CheckTriggersCanFire(program);
  // An error often leaves a name unused (a misspelt reference); say only what is certain.
  if (errors_ == errors_before) ReportUnused(program);
}

void Checker::ReportUnused(const ProgramInfo& program) {
  for (const auto& member : program.decl->members) {
    const ast::Identifier* name = nullptr;
    std::string_view what;
    if (auto* panel = member->As<ast::PanelDecl>()) {
      name = &panel->name;
      what = "panel";
    } else if (auto* offer = member->As<ast::OfferDecl>()) {
      name = &offer->name;
      what = "offer";
    }
    if (name == nullptr) continue;
    auto it = program.names.find(name->name);
    if (it == program.names.end() || it->second->decl != member.get() || it->second->uses > 0) continue;
    Emit(what == "panel" ? DiagnosticKind::UnusedPanel : DiagnosticKind::UnusedOffer, name->range, name->name)
        .Primary(fmt::format("this {} is never used", what))
        .Help(what == "panel" ? "trigger a scenario with it (`trigger enter ...`), or remove it"
                              : "send it with a message (`send email \"...\" with ...`), or remove it");
  }
}

// A parameter's default value, checked where the declaration stands, against its type: a panel
// or function named without that argument uses it.
void Checker::CheckDefault(const ast::Parameter& parameter, const Type& type, const Context& context) {
  if (!parameter.default_value) return;
  Type value = CheckExpr(parameter.default_value.get(), context);
  if (!type.Is(TypeKind::Error)) {
    Expect(parameter.default_value.get(), value, type.kind, fmt::format("a {} (the type of `{}`)", parameter.type.name.name, parameter.name.name));
  }
}

void Checker::CheckDecl(const ast::Decl& decl, const Context& context) {
  switch (decl.kind) {
    case ast::DeclKind::Panel: {
      auto* panel = decl.As<ast::PanelDecl>();
      std::map<std::string, const Symbol*, std::less<>> locals;
      if (panel->parameters) {
        for (const auto& parameter : *panel->parameters) {
          std::string unit = parameter.type.unit ? parameter.type.unit->name : "";
          Type type = ParseTypeName(parameter.type.name.name, unit).value_or(Type::Of(TypeKind::Error));
          Declare(locals, SymbolKind::Parameter, parameter.name, type, nullptr, current_file_);
          CheckDefault(parameter, type, context);
        }
      }
      Context inner = context;
      inner.locals = &locals;
      Expect(panel->definition.get(), CheckExpr(panel->definition.get(), inner), TypeKind::Panel, "a panel");
      return;
    }
    case ast::DeclKind::Objective: {
      for (const auto& item : decl.As<ast::ObjectiveDecl>()->items) {
        if (item.kind == ast::ObjectiveItemKind::Goal) {
          Type goal = CheckExpr(item.value.get(), context);
          Expect(item.value.get(), goal, TypeKind::Event, "a goal event, such as `purchase within 30 days`");
        } else {
          Context metrics = context;
          metrics.metrics = true;
          Expect(item.value.get(), CheckExpr(item.value.get(), metrics), TypeKind::Bool, "a target condition");
        }
      }
      return;
    }
    case ast::DeclKind::Pressure:
      CheckPressure(*decl.As<ast::PressureDecl>());
      return;
    case ast::DeclKind::Consent:
      for (const auto& rule : decl.As<ast::ConsentDecl>()->rules) {
        ResolveAs(rule.channel, SymbolKind::Channel, DiagnosticKind::UnknownChannel, "not a channel");
        if (rule.condition) {
          Expect(rule.condition.get(), CheckExpr(rule.condition.get(), context.WithCustomer()), TypeKind::Bool,
                 "a condition on the customer");
        }
      }
      return;
    case ast::DeclKind::Holdout:
      CheckShare(decl.As<ast::HoldoutDecl>()->share.get(), "a holdout");
      return;
    case ast::DeclKind::Offer:
      CheckOffer(*decl.As<ast::OfferDecl>());
      return;
    case ast::DeclKind::Channel:
      CheckProperties(decl.As<ast::ChannelDecl>()->properties, "channel");
      return;
    case ast::DeclKind::Scenario:
      CheckScenario(*decl.As<ast::ScenarioDecl>(), context);
      return;
    case ast::DeclKind::Kpi: {
      auto* kpi = decl.As<ast::KpiDecl>();
      if (kpi->parameters) return;  // a template: typed where it is used
      Type type = KpiType(*kpi);
      if (!type.IsError() && !type.IsNumber() && !type.Is(TypeKind::Money) && !type.Is(TypeKind::Duration)) {
        Emit(DiagnosticKind::TypeMismatch, kpi->formula->range, "a number, an amount or a duration", TypeName(type))
            .Primary("a KPI measures something");
      }
      CheckKpiDivisions(kpi->formula.get(), kpi->name.name);
      return;
    }
    case ast::DeclKind::Expect: {
      Context metrics = context;
      metrics.metrics = true;
      auto* expect = decl.As<ast::ExpectDecl>();
      Expect(expect->condition.get(), CheckExpr(expect->condition.get(), metrics), TypeKind::Bool, "a condition");
      return;
    }
    case ast::DeclKind::Priority: {
      auto* priority = decl.As<ast::PriorityDecl>();
      Expect(priority->value.get(), CheckExpr(priority->value.get(), context), TypeKind::Integer, "a whole number");
      return;
    }
    case ast::DeclKind::Model: {
      auto* model = decl.As<ast::ModelDecl>();
      for (const auto& response : model->responses) {
        CheckProperties(response.properties, "response");
        if (response.segment) CheckExpr(response.segment.get(), context);
      }
      for (const auto& baseline : model->baselines) {
        CheckProperties(baseline.properties, "baseline");
        if (baseline.segment) CheckExpr(baseline.segment.get(), context);
        CheckBaselineWindow(baseline);
      }
      CheckProperties(model->properties, "model");
      return;
    }
    case ast::DeclKind::Function: {
      auto* function = decl.As<ast::FunctionDecl>();
      if (function->body == nullptr) return;
      std::map<std::string, const Symbol*, std::less<>> locals;
      for (const auto& parameter : function->parameters) {
        std::string unit = parameter.type.unit ? parameter.type.unit->name : "";
        Type type = ParseTypeName(parameter.type.name.name, unit).value_or(Type::Of(TypeKind::Error));
        Declare(locals, SymbolKind::Parameter, parameter.name, type, nullptr, current_file_);
        CheckDefault(parameter, type, context);
      }
      Context inner = context;
      inner.locals = &locals;
      CheckExpr(function->body.get(), inner);
      return;
    }
    case ast::DeclKind::Program:
    case ast::DeclKind::Schema:
    case ast::DeclKind::Source:
      return;
  }
}

}  // namespace relc::sema
