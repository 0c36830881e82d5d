#include "lsp/workspace.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "syntax/parse.h"

namespace relc::lsp {
namespace {

// LSP CompletionItemKind and SymbolKind values.
namespace completion_kind {
constexpr int kFunction = 3, kField = 5, kVariable = 6, kClass = 7, kModule = 9, kProperty = 10, kValue = 12,
              kEnum = 13, kKeyword = 14, kReference = 18, kConstant = 21, kEvent = 23;
}
namespace symbol_kind {
constexpr int kModule = 2, kNamespace = 3, kClass = 5, kField = 8, kEnum = 10, kFunction = 12, kVariable = 13,
              kConstant = 14, kObject = 19, kEvent = 24, kStruct = 23;
}

int CompletionKind(sema::SymbolKind kind) {
  using namespace completion_kind;
  switch (kind) {
    case sema::SymbolKind::Panel: return kClass;
    case sema::SymbolKind::Offer: return kValue;
    case sema::SymbolKind::Scenario: return kFunction;
    case sema::SymbolKind::Kpi: return kConstant;
    case sema::SymbolKind::Channel: return kEnum;
    case sema::SymbolKind::Event: return kEvent;
    case sema::SymbolKind::Attribute: return kField;
    case sema::SymbolKind::Measure:
    case sema::SymbolKind::Metric: return kProperty;
    case sema::SymbolKind::Function: return kFunction;
    case sema::SymbolKind::Parameter: return kVariable;
    case sema::SymbolKind::Step: return kReference;
    case sema::SymbolKind::Constant: return kConstant;
    case sema::SymbolKind::Model: return kModule;
  }
  return kVariable;
}

bool Contains(SourceRange range, uint32_t offset) { return range.begin <= offset && offset <= range.end; }

const sema::Module* ModuleOf(const Analysis& analysis, const SourceFile* file) {
  for (const auto& module : analysis.checked.model.modules) {
    if (module.file.get() == file) return &module;
  }
  return nullptr;
}

// The first line of the symbol's declaration, as written.
std::string DeclarationLine(const sema::Symbol& symbol) {
  if (symbol.file == nullptr) return "";
  uint32_t begin = symbol.decl != nullptr ? symbol.decl->range.begin : symbol.range.begin;
  std::string_view line = symbol.file->LineText(symbol.file->Locate(begin).line);
  while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
  return std::string(line);
}

// A KPI's type is that of its formula (`percent`, `money(EUR)`); other symbols carry theirs.
std::string TypeOf(const sema::Symbol& symbol, const sema::SemanticModel& model) {
  if (symbol.kind == sema::SymbolKind::Kpi && symbol.decl != nullptr) {
    if (auto* kpi = symbol.decl->As<ast::KpiDecl>()) {
      if (auto it = model.types.find(kpi->formula.get()); it != model.types.end()) return sema::TypeName(it->second);
    }
  }
  return sema::TypeName(symbol.type);
}

bool IsNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || (c & 0x80) != 0; }

}  // namespace

std::unique_ptr<Analysis> Analyze(std::shared_ptr<const SourceFile> file, const CheckFunction& check) {
  auto analysis = std::make_unique<Analysis>();
  analysis->file = std::move(file);
  DiagnosticCollector diagnostics;
  analysis->checked = check(analysis->file, diagnostics);
  analysis->diagnostics = std::move(diagnostics.diagnostics());
  // Sema resolves names only in files that parse; REL0001-REL0099 are the parser's codes.
  analysis->resolved = std::none_of(analysis->diagnostics.begin(), analysis->diagnostics.end(), [&](const Diagnostic& d) {
    return Info(d.kind).number < 100 && d.file == analysis->file;
  });
  return analysis;
}

