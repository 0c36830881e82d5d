#include "driver/campaign_panels.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <set>

#include "data/values.h"
#include "driver/session.h"
#include "evaluate/bind.h"
#include "evaluate/panels.h"
#include "interp/interpreter.h"
#include "measures/customer_measures.h"

namespace relc::driver {

struct CampaignPanels::State {
  CompiledFile compiled;
  Dataset dataset;
  std::vector<std::string> names;  // the program's named panels
  // Per `--as-of` date, theirs in the same order.
  std::vector<std::vector<evaluate::Selection>> selections;
};

const data::DataSchema& CampaignPanels::Schema() const { return state_->dataset.store.schema; }
const std::string& CampaignPanels::Currency() const { return state_->compiled.checked.model.currency; }

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
  std::vector<int32_t> days;
  for (const std::string& date : options.GetAll("--as-of")) {
    if (!data::ParseDate(date, days.emplace_back())) {
      exit_code = kExitUsageOrIo;
      PrintUsageError(context.err, fmt::format("`--as-of` takes a date such as 2026-01-01, not `{}`", date));
      return std::nullopt;
    }
  }
  auto dataset = LoadDataset({&*compiled}, options, context, exit_code, nullptr, MeasuresNeeded::kReadByPrograms);
  if (!dataset) return std::nullopt;
  auto state = std::make_shared<State>(State{.compiled = std::move(*compiled), .dataset = std::move(*dataset)});
  const ir::Program& program = state->compiled.programs.front();
  for (size_t p = 0; p < program.panels.size(); ++p) {
    if (!program.panels[p].name.empty()) state->names.push_back(program.panels[p].name);
  }
  const Dataset& loaded = state->dataset;
  for (int32_t day : days) {
    // The data was loaded once; its measures (recency, frequency...) are those of each date.
    measures::MeasureOptions as_of = loaded.measure_options;
    as_of.as_of_day = day;
    std::optional<measures::CustomerMeasures> other;
    if (day != loaded.measure_options.as_of_day) other = measures::ComputeMeasures(loaded.store, as_of);
    std::string error;
    // Panels draw nothing at random: the interpreter evaluates them once, without a JIT to start.
    auto bound = evaluate::BoundData::Bind(program, loaded.store, other ? *other : loaded.measures, as_of, int64_t{day} * 86400,
                                           1, error);
    if (!bound) {
      exit_code = kExitProgramErrors;
      context.err << "error: " << error << '\n';
      return std::nullopt;
    }
    std::vector<evaluate::Selection> selections = evaluate::EvaluatePanels(program, *interp::MakeInterpreter(program), *bound);
    std::vector<evaluate::Selection>& named = state->selections.emplace_back();
    for (size_t p = 0; p < program.panels.size(); ++p) {
      if (!program.panels[p].name.empty()) named.push_back(std::move(selections[p]));
    }
  }
  CampaignPanels panels;
  panels.state_ = std::move(state);
  return panels;
}

size_t CampaignPanels::Dates() const { return state_->selections.size(); }

std::vector<calibrate::PanelSegment> CampaignPanels::Segments(size_t date) const {
  std::vector<calibrate::PanelSegment> segments;
  for (size_t p = 0; p < state_->names.size(); ++p) {
    segments.push_back({state_->names[p], [state = state_, date, p](std::string_view id) -> std::optional<bool> {
                          std::optional<uint32_t> row = state->dataset.store.RowOfId(id);
                          if (!row) return std::nullopt;
                          return ((state->selections[date][p][*row >> 6] >> (*row & 63)) & 1) != 0;
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
