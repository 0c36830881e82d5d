#include "driver/campaign_panels.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <set>

#include "driver/session.h"
#include "evaluate/bind.h"
#include "evaluate/panels.h"
#include "interp/interpreter.h"

namespace relc::driver {

struct CampaignPanels::State {
  CompiledFile compiled;
  Dataset dataset;
  std::vector<std::string> names;              // the program's named panels
  std::vector<evaluate::Selection> selections;  // theirs, in the same order
};

const data::DataSchema& CampaignPanels::Schema() const { return state_->dataset.store.schema; }

std::optional<CampaignPanels> CampaignPanels::Load(const ParsedOptions& options, Context& context, int& exit_code) {
  auto compiled = CompileForEngines(options, context, exit_code);
  if (!compiled) return std::nullopt;
  if (compiled->programs.size() != 1) {
    exit_code = kExitUsageOrIo;
    PrintUsageError(context.err, fmt::format("{} declares {} programs: name the panels of one program, in a file of its own",
                                             options.positional.front(), compiled->programs.size()));
    return std::nullopt;
  }
  if (!options.Has("--data") || !options.Has("--as-of")) {
    exit_code = kExitUsageOrIo;
    PrintUsageError(context.err, "the panels need the customer data and the campaign's date: give `--data SOURCE` and `--as-of DATE`");
    return std::nullopt;
  }
  auto dataset = LoadDataset({&*compiled}, options, context, exit_code);
  if (!dataset) return std::nullopt;
  auto state = std::make_shared<State>(State{.compiled = std::move(*compiled), .dataset = std::move(*dataset)});
  const ir::Program& program = state->compiled.programs.front();
  std::string error;
  // Panels draw nothing at random: the interpreter evaluates them once, without a JIT to start.
  auto bound = evaluate::BoundData::Bind(program, state->dataset.store, state->dataset.measures,
                                         state->dataset.measure_options, state->dataset.now, 1, error);
  if (!bound) {
    exit_code = kExitProgramErrors;
    context.err << "error: " << error << '\n';
    return std::nullopt;
  }
  std::vector<evaluate::Selection> selections = evaluate::EvaluatePanels(program, *interp::MakeInterpreter(program), *bound);
  for (size_t p = 0; p < program.panels.size(); ++p) {
    if (program.panels[p].name.empty()) continue;
    state->names.push_back(program.panels[p].name);
    state->selections.push_back(std::move(selections[p]));
  }
  CampaignPanels panels;
  panels.state_ = std::move(state);
  return panels;
}

std::vector<calibrate::PanelSegment> CampaignPanels::Segments() const {
  std::vector<calibrate::PanelSegment> segments;
  for (size_t p = 0; p < state_->names.size(); ++p) {
    segments.push_back({state_->names[p], [state = state_, p](std::string_view id) -> std::optional<bool> {
                          std::optional<uint32_t> row = state->dataset.store.RowOfId(id);
                          if (!row) return std::nullopt;
                          return ((state->selections[p][*row >> 6] >> (*row & 63)) & 1) != 0;
                        }});
  }
  return segments;
}

std::optional<std::vector<std::string>> CampaignPanels::Declarations(const std::vector<std::string>& panels,
                                                                     std::string& error) const {
  const sema::SemanticModel& model = state_->compiled.checked.model;
  const sema::ProgramInfo& info = model.programs.front();
  const SourceFile& file = *info.file;
  auto find = [&](const std::string& name) -> const ast::PanelDecl* {
    for (const auto& member : info.decl->members) {
      if (auto* panel = member->As<ast::PanelDecl>(); panel != nullptr && panel->name.name == name) return panel;
    }
    return nullptr;
  };
  std::vector<std::string> declarations;
  std::set<std::string> written;
  std::function<bool(const std::string&)> declare = [&](const std::string& name) {
    if (written.contains(name)) return true;
    const ast::PanelDecl* panel = find(name);
    if (panel == nullptr || panel->parameters) {
      error = fmt::format("panel `{}` {}: a model file cannot carry it yet", name,
                          panel == nullptr ? "is not declared in the program itself" : "takes parameters");
      return false;
    }
    const SourceRange definition = panel->definition->range;
    // The panels its definition names come first.
    for (const sema::NameUse& use : model.name_uses) {
      if (use.file != &file || use.symbol == nullptr || use.symbol->kind != sema::SymbolKind::Panel) continue;
      if (use.range.begin < definition.begin || use.range.end > definition.end) continue;
      if (use.symbol->file.get() != &file) {
        error = fmt::format("panel `{}` builds on `{}` from {}: a model file cannot carry it yet", name, use.symbol->name,
                            use.symbol->file ? use.symbol->file->path() : "the language");
        return false;
      }
      if (!declare(use.symbol->name)) return false;
    }
    written.insert(name);
    declarations.push_back(fmt::format("panel {} = {}", name, file.Slice(definition)));
    return true;
  };
  for (const std::string& name : panels) {
    if (!declare(name)) return std::nullopt;
  }
  return declarations;
}

}  // namespace relc::driver