std::unique_ptr<Analysis> AnalyzeStandardLibrary(const CheckFunction& check) {
  // The prelude (channels, model, crm) comes with every file; the rest is imported by name.
  auto importer = std::make_shared<const SourceFile>("<standard library>", "import std.segments\nimport std.kpis\nimport std.scenarios\n");
  return Analyze(std::move(importer), check);
}

std::optional<Occurrence> SymbolAt(const Analysis& analysis, uint32_t offset) {
  std::optional<Occurrence> best;
  auto consider = [&](const SourceFile* file, SourceRange range, const sema::Symbol* symbol) {
    if (file != analysis.file.get() || !Contains(range, offset) || symbol == nullptr) return;
    if (!best || range.end - range.begin < best->range.end - best->range.begin) best = Occurrence{file, range, symbol};
  };
  for (const auto& use : analysis.checked.model.name_uses) consider(use.file, use.range, use.symbol);
  for (const auto& symbol : analysis.checked.model.symbols) consider(symbol.file.get(), symbol.range, &symbol);
  return best;
}

std::vector<Occurrence> OccurrencesOf(const Analysis& analysis, const sema::Symbol* symbol) {
  std::vector<Occurrence> found;
  std::set<std::tuple<const SourceFile*, uint32_t, uint32_t>> seen;
  auto add = [&](const SourceFile* file, SourceRange range) {
    if (file != nullptr && seen.emplace(file, range.begin, range.end).second) found.push_back({file, range, symbol});
  };
  add(symbol->file.get(), symbol->range);
  for (const auto& use : analysis.checked.model.name_uses) {
    if (use.symbol == symbol) add(use.file, use.range);
  }
  std::stable_sort(found.begin() + (found.empty() ? 0 : 1), found.end(), [](const Occurrence& a, const Occurrence& b) {
    return std::tie(a.file, a.range.begin) < std::tie(b.file, b.range.begin);
  });
  return found;
}

std::string HoverMarkdown(const sema::Symbol& symbol, const Analysis& analysis) {
  std::string out = fmt::format("**{}** `{}`", sema::KindWord(symbol.kind), symbol.name);
  std::string type = TypeOf(symbol, analysis.checked.model);
  if (!type.empty() && type != sema::KindWord(symbol.kind)) out += fmt::format(" : `{}`", type);
  out += "\n\n";
  if (symbol.file == nullptr) {
    out += "built into relc\n";
  } else {
    const sema::Module* module = ModuleOf(analysis, symbol.file.get());
    out += fmt::format("```rel\n{}\n```\n", DeclarationLine(symbol));
    if (module != nullptr && module->is_stdlib) out += fmt::format("from `{}`\n", module->name);
  }
  if (!symbol.doc.empty()) out += "\n" + symbol.doc + "\n";
  return out;
}

