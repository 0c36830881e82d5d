// Lowering a program: its panels, KPIs, expectations, objectives, policies and response models
// (each scenario's graph as a step machine: lower_scenario.cpp; expressions: lower_expr.cpp).
#include "ir/lower.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <set>

#include "graph/scenario_graph.h"
#include "ir/lowerer.h"

namespace relc::ir {

int32_t Program::FindPanel(std::string_view name) const {
  for (size_t i = 0; i < panels.size(); ++i) {
    if (panels[i].name == name) return static_cast<int32_t>(i);
  }
  return -1;
}

Lowerer::Lowerer(const sema::SemanticModel& model, const sema::ProgramInfo& info, Program& out, DiagnosticSink& sink)
    : model_(model), info_(info), out_(out), sink_(sink), file_(info.file) {
  // The data contract: the program's schema, or the standard one loaded with it.
  for (const sema::Module& module : model.modules) {
    for (const auto& decl : module.ast.decls) {
      auto* schema = decl->As<ast::SchemaDecl>();
      if (schema == nullptr || !attribute_types_.empty() || !event_fields_.empty()) continue;
      for (const auto& entity : schema->entities) {
        auto& fields = entity.is_event ? event_fields_[entity.name.name] : attribute_types_;
        for (const auto& field : entity.fields) fields[field.name.name] = field.type.name.name;
      }
    }
  }
  for (const sema::Symbol& symbol : model.symbols) {
    if (symbol.decl != nullptr && symbol.file != nullptr) decl_files_[symbol.decl] = symbol.file;
  }
  if (!model.currency.empty()) out_.currency = model.currency;
}

void Lowerer::LowerProgram() {
  const ast::ProgramDecl& program = *info_.decl;
  out_.title = program.title.value;
  auto text = [&](SourceRange range) { return std::string(info_.file->Slice(range)); };
  // A rate guarded by `if ... else 0%` is a percentage too, though its divided branch is a
  // decimal; so is a count over a count (`converted / entered`): every rate prints as one.
  std::function<std::string(const ast::Expr*)> unit_of = [&](const ast::Expr* expr) -> std::string {
    const sema::Type& type = SemaType(expr);
    if (type.Is(sema::TypeKind::Money)) return type.currency;
    if (type.Is(sema::TypeKind::Percentage)) return "%";
    if (auto* ratio = expr->As<ast::BinaryExpr>(); ratio != nullptr && ratio->op == ast::BinaryOp::Divide &&
                                                   SemaType(ratio->left.get()).Is(sema::TypeKind::Integer) &&
                                                   SemaType(ratio->right.get()).Is(sema::TypeKind::Integer)) {
      return "%";
    }
    if (auto* conditional = expr->As<ast::ConditionalExpr>()) {
      if (unit_of(conditional->then_value.get()) == "%" || unit_of(conditional->else_value.get()) == "%") return "%";
    }
    return "";
  };
  for (const auto& member : program.members) {
    if (auto* objective = member->As<ast::ObjectiveDecl>(); objective != nullptr && objective_ == nullptr) {
      objective_ = objective;
    }
  }
  LowerPolicies(program);
  for (const auto& member : program.members) {
    switch (member->kind) {
      case ast::DeclKind::Panel: {
        auto* panel = member->As<ast::PanelDecl>();
        if (!panel->parameters) LowerPanelDecl(*panel, nullptr, Scope{});
        break;
      }
      case ast::DeclKind::Kpi: {
        auto* kpi = member->As<ast::KpiDecl>();
        if (kpi->parameters) break;  // evaluated where it is called, with its arguments
        out_.kpis.push_back(
            {kpi->name.name, text(kpi->formula->range), LowerExpr(kpi->formula.get(), Scope{}), unit_of(kpi->formula.get())});
        break;
      }
      case ast::DeclKind::Expect: {
        auto* expect = member->As<ast::ExpectDecl>();
        out_.expectations.push_back({expect->message ? expect->message->value : "", text(expect->condition->range),
                                     LowerCondition(expect->condition.get(), Scope{}), ""});
        std::optional<Comparison>& sides = out_.expectation_sides.emplace_back();
        if (auto* compare = expect->condition->As<ast::BinaryExpr>()) {
          using Op = ast::BinaryOp;
          const Op op = compare->op;
          if (op == Op::Less || op == Op::LessEqual || op == Op::Greater || op == Op::GreaterEqual) {
            // Both sides in one unit (a KPI named on the left may not say it is a rate).
            std::string unit = unit_of(compare->right.get());
            if (unit.empty()) unit = unit_of(compare->left.get());
            auto side = [&](const ast::Expr* expr) {
              Scalar scalar{"", text(expr->range), LowerExpr(expr, Scope{}), unit};
              out_.constants.push_back(scalar.value);
              return scalar;
            };
            sides = Comparison{side(compare->left.get()), side(compare->right.get()),
                               op == Op::Greater || op == Op::GreaterEqual, op == Op::GreaterEqual || op == Op::LessEqual};
          }
        }
        break;
      }
      case ast::DeclKind::Objective: {
        auto* objective = member->As<ast::ObjectiveDecl>();
        for (const auto& item : objective->items) {
          if (item.kind != ast::ObjectiveItemKind::Target) continue;
          out_.targets.push_back({objective->name.name, text(item.value->range), LowerCondition(item.value.get(), Scope{}), ""});
        }
        break;
      }
      case ast::DeclKind::Scenario: LowerScenario(*member->As<ast::ScenarioDecl>()); break;
      default: break;
    }
  }
  LowerChannelConsents();
  LowerChannelsAndModels();
  // KPIs of other files (std.kpis) that the expectations and targets name are reported too.
  for (const auto& member : program.members) used_kpis_.erase(member->As<ast::KpiDecl>());
  std::vector<const ast::KpiDecl*> imported(used_kpis_.begin(), used_kpis_.end());
  std::sort(imported.begin(), imported.end(), [](auto* a, auto* b) { return a->name.name < b->name.name; });
  for (const ast::KpiDecl* kpi : imported) {
    auto file = decl_files_.find(kpi);
    if (file == decl_files_.end()) continue;
    InFile(file->second, [&] {
      out_.kpis.push_back({kpi->name.name, std::string(file_->Slice(kpi->formula->range)),
                           LowerExpr(kpi->formula.get(), Scope{}), unit_of(kpi->formula.get())});
    });
  }
}

// Channels' figures and models, from the farthest declaration to the nearest, so that a
// program's own figure wins over its file's, which wins over the imports' and the prelude's.
void Lowerer::LowerChannelsAndModels() {
  // Farthest first, so that nearer figures win: imports and the prelude, the file, the program,
  // then the models given on the command line (`--model`).
  std::vector<std::pair<const ast::Decl*, std::shared_ptr<const SourceFile>>> decls;
  auto add_modules = [&](bool from_command_line) {
    for (size_t m = model_.modules.size(); m-- > 1;) {
      if (model_.modules[m].from_command_line != from_command_line) continue;
      for (const auto& decl : model_.modules[m].ast.decls) decls.emplace_back(decl.get(), model_.modules[m].file);
    }
  };
  add_modules(false);
  for (const auto& decl : model_.modules.front().ast.decls) decls.emplace_back(decl.get(), model_.modules.front().file);
  for (const auto& member : info_.decl->members) decls.emplace_back(member.get(), info_.file);
  add_modules(true);
  // The user's models in force, for the report: all but the standard library's defaults.
  for (const auto& [decl, file] : decls) {
    auto* model = decl->As<ast::ModelDecl>();
    bool stdlib = std::any_of(model_.modules.begin(), model_.modules.end(),
                              [&](const sema::Module& m) { return m.file == file && m.is_stdlib; });
    if (model != nullptr && !stdlib) out_.models.push_back(fmt::format("{} ({})", model->name.name, file->path()));
  }

  for (const auto& [name, consent] : out_.channel_consents) {
    Channel& channel = out_.channels.emplace_back();
    channel.name = name;
    for (const auto& [decl, file] : decls) {
      auto* declared = decl->As<ast::ChannelDecl>();
      if (declared == nullptr || declared->name.name != name) continue;
      for (const ast::Property& property : declared->properties) {
        std::optional<double> value = Literal(property.value.get());
        if (!value) continue;  // sema has typed it; a computed figure keeps the farther one
        const std::string& key = property.name.name;
        if (key == "cost") channel.cost_cents = static_cast<int64_t>(std::llround(*value));
        if (key == "delay") channel.delay_seconds = *value;
        if (key == "delivered") channel.delivered = *value;
        if (key == "opened") channel.opened = *value;
        if (key == "clicked") channel.clicked = *value;
        if (key == "converted") channel.converted = *value;
        if (key == "unsubscribed") channel.unsubscribed = *value;
      }
    }
  }
  for (const auto& [decl, file] : decls) {
    auto* model = decl->As<ast::ModelDecl>();
    if (model == nullptr) continue;
    for (const ast::Property& property : model->properties) {
      std::optional<double> value = Literal(property.value.get());
      if (!value) continue;
      const std::string& key = property.name.name;
      if (key == "fatigue") out_.behaviour.fatigue = *value;
      if (key == "fatigue_unsubscribe") out_.behaviour.fatigue_unsubscribe = *value;
      if (key == "offer_uplift") out_.behaviour.offer_uplift = *value;
      if (key == "cart_checkout") out_.behaviour.cart_checkout = *value;
    }
    InFile(file, [&] { LowerModel(*model); });
  }
}

int32_t Lowerer::LowerPanelDecl(const ast::PanelDecl& decl, const std::vector<ast::Argument>* arguments, const Scope& caller) {
  std::string key = fmt::format("{}", static_cast<const void*>(&decl));
  bool shared = arguments == nullptr || arguments->empty();
  if (shared) {
    if (auto it = panels_by_key_.find(key); it != panels_by_key_.end()) return it->second;
  }
  if (!panels_in_progress_.insert(&decl).second) {
    Emit(DiagnosticKind::PanelCycle, decl.name.range, decl.name.name).Primary("defined here");
    return AllCustomers();
  }
  auto declared_in = decl_files_.find(&decl);
  int32_t index = -1;
  InFile(declared_in != decl_files_.end() ? declared_in->second : file_, [&] {
    Scope inner;
    // A panel named without arguments takes its parameters' defaults.
    static const std::vector<ast::Argument> kNoArguments;
    if (decl.parameters) BindArguments(*decl.parameters, arguments ? *arguments : kNoArguments, caller, inner);
    index = LowerPanel(decl.definition.get(), inner);
  });
  // A panel that is another one under a new name gets a copy of its own, so each has its name.
  if (!out_.panels[index].name.empty() || index == all_customers_) {
    index = AddPanel(Panel{.kind = Panel::Kind::Filter, .left = index});
  }
  out_.panels[index].name = decl.name.name;
  panels_in_progress_.erase(&decl);
  if (shared) panels_by_key_[key] = index;
  return index;
}

namespace {

// A literal in canonical units (cents, seconds, 0.2 for 20 %); nullopt if not a literal.
std::optional<double> LiteralValue(const ast::Expr* expr) {
  auto* number = expr ? expr->As<ast::NumberLiteral>() : nullptr;
  if (number == nullptr) return std::nullopt;
  if (number->percent) return number->value / 100;
  if (!number->unit) return number->value;
  auto unit = sema::ParseUnit(number->unit->name);
  if (!unit) return std::nullopt;
  return unit->kind == sema::UnitKind::Duration ? number->value * unit->seconds : number->value * 100;
}

}  // namespace

std::optional<double> Lowerer::Literal(const ast::Expr* expr) const { return LiteralValue(expr); }

void LowerPressure(const ast::PressureDecl& decl, const std::shared_ptr<const SourceFile>& file, Pressure& pressure) {
  for (const graph::PressureCap& cap : graph::CapsOf(decl, file)) {
    pressure.caps.push_back({cap.count, cap.channel, cap.window_seconds, cap.across_programs});
  }
  for (const auto& rule : decl.rules) {
    std::string word = rule.word ? rule.word->name : "";
    if (rule.kind == ast::PressureRuleKind::MinimumGap) pressure.minimum_gap_seconds = LiteralValue(rule.amount.get()).value_or(0);
    if (rule.kind == ast::PressureRuleKind::WhenCapped) pressure.capped_exit = word == "exit";
    auto* range = rule.kind == ast::PressureRuleKind::QuietHours ? rule.amount->As<ast::BinaryExpr>() : nullptr;
    auto* from = range ? range->left->As<ast::TimeOfDayLiteral>() : nullptr;
    auto* to = range ? range->right->As<ast::TimeOfDayLiteral>() : nullptr;
    if (from != nullptr && to != nullptr) {
      pressure.quiet_from = from->hour * 60 + from->minute;
      pressure.quiet_to = to->hour * 60 + to->minute;
      pressure.quiet_drop = word == "drop";
    }
  }
}

std::optional<Pressure> LowerSharedPressure(const sema::SemanticModel& model) {
  if (model.modules.empty()) return std::nullopt;
  const sema::Module& root = model.modules.front();
  std::optional<Pressure> pressure;
  for (const auto& decl : root.ast.decls) {
    auto* block = decl->As<ast::PressureDecl>();
    if (block == nullptr) continue;
    if (!pressure) pressure.emplace();
    LowerPressure(*block, root.file, *pressure);
  }
  return pressure;
}

// What the simulator needs of the program beyond its scenarios: holdout, goal, pressure,
// priority, offers.
void Lowerer::LowerPolicies(const ast::ProgramDecl& program) {
  for (const auto& member : program.members) {
    if (auto* holdout = member->As<ast::HoldoutDecl>()) out_.holdout = Literal(holdout->share.get()).value_or(0);
    if (auto* priority = member->As<ast::PriorityDecl>()) {
      if (auto value = Literal(priority->value.get())) out_.priority = static_cast<int64_t>(*value);
    }
    if (auto* objective = member->As<ast::ObjectiveDecl>(); objective == objective_ && objective != nullptr) {
      for (const auto& item : objective->items) {
        if (item.kind != ast::ObjectiveItemKind::Goal) continue;
        Scope customer;
        customer.customer = true;
        out_.goal = LowerEvent(item.value.get(), customer);
        auto* within = item.value->As<ast::BinaryExpr>();
        if (within != nullptr && within->op == ast::BinaryOp::Within) out_.goal_window_seconds = Literal(within->right.get()).value_or(0);
      }
    }
    if (auto* pressure = member->As<ast::PressureDecl>()) LowerPressure(*pressure, info_.file, out_.pressure);
    if (auto* offer = member->As<ast::OfferDecl>()) {
      Offer lowered{.name = offer->name.name, .kind = offer->offer_kind.name};
      if (offer->properties) {
        for (const auto& property : *offer->properties) {
          if (property.name.name == "cost") lowered.cost_cents = static_cast<int64_t>(Literal(property.value.get()).value_or(0));
          if (property.name.name == "uplift") lowered.uplift = Literal(property.value.get());
        }
      }
      out_.offers.push_back(std::move(lowered));
    }
  }
}

// consent(channel) for each channel the lowered scenarios send on, for the simulator.
void Lowerer::LowerChannelConsents() {
  std::set<std::string> channels;
  for (const Scenario& scenario : out_.scenarios) {
    for (const Step& step : scenario.steps) {
      if (step.op == StepOp::Send) channels.insert(step.channel);
    }
  }
  for (const std::string& channel : channels) {
    ExprId consent = LowerConsent(channel, Scope{});
    out_.customer_values.push_back(consent);
    out_.channel_consents.emplace_back(channel, consent);
  }
}

void Lowerer::LowerInterval(const ast::Property& property, ResponseRate& rate) {
  if (!property.low) return;
  rate.low = LowerExpr(property.low.get(), Scope{});
  rate.high = LowerExpr(property.high.get(), Scope{});
}

void Lowerer::LowerModel(const ast::ModelDecl& model) {
  for (const auto& response : model.responses) {
    // Figures for a message no scenario sends are dead: a typo, or a model made for another program.
    if (response.message) {
      bool sent = false;
      for (const Scenario& scenario : out_.scenarios) {
        for (const Step& step : scenario.steps) {
          sent = sent || (step.op == StepOp::Send && step.channel == response.channel.name && step.message == response.message->value);
        }
      }
      if (!sent) {
        Emit(DiagnosticKind::ModelMessageNotSent, response.message->range, model.name.name, response.channel.name,
             response.message->value, fmt::format("\"{}\"", info_.decl->title.value))
            .Primary("no send step of the program sends this message")
            .Help("check the message's name against the program's `send` steps; figures for the whole channel go without one");
      }
    }
    int32_t panel = response.segment ? LowerPanel(response.segment.get(), Scope{}) : -1;
    for (const auto& property : response.properties) {
      ResponseRate rate{.model = model.name.name, .channel = response.channel.name,
                        .message = response.message ? response.message->value : "", .panel = panel,
                        .property = property.name.name, .value = LowerExpr(property.value.get(), Scope{})};
      LowerInterval(property, rate);
      out_.response_rates.push_back(std::move(rate));
    }
  }
  for (const auto& baseline : model.baselines) {
    int32_t panel = baseline.segment ? LowerPanel(baseline.segment.get(), Scope{}) : -1;
    for (const auto& property : baseline.properties) {
      ResponseRate rate{.model = model.name.name, .panel = panel, .property = property.name.name,
                        .value = LowerExpr(property.value.get(), Scope{})};
      LowerInterval(property, rate);
      out_.baseline_rates.push_back(std::move(rate));
    }
  }
}

// --- Builders and slots ------------------------------------------------------------------------

ExprId Lowerer::Add(Node node) {
  out_.nodes.push_back(node);
  return static_cast<ExprId>(out_.nodes.size() - 1);
}

ExprId Lowerer::Constant(ValueType type, int64_t value) { return Add(Node{.op = Op::Constant, .type = type, .int_value = value}); }

ExprId Lowerer::FloatConstant(double value) { return Add(Node{.op = Op::Constant, .type = ValueType::Float, .float_value = value}); }

ExprId Lowerer::NullOf(ValueType type) { return Add(Node{.op = Op::Null, .type = type}); }

ExprId Lowerer::Unary(Op op, ValueType type, ExprId a, uint8_t aux) { return Add(Node{.op = op, .type = type, .aux = aux, .a = a}); }

ExprId Lowerer::Binary(Op op, ValueType type, ExprId a, ExprId b) { return Add(Node{.op = op, .type = type, .a = a, .b = b}); }

ExprId Lowerer::ToFloat(ExprId a) { return Coerce(a, ValueType::Float); }

ExprId Lowerer::Coerce(ExprId a, ValueType type) {
  const Node& node = out_[a];
  if (node.type == type) return a;
  if (node.op == Op::Null) return NullOf(type);
  if (node.type == ValueType::Int && type == ValueType::Float) return Unary(Op::ToFloat, ValueType::Float, a);
  return a;  // sema has made sure nothing else is asked
}

int32_t Lowerer::CustomerColumn(ColumnSlot::Source source, const std::string& name, Storage storage, double horizon) {
  std::string key = fmt::format("{}:{}:{}", static_cast<int>(source), name, horizon);
  auto [it, added] = column_slots_.try_emplace(key, static_cast<int32_t>(out_.customer_columns.size()));
  if (added) out_.customer_columns.push_back({source, name, storage, horizon});
  return it->second;
}

int32_t Lowerer::EventColumn(const std::string& name, Storage storage) {
  if (storage == Storage::Bits) storage = Storage::Ints;  // event flags are read as the store keeps them
  auto [it, added] = event_column_slots_.try_emplace(name, static_cast<int32_t>(out_.event_columns.size()));
  if (added) out_.event_columns.push_back({ColumnSlot::Source::Attribute, name, storage, 0});
  return it->second;
}

int32_t Lowerer::EventType(const std::string& name) {
  auto [it, added] = event_type_slots_.try_emplace(name, static_cast<int32_t>(out_.event_types.size()));
  if (added) out_.event_types.push_back(name);
  return it->second;
}

int32_t Lowerer::Metric(const std::string& metric, const std::string& scenario, const std::string& step) {
  std::string key = metric + "\n" + scenario + "\n" + step;
  auto [it, added] = metric_slots_.try_emplace(key, static_cast<int32_t>(out_.metrics.size()));
  if (added) out_.metrics.push_back({metric, scenario, step});
  return it->second;
}

int32_t Lowerer::AllCustomers() {
  if (all_customers_ < 0) all_customers_ = AddPanel(Panel{.kind = Panel::Kind::All});
  return all_customers_;
}

int32_t Lowerer::AddPanel(Panel panel) {
  out_.panels.push_back(std::move(panel));
  return static_cast<int32_t>(out_.panels.size() - 1);
}

const sema::Type& Lowerer::SemaType(const ast::Expr* expr) const {
  static const sema::Type kError;
  auto it = model_.types.find(expr);
  return it != model_.types.end() ? it->second : kError;
}

const sema::Symbol* Lowerer::Reference(const ast::Expr* expr) const {
  auto it = model_.references.find(expr);
  return it != model_.references.end() ? it->second : nullptr;
}

ExprId Lowerer::NotCompiled(SourceRange range, std::string_view what, ValueType type) {
  Emit(DiagnosticKind::NotCompiled, range, what).Primary("not supported by the engines yet");
  return NullOf(type);
}

LowerResult Lower(const sema::SemanticModel& model, DiagnosticSink& sink) {
  LowerResult result;
  for (const sema::ProgramInfo& info : model.programs) {
    if (info.file != model.modules.front().file) continue;  // only the root file's programs run
    Program& program = result.programs.emplace_back();
    Lowerer lowerer(model, info, program, sink);
    lowerer.LowerProgram();
    result.has_errors |= lowerer.failed();
  }
  return result;
}

}  // namespace relc::ir
