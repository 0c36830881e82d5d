// Lowering a scenario: its settings, and its graph as a step machine whose waits route on
// events, timeouts and conditions.
#include <optional>
#include <string>

#include "graph/scenario_graph.h"
#include "ir/lowerer.h"

namespace relc::ir {

void Lowerer::LowerScenario(const ast::ScenarioDecl& decl) {
  if (decl.parameters) return;  // a template: lowered where it is instantiated
  if (!decl.instance_of) {
    Scenario& scenario = out_.scenarios.emplace_back();
    scenario.name = decl.name.name;
    LowerSteps(scenario, graph::BuildScenarioGraph(decl, info_.file), Scope{});
    LowerSettings(scenario, decl, Scope{});
    return;
  }
  // An instance: the template's steps and settings, its parameters bound to the arguments.
  std::optional<sema::TemplateUse> use = sema::TemplateOf(model_, decl);
  if (!use) {
    NotCompiled(decl.instance_of->range, "this scenario");
    return;
  }
  Scope bound;
  BindArguments(*use->scenario->parameters, use->call->arguments, Scope{}, bound);
  Scenario& scenario = out_.scenarios.emplace_back();
  scenario.name = decl.name.name;
  InFile(use->file, [&] {
    LowerSteps(scenario, graph::BuildInstanceGraph(decl, *use), bound);
    LowerSettings(scenario, *use->scenario, bound);
  });
}

// A channel or offer named in a step: a template's parameter stands for its argument's name.
std::string Lowerer::BoundName(const std::string& name, const Scope& scope) const {
  auto it = scope.bindings.find(name);
  if (it == scope.bindings.end()) return name;
  const sema::Symbol* symbol = Reference(it->second.expr);
  return symbol != nullptr ? symbol->name : name;
}

void Lowerer::LowerSettings(Scenario& scenario, const ast::ScenarioDecl& decl, const Scope& bound) {
  Scope customer = bound;
  customer.customer = true;
  for (const ast::Trigger& trigger : decl.triggers) {
    Trigger& out = scenario.triggers.emplace_back();
    out.kind = static_cast<TriggerKind>(trigger.kind);
    const sema::Type& type = SemaType(trigger.subject.get());
    out.value_is_datetime = type.Is(sema::TypeKind::DateTime);
    switch (trigger.kind) {
      case ast::TriggerKind::EnterPanel: out.panel = LowerPanel(trigger.subject.get(), bound); break;
      case ast::TriggerKind::Event: out.event = LowerEvent(trigger.subject.get(), customer); break;
      case ast::TriggerKind::Recurring: {
        // `birth_date - 7 days`: the anniversaries of the date, each moved by the duration (the
        // date moved first would be a day off after a 29 February).
        const ast::Expr* date = trigger.subject.get();
        const auto* moved = date->As<ast::BinaryExpr>();
        if (moved != nullptr && (moved->op == ast::BinaryOp::Add || moved->op == ast::BinaryOp::Subtract) &&
            SemaType(moved->right.get()).Is(sema::TypeKind::Duration)) {
          date = moved->left.get();
          out.value_is_datetime = SemaType(date).Is(sema::TypeKind::DateTime);
          out.offset = Coerce(LowerExpr(moved->right.get(), bound), ValueType::Float);
          out.offset_subtracts = moved->op == ast::BinaryOp::Subtract;
          out_.constants.push_back(out.offset);
        }
        out.value = LowerExpr(date, customer);
        out_.customer_values.push_back(out.value);
        out.period = trigger.period ? trigger.period->name : "year";
        if (auto* at = trigger.time_of_day ? trigger.time_of_day->As<ast::TimeOfDayLiteral>() : nullptr) {
          out.minute_of_day = at->hour * 60 + at->minute;
        }
        break;
      }
      case ast::TriggerKind::Date:
        out.value = LowerExpr(trigger.subject.get(), bound);
        out_.constants.push_back(out.value);
        break;
      case ast::TriggerKind::Inactivity:
        out.value = Coerce(LowerExpr(trigger.subject.get(), bound), ValueType::Float);
        out_.constants.push_back(out.value);
        out.event.event_type = EventType(trigger.event ? trigger.event->name : "purchase");
        break;
    }
  }
  for (const ast::Reentry& reentry : decl.reentry) {
    scenario.reentry = static_cast<Reentry>(reentry.kind);
    if (reentry.period) {
      scenario.reentry_period = Coerce(LowerExpr(reentry.period.get(), bound), ValueType::Float);
      out_.constants.push_back(scenario.reentry_period);
    }
  }
  for (const auto& audience : decl.audiences) scenario.audiences.push_back(LowerPanel(audience.get(), bound));
  for (const auto& exit : decl.exit_criteria) scenario.exits.push_back(LowerEvent(exit.get(), customer));
  if (!decl.holdouts.empty()) {
    scenario.holdout = Coerce(LowerExpr(decl.holdouts.back().get(), bound), ValueType::Float);
    out_.constants.push_back(scenario.holdout);
  }
  if (!decl.priorities.empty()) {
    scenario.priority = LowerExpr(decl.priorities.back().get(), bound);
    out_.constants.push_back(scenario.priority);
  }
}

void Lowerer::LowerSteps(Scenario& scenario, const graph::ScenarioGraph& built, const Scope& bound) {
  const graph::Graph& g = built.graph;
  scenario.entry = static_cast<int32_t>(built.trigger);
  scenario_steps_.clear();
  for (auto v : boost::make_iterator_range(boost::vertices(g))) {
    if (!g[v].label.empty()) scenario_steps_[g[v].label] = static_cast<int32_t>(v);
  }
  Scope scope = bound;
  scope.customer = true;
  scope.steps = &scenario_steps_;

  for (auto v : boost::make_iterator_range(boost::vertices(g))) {
    const graph::Node& node = g[v];
    Step& step = scenario.steps.emplace_back();
    step.op = static_cast<StepOp>(node.kind);
    step.label = node.label;
    step.text = node.text;
    size_t route = 0;
    for (auto e : boost::make_iterator_range(boost::out_edges(v, g))) {
      int32_t target = static_cast<int32_t>(boost::target(e, g));
      switch (g[e].kind) {
        case graph::EdgeKind::Next:
        case graph::EdgeKind::Timeout:
        case graph::EdgeKind::Jump: step.next = target; break;
        case graph::EdgeKind::Event: {
          auto* wait = node.step->As<ast::WaitStep>();
          WaitRoute lowered = LowerRoute(wait->routes[route++], scope);
          lowered.target = target;
          step.routes.push_back(std::move(lowered));
          break;
        }
        case graph::EdgeKind::Condition: {
          auto* branch = node.step->As<ast::BranchStep>();
          step.conditions.push_back(LowerCondition(branch->arms[step.conditions.size()].condition.get(), scope));
          step.targets.push_back(target);
          break;
        }
        case graph::EdgeKind::Otherwise: step.otherwise = target; break;
        case graph::EdgeKind::Weight:
          step.targets.push_back(target);
          step.weights.push_back(g[e].weight);
          break;
      }
    }
    if (node.step == nullptr) continue;
    if (auto* send = node.step->As<ast::SendStep>()) {
      step.channel = BoundName(send->channel.name, scope);
      step.message = send->message ? send->message->value : "";
      step.offer = send->offer ? BoundName(send->offer->name, scope) : "";
    } else if (auto* wait = node.step->As<ast::WaitStep>()) {
      if (wait->spec) {
        const sema::Type& type = SemaType(wait->spec.get());
        step.wait = !wait->until || type.Is(sema::TypeKind::Duration) ? WaitKind::Duration
                    : type.Is(sema::TypeKind::Date)                    ? WaitKind::UntilDate
                    : type.Is(sema::TypeKind::DateTime)                ? WaitKind::UntilDateTime
                                                                       : WaitKind::UntilTimeOfDay;
        step.wait_value = LowerExpr(wait->spec.get(), scope);
        if (step.wait == WaitKind::Duration) step.wait_value = Coerce(step.wait_value, ValueType::Float);
        if (step.wait == WaitKind::UntilDate || step.wait == WaitKind::UntilTimeOfDay) {
          out_.utc_offset_column = CustomerColumn(ColumnSlot::Source::State, "utc_offset", Storage::Ints);
        }
      }
    } else if (auto* split = node.step->As<ast::SplitStep>()) {
      step.split = out_.splits++;
      if (split->winner) {
        if (auto* metric = split->winner->metric->As<ast::NameExpr>()) step.winner_metric = metric->name;
        auto* after = split->winner->after ? split->winner->after->As<ast::NumberLiteral>() : nullptr;
        if (after != nullptr && after->unit) step.winner_after_seconds = after->value * sema::ParseUnit(after->unit->name)->seconds;
      }
    } else if (auto* set = node.step->As<ast::SetStep>()) {
      for (const auto& part : set->path) step.attribute += (step.attribute.empty() ? "" : ".") + part.name;
      step.value = LowerExpr(set->value.get(), scope);
    } else if (auto* tag = node.step->As<ast::TagStep>()) {
      step.tag = tag->tag.value;
    } else if (auto* untag = node.step->As<ast::UntagStep>()) {
      step.tag = untag->tag.value;
    } else if (auto* enter = node.step->As<ast::EnterStep>()) {
      step.scenario = enter->scenario.name;
    }
  }
}

WaitRoute Lowerer::LowerRoute(const ast::WaitRoute& route, const Scope& scope) {
  WaitRoute out;
  if (route.match_key) out.match_key = route.match_key->name;
  const ast::Expr* event = route.event.get();
  if (auto* call = event->As<ast::CallExpr>()) {
    ExprId response = LowerCall(*call, scope);
    if (out_[response].op == Op::StepOutcome) {
      out.response_step = out_[response].slot;
      out.response = out_[response].aux;
    }
    return out;
  }
  WaitRoute lowered = LowerEvent(event, scope);
  lowered.match_key = out.match_key;
  return lowered;
}

// An event, with its `where` as an event predicate: `purchase`, `goal`, `cart_abandoned where
// value > 30 EUR`, `purchase within 30 days` (a goal's window belongs to the objective).
WaitRoute Lowerer::LowerEvent(const ast::Expr* event, const Scope& scope) {
  WaitRoute out;
  const ast::Expr* written = event;
  const sema::Symbol* symbol = Reference(event);
  if (symbol != nullptr && symbol->kind == sema::SymbolKind::Constant && symbol->name == "goal") {
    event = GoalEvent();
    if (event == nullptr) {
      NotCompiled(written->range, "`goal` without an objective's goal");
      return out;
    }
  }
  while (auto* binary = event->As<ast::BinaryExpr>()) {
    if (binary->op == ast::BinaryOp::Where) {
      const ast::Expr* base = binary->left.get();
      const sema::Symbol* base_symbol = Reference(base);
      if (base_symbol == nullptr || base_symbol->kind != sema::SymbolKind::Event) break;
      out.event_type = EventType(base_symbol->name);
      Scope inner = scope;
      inner.event_type = out.event_type;
      out.predicate = static_cast<int32_t>(out_.event_predicates.size());
      ExprId condition = LowerCondition(binary->right.get(), inner);
      out_.event_predicates.push_back({out.event_type, condition});
      return out;
    }
    event = binary->left.get();  // `purchase within 30 days`: the window belongs to the goal
  }
  symbol = Reference(event);
  if (symbol != nullptr && symbol->kind == sema::SymbolKind::Event) {
    out.event_type = EventType(symbol->name);
  } else {
    NotCompiled(written->range, "this event");
  }
  return out;
}

const ast::Expr* Lowerer::GoalEvent() const {
  if (objective_ == nullptr) return nullptr;
  for (const auto& item : objective_->items) {
    if (item.kind == ast::ObjectiveItemKind::Goal) return item.value.get();
  }
  return nullptr;
}

}  // namespace relc::ir