std::vector<CompletionItem> Complete(const std::string& text, uint32_t offset, const Analysis* names,
                                     const Analysis* stdlib) {
  offset = std::min<uint32_t>(offset, static_cast<uint32_t>(text.size()));
  uint32_t word_begin = offset;
  while (word_begin > 0 && IsNameChar(text[word_begin - 1])) --word_begin;
  // The word before the one being typed decides what fits: `send ` wants a channel.
  uint32_t at = word_begin;
  bool after_dot = at > 0 && text[at - 1] == '.';
  if (after_dot) --at;
  while (at > 0 && (text[at - 1] == ' ' || text[at - 1] == '\t')) --at;
  uint32_t previous_begin = at;
  while (previous_begin > 0 && IsNameChar(text[previous_begin - 1])) --previous_begin;
  std::string previous = text.substr(previous_begin, at - previous_begin);

  std::vector<CompletionItem> items;
  std::set<std::string> seen;
  auto add_symbols = [&](auto wanted) {
    if (names == nullptr) return;
    for (const auto& symbol : names->checked.model.symbols) {
      if (symbol.name.empty() || !wanted(symbol) || !seen.insert(symbol.name).second) continue;
      std::string detail(sema::KindWord(symbol.kind));
      if (std::string type = TypeOf(symbol, names->checked.model); !type.empty() && type != detail) detail += ": " + type;
      const sema::Module* module = symbol.file ? ModuleOf(*names, symbol.file.get()) : nullptr;
      if (module != nullptr && module->is_stdlib) detail += " (" + module->name + ")";
      items.push_back({symbol.name, CompletionKind(symbol.kind), detail, symbol.doc});
    }
  };
  auto of_kind = [](std::initializer_list<sema::SymbolKind> kinds) {
    return [kinds](const sema::Symbol& symbol) { return std::find(kinds.begin(), kinds.end(), symbol.kind) != kinds.end(); };
  };

  if (after_dot && previous == "customer") {
    add_symbols(of_kind({sema::SymbolKind::Attribute, sema::SymbolKind::Measure}));
    return items;
  }
  if (after_dot && previous == "std") {
    for (const char* module : {"channels", "crm", "kpis", "model", "scenarios", "segments"}) {
      items.push_back({module, completion_kind::kModule, "standard library module", ""});
    }
    return items;
  }
  if (previous == "send") {
    add_symbols(of_kind({sema::SymbolKind::Channel}));
    return items;
  }
  if (previous == "with") {
    add_symbols(of_kind({sema::SymbolKind::Offer}));
    return items;
  }
  if (previous == "goto") {
    add_symbols(of_kind({sema::SymbolKind::Step}));
    return items;
  }
  if (previous == "import") {
    items.push_back({"std", completion_kind::kModule, "the standard library", ""});
    return items;
  }
  for (const std::string& keyword : syntax::Keywords()) {
    if (seen.insert(keyword).second) items.push_back({keyword, completion_kind::kKeyword, "keyword", ""});
  }
  add_symbols([](const sema::Symbol& symbol) { return symbol.kind != sema::SymbolKind::Step; });
  // Standard library declarations not in scope yet: completing one imports its module.
  if (stdlib != nullptr) {
    for (const auto& symbol : stdlib->checked.model.symbols) {
      const sema::Module* module = symbol.file ? ModuleOf(*stdlib, symbol.file.get()) : nullptr;
      if (module == nullptr || !module->is_stdlib || symbol.kind == sema::SymbolKind::Parameter ||
          symbol.kind == sema::SymbolKind::Step || !seen.insert(symbol.name).second) {
        continue;
      }
      std::string detail = fmt::format("{} ({}, imported on completion)", sema::KindWord(symbol.kind), module->name);
      items.push_back({symbol.name, CompletionKind(symbol.kind), detail, symbol.doc, module->name});
    }
  }
  return items;
}

std::vector<OutlineItem> Outline(const Analysis& analysis) {
  using namespace symbol_kind;
  const auto& modules = analysis.checked.model.modules;
  if (modules.empty()) return {};
  std::function<std::optional<OutlineItem>(const ast::Decl&)> item = [&](const ast::Decl& decl) -> std::optional<OutlineItem> {
    auto named = [&](const ast::Identifier& name, std::string detail, int kind) -> std::optional<OutlineItem> {
      if (name.name.empty()) return std::nullopt;
      return OutlineItem{name.name, std::move(detail), kind, decl.range, name.range, {}};
    };
    switch (decl.kind) {
      case ast::DeclKind::Program: {
        auto* program = decl.As<ast::ProgramDecl>();
        OutlineItem out{program->title.value, "program", kNamespace, decl.range, program->title.range, {}};
        if (out.name.empty()) out.name = "(program)";
        for (const auto& member : program->members) {
          if (auto child = item(*member)) out.children.push_back(std::move(*child));
        }
        return out;
      }
      case ast::DeclKind::Objective: return named(decl.As<ast::ObjectiveDecl>()->name, "objective", kObject);
      case ast::DeclKind::Panel: return named(decl.As<ast::PanelDecl>()->name, "panel", kClass);
      case ast::DeclKind::Offer: return named(decl.As<ast::OfferDecl>()->name, "offer", kConstant);
      case ast::DeclKind::Channel: return named(decl.As<ast::ChannelDecl>()->name, "channel", kEnum);
      case ast::DeclKind::Scenario: return named(decl.As<ast::ScenarioDecl>()->name, "scenario", kFunction);
      case ast::DeclKind::Kpi: return named(decl.As<ast::KpiDecl>()->name, "kpi", kVariable);
      case ast::DeclKind::Model: return named(decl.As<ast::ModelDecl>()->name, "model", kModule);
      case ast::DeclKind::Schema: {
        auto* schema = decl.As<ast::SchemaDecl>();
        auto out = named(schema->name, "schema", kStruct);
        if (out) {
          for (const auto& entity : schema->entities) {
            out->children.push_back({entity.name.name, entity.is_event ? "event" : "entity",
                                     entity.is_event ? kEvent : kStruct, entity.range, entity.name.range, {}});
          }
        }
        return out;
      }
      case ast::DeclKind::Source: {
        auto* source = decl.As<ast::SourceDecl>();
        auto out = named(source->name, "source", kModule);
        if (out) {
          for (const auto& entity : source->entities) {
            out->children.push_back({entity.name.name, "from " + entity.table.name, entity.is_event ? kEvent : kStruct,
                                     entity.range, entity.name.range, {}});
          }
        }
        return out;
      }
      case ast::DeclKind::Function: return named(decl.As<ast::FunctionDecl>()->name, "function", kFunction);
      case ast::DeclKind::Pressure:
        return OutlineItem{"pressure", "marketing pressure", kField, decl.range, {decl.range.begin, decl.range.begin + 8}, {}};
      case ast::DeclKind::Consent:
        return OutlineItem{"consent", "consent rules", kField, decl.range, {decl.range.begin, decl.range.begin + 7}, {}};
      case ast::DeclKind::Priority:
      case ast::DeclKind::Holdout:
      case ast::DeclKind::Expect:
        return std::nullopt;
    }
    return std::nullopt;
  };
  std::vector<OutlineItem> items;
  for (const auto& decl : modules.front().ast.decls) {
    if (auto out = item(*decl)) items.push_back(std::move(*out));
  }
  return items;
}

std::vector<std::pair<const ast::Import*, std::set<std::string>>> ImportsOf(const Analysis& analysis) {
  const auto& modules = analysis.checked.model.modules;
  auto path_of = [&](const sema::Module& from, const ast::Import& import) -> std::string {
    if (import.is_file) {
      return (std::filesystem::path(from.file->path()).parent_path() / import.file.value).lexically_normal().string();
    }
    std::string name;
    for (const auto& part : import.path) name += (name.empty() ? "" : ".") + part.name;
    for (const auto& module : modules) {
      if (module.is_stdlib && module.name == name) return module.file->path();
    }
    return "";
  };
  auto module_at = [&](const std::string& path) -> const sema::Module* {
    for (const auto& module : modules) {
      if (module.file->path() == path) return &module;
    }
    return nullptr;
  };
  std::vector<std::pair<const ast::Import*, std::set<std::string>>> out;
  const sema::Module* root = nullptr;
  for (const auto& module : modules) {
    if (module.file == analysis.file) root = &module;
  }
  if (root == nullptr) return out;
  for (const ast::Import& import : root->ast.imports) {
    std::set<std::string> reached;
    std::vector<std::string> pending = {path_of(*root, import)};
    while (!pending.empty()) {
      std::string path = pending.back();
      pending.pop_back();
      if (path.empty() || !reached.insert(path).second) continue;
      if (const sema::Module* module = module_at(path)) {
        for (const ast::Import& next : module->ast.imports) pending.push_back(path_of(*module, next));
      }
    }
    out.emplace_back(&import, std::move(reached));
  }
  return out;
}


}  // namespace relc::lsp
