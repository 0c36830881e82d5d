// The marketer's mistakes that types alone do not catch: messages without consent, triggers
// that cannot fire, objectives nothing works towards, KPIs that may divide by zero, and
// pressure rules, offers and properties that make no sense.
#include <cmath>
#include <functional>
#include <limits>

#include "diagnostics/suggest.h"
#include "sema/checker.h"

namespace relc::sema {
namespace {

void ForEachStep(const std::vector<ast::StepPtr>& steps, const std::function<void(const ast::Step&)>& visit) {
  for (const auto& step : steps) {
    visit(*step);
    if (auto* wait = step->As<ast::WaitStep>()) {
      for (const auto& route : wait->routes) ForEachStep(route.target.steps, visit);
    } else if (auto* branch = step->As<ast::BranchStep>()) {
      for (const auto& arm : branch->arms) ForEachStep(arm.target.steps, visit);
      if (branch->otherwise) ForEachStep(branch->otherwise->steps, visit);
    } else if (auto* split = step->As<ast::SplitStep>()) {
      for (const auto& arm : split->arms) ForEachStep(arm.target.steps, visit);
    }
  }
}

// Metrics that count responses, which a run may well not get: dividing by them needs a guard.
bool MayBeZero(std::string_view metric) {
  static const std::set<std::string_view> kResponses = {"opened",    "clicked", "converted",       "purchases",
                                                        "revenue",   "signups", "carts_recovered", "referrals",
                                                        "unsubscribed", "suppressed", "delivered"};
  return kResponses.contains(metric);
}

const ast::NameExpr* MetricName(const ast::Expr* expr) {
  if (auto* name = expr->As<ast::NameExpr>()) return name;
  if (auto* call = expr->As<ast::CallExpr>()) return call->callee->As<ast::NameExpr>();
  return nullptr;
}

// A value in a comparable base unit: seconds for durations, the amount for money.
std::optional<double> LiteralValue(const ast::Expr* expr) {
  auto* number = expr->As<ast::NumberLiteral>();
  if (number == nullptr) return std::nullopt;
  if (!number->unit) return number->value;
  std::optional<Unit> unit = ParseUnit(number->unit->name);
  if (!unit) return std::nullopt;
  return unit->kind == UnitKind::Duration ? number->value * unit->seconds : number->value;
}

struct Bound {
  double low = -std::numeric_limits<double>::infinity();
  double high = std::numeric_limits<double>::infinity();
  bool low_open = false, high_open = false;
  std::vector<const ast::Expr*> sources;
};

// The conjuncts of `a and b and c`.
void Conjuncts(const ast::Expr* expr, std::vector<const ast::Expr*>& out) {
  if (auto* binary = expr ? expr->As<ast::BinaryExpr>() : nullptr; binary != nullptr && binary->op == ast::BinaryOp::And) {
    Conjuncts(binary->left.get(), out);
    Conjuncts(binary->right.get(), out);
  } else if (expr != nullptr) {
    out.push_back(expr);
  }
}

// Returns the two conditions that contradict each other, if a panel's condition has some.
std::optional<std::pair<const ast::Expr*, const ast::Expr*>> Contradiction(const ast::Expr* condition) {
  std::vector<const ast::Expr*> conjuncts;
  Conjuncts(condition, conjuncts);
  std::map<std::string, Bound> bounds;
  static const std::set<std::string_view> kNonNegative = {"recency", "frequency", "monetary", "tenure",
                                                          "average_basket", "age"};
  for (const ast::Expr* conjunct : conjuncts) {
    auto* comparison = conjunct->As<ast::BinaryExpr>();
    if (comparison == nullptr) continue;
    auto* attribute = comparison->left->As<ast::NameExpr>();
    std::optional<double> value = LiteralValue(comparison->right.get());
    if (attribute == nullptr || !value) continue;
    Bound& bound = bounds[attribute->name];
    if (bound.sources.empty() && kNonNegative.contains(attribute->name)) bound.low = 0;
    auto raise_low = [&](double v, bool open) {
      if (v > bound.low || (v == bound.low && open)) bound.low = v, bound.low_open = open;
    };
    auto lower_high = [&](double v, bool open) {
      if (v < bound.high || (v == bound.high && open)) bound.high = v, bound.high_open = open;
    };
    switch (comparison->op) {
      case ast::BinaryOp::Greater: raise_low(*value, true); break;
      case ast::BinaryOp::GreaterEqual: raise_low(*value, false); break;
      case ast::BinaryOp::Less: lower_high(*value, true); break;
      case ast::BinaryOp::LessEqual: lower_high(*value, false); break;
      case ast::BinaryOp::Equal: raise_low(*value, false); lower_high(*value, false); break;
      default: continue;
    }
    bound.sources.push_back(conjunct);
    bool empty = bound.low > bound.high || (bound.low == bound.high && (bound.low_open || bound.high_open));
    if (empty) {
      return std::make_pair(bound.sources.size() > 1 ? bound.sources[bound.sources.size() - 2] : conjunct, conjunct);
    }
  }
  return std::nullopt;
}

}  // namespace

void Checker::CheckConsentCoverage(ProgramInfo& program) {
  std::set<std::string> covered;
  auto collect = [&](const std::vector<ast::DeclPtr>& decls) {
    for (const auto& decl : decls) {
      if (auto* consent = decl->As<ast::ConsentDecl>()) {
        for (const auto& rule : consent->rules) {
          covered.insert(rule.channel.name);
          program.consent_rules.push_back(&rule);
        }
      }
    }
  };
  collect(program.decl->members);
  // The top-level rules of the program's own file and of the files it imports.
  for (const Module& module : model_.modules) {
    if (module.file != program.file) continue;
    collect(module.ast.decls);
    for (const Module* imported : imports_[&module]) collect(imported->ast.decls);
  }
  // Each uncovered channel once, at its first send, with the count of the others.
  // A template instance's sends are the template's, reported at the instance.
  std::map<std::string, std::vector<SourceRange>> uncovered;
  std::vector<std::string> order;
  std::map<std::string, std::string> first_template;  // channel -> the template of its first send
  for (const auto& member : program.decl->members) {
    auto* scenario = member->As<ast::ScenarioDecl>();
    if (scenario == nullptr) continue;
    std::optional<TemplateUse> use = TemplateOf(model_, *scenario);
    const ast::ScenarioDecl& steps_of = use ? *use->scenario : *scenario;
    ForEachStep(steps_of.steps, [&](const ast::Step& step) {
      auto* send = step.As<ast::SendStep>();
      if (send == nullptr) return;
      std::string channel = use ? use->Bound(send->channel.name) : send->channel.name;
      if (covered.contains(channel)) return;
      auto it = program.names.find(channel);
      if (it == program.names.end() || it->second->kind != SymbolKind::Channel) return;  // reported already
      auto& sends = uncovered[channel];
      if (sends.empty()) order.push_back(channel);
      if (sends.empty() && use) first_template[channel] = use->scenario->name.name;
      sends.push_back(use ? scenario->instance_of->range : send->channel.range);
    });
  }
  for (const auto& channel : order) {
    const auto& sends = uncovered[channel];
    auto builder = Emit(DiagnosticKind::SendWithoutConsent, sends.front(), channel);
    auto via = first_template.find(channel);
    builder.Primary(via == first_template.end()
                        ? "no consent rule for this channel"
                        : fmt::format("the template `{}` sends on `{}`; no consent rule covers it", via->second, channel));
    if (sends.size() == 2) builder.Note(fmt::format("1 other send on `{}` has the same problem", channel));
    if (sends.size() > 2) builder.Note(fmt::format("{} other sends on `{}` have the same problem", sends.size() - 1, channel));
    builder.Note("relc never sends on a channel without a consent rule that allows it")
        .Help(fmt::format("add a rule such as `consent {} if {}_optin`", channel, channel));
  }
}

void Checker::CheckObjectives(const ProgramInfo& program) {
  bool sends = false;
  for (const auto& member : program.decl->members) {
    if (auto* scenario = member->As<ast::ScenarioDecl>()) {
      if (scenario->instance_of) sends = true;  // a template instance: its steps are the template's
      ForEachStep(scenario->steps, [&](const ast::Step& step) { sends = sends || step.kind == ast::StepKind::Send; });
    }
  }
  if (sends) return;
  for (const auto& member : program.decl->members) {
    auto* objective = member->As<ast::ObjectiveDecl>();
    if (objective == nullptr) continue;
    Emit(DiagnosticKind::ObjectiveUninfluenced, objective->name.range, objective->name.name)
        .Primary("nothing in the program works towards it")
        .Note("only messages (`send` steps) can move customers towards a goal")
        .Help("add a scenario that sends a message to the panel the objective is about");
  }
}

void Checker::CheckKpiDivisions(const ast::Expr* expr, std::string_view kpi_name) {
  std::function<void(const ast::Expr*, std::set<std::string>&)> walk = [&](const ast::Expr* e, std::set<std::string>& guarded) {
    if (e == nullptr) return;
    if (auto* conditional = e->As<ast::ConditionalExpr>()) {
      walk(conditional->condition.get(), guarded);
      std::set<std::string> then_guarded = guarded;
      // `if d > 0 then x / d else ...`, and `d != 0`, `d >= 1`: d is not zero in the `then` part.
      if (auto* test = conditional->condition->As<ast::BinaryExpr>()) {
        auto* name = MetricName(test->left.get());
        std::optional<double> value = LiteralValue(test->right.get());
        bool positive = (test->op == ast::BinaryOp::Greater && value && *value >= 0) ||
                        (test->op == ast::BinaryOp::NotEqual && value && *value == 0) ||
                        (test->op == ast::BinaryOp::GreaterEqual && value && *value > 0);
        if (name != nullptr && positive) then_guarded.insert(name->name);
      }
      walk(conditional->then_value.get(), then_guarded);
      walk(conditional->else_value.get(), guarded);
      return;
    }
    if (auto* binary = e->As<ast::BinaryExpr>()) {
      if (binary->op == ast::BinaryOp::Divide) {
        auto* name = MetricName(binary->right.get());
        auto it = model_.references.find(name);
        bool is_metric = name != nullptr && it != model_.references.end() && it->second->kind == SymbolKind::Metric;
        if (is_metric && MayBeZero(name->name) && !guarded.contains(name->name)) {
          Emit(DiagnosticKind::KpiMayDivideByZero, binary->right->range, kpi_name, name->name)
              .Primary(fmt::format("`{}` is 0 when no customer responds", name->name))
              .Help(fmt::format("guard it: `if {0} > 0 then ... / {0} else 0`", name->name));
        }
      }
      walk(binary->left.get(), guarded);
      walk(binary->right.get(), guarded);
      return;
    }
    if (auto* unary = e->As<ast::UnaryExpr>()) walk(unary->operand.get(), guarded);
  };
  std::set<std::string> guarded;
  walk(expr, guarded);
}

void Checker::CheckTriggersCanFire(const ProgramInfo& program) {
  std::set<std::string> entered;
  for (const auto& member : program.decl->members) {
    if (auto* scenario = member->As<ast::ScenarioDecl>()) {
      ForEachStep(scenario->steps, [&](const ast::Step& step) {
        if (auto* enter = step.As<ast::EnterStep>()) entered.insert(enter->scenario.name);
      });
    }
  }
  for (const auto& member : program.decl->members) {
    auto* scenario = member->As<ast::ScenarioDecl>();
    if (scenario == nullptr || scenario->instance_of || scenario->parameters) continue;
    if (scenario->triggers.empty() && !entered.contains(scenario->name.name)) {
      Emit(DiagnosticKind::TriggerNeverFires, scenario->name.range, scenario->name.name,
           "it has no trigger and no scenario enters it")
          .Primary("never starts")
          .Help("add a trigger, such as `trigger enter <panel>` or `trigger on <event>`");
      continue;
    }
    for (const auto& trigger : scenario->triggers) {
      if (trigger.kind != ast::TriggerKind::EnterPanel) continue;
      auto* panel_name = trigger.subject ? trigger.subject->As<ast::NameExpr>() : nullptr;
      auto it = panel_name ? model_.references.find(panel_name) : model_.references.end();
      if (it == model_.references.end() || it->second->decl == nullptr) continue;
      auto* panel = it->second->decl->As<ast::PanelDecl>();
      auto* where = panel && panel->definition ? panel->definition->As<ast::BinaryExpr>() : nullptr;
      if (where == nullptr || where->op != ast::BinaryOp::Where) continue;
      if (auto contradiction = Contradiction(where->right.get())) {
        DiagnosticEmitter panel_file(it->second->file, *sink_);
        ++errors_;
        auto builder = panel_file.Emit(DiagnosticKind::TriggerNeverFires, trigger.subject->range, scenario->name.name,
                                       fmt::format("panel `{}` can never have a member", panel_name->name));
        builder.Primary("this panel is always empty");
        if (contradiction->first == contradiction->second) {
          builder.Label(contradiction->first->range, "this can never hold: the measure is never negative");
        } else {
          builder.Label(contradiction->first->range, "this condition").Label(contradiction->second->range, "contradicts this one");
        }
        builder.Help("check the bounds of the panel's conditions");
      }
    }
  }
}

void Checker::CheckPressure(const ast::PressureDecl& pressure) {
  static const std::vector<std::string> kPeriods = {"day", "week", "month", "year"};
  auto check_choice = [&](const std::optional<ast::Identifier>& word, const std::vector<std::string>& choices) {
    if (!word || std::find(choices.begin(), choices.end(), word->name) != choices.end()) return;
    auto builder = Emit(DiagnosticKind::InvalidChoice, word->range, word->name, fmt::format("one of `{}`", fmt::join(choices, "`, `")));
    builder.Primary("not an option here");
    if (auto close = ClosestMatch(word->name, choices)) builder.Help(fmt::format("did you mean `{}`?", *close));
  };
  auto is_channel = [&](std::string_view name) {
    auto it = current_program_->names.find(name);
    return it != current_program_->names.end() && it->second->kind == SymbolKind::Channel;
  };
  for (const auto& rule : pressure.rules) {
    switch (rule.kind) {
      case ast::PressureRuleKind::Cap: {
        auto* count = rule.amount ? rule.amount->As<ast::NumberLiteral>() : nullptr;
        bool counts_messages = count != nullptr && count->unit && !count->percent &&
                               count->digits.find('.') == std::string::npos &&
                               (count->unit->name == "messages" || count->unit->name == "message" || is_channel(count->unit->name));
        if (!counts_messages) {
          Emit(DiagnosticKind::TypeMismatch, rule.amount ? rule.amount->range : rule.range,
               "a number of messages, such as `2 messages` or `1 sms`", "something else")
              .Primary("not a count of messages");
        } else if (count->unit->name != "messages" && count->unit->name != "message") {
          const_cast<Symbol*>(current_program_->names.find(count->unit->name)->second)->uses++;
        }
        if (auto* period = rule.period ? rule.period->As<ast::NameExpr>() : nullptr) {
          check_choice(ast::Identifier{period->name, period->range}, kPeriods);
        } else {
          Expect(rule.period.get(), CheckExpr(rule.period.get(), Context{}), TypeKind::Duration, "a period, such as `7 days`");
        }
        break;
      }
      case ast::PressureRuleKind::MinimumGap:
        Expect(rule.amount.get(), CheckExpr(rule.amount.get(), Context{}), TypeKind::Duration, "a duration");
        if (rule.word && rule.word->name != "messages" && !is_channel(rule.word->name)) {
          check_choice(rule.word, {"messages"});
        }
        break;
      case ast::PressureRuleKind::QuietHours: {
        Type range = CheckExpr(rule.amount.get(), Context{});
        auto* bounds = rule.amount ? rule.amount->As<ast::BinaryExpr>() : nullptr;
        bool times = bounds != nullptr && bounds->op == ast::BinaryOp::Range &&
                     bounds->left->As<ast::TimeOfDayLiteral>() != nullptr && bounds->right->As<ast::TimeOfDayLiteral>() != nullptr;
        if (!range.IsError() && !times) {
          Emit(DiagnosticKind::TypeMismatch, rule.amount->range, "a range of times of day, such as `21:00..08:00`",
               TypeName(range))
              .Primary("not a range of hours");
        }
        check_choice(rule.word, {"defer", "drop"});
        break;
      }
      case ast::PressureRuleKind::WhenCapped:
        check_choice(rule.word, {"skip", "exit"});
        break;
    }
  }
}

void Checker::CheckOffer(const ast::OfferDecl& offer) {
  struct OfferKind {
    std::string_view name;
    std::vector<TypeKind> values;  // empty: takes no value
  };
  static const std::vector<OfferKind> kKinds = {
      {"discount", {TypeKind::Percentage, TypeKind::Money}}, {"voucher", {TypeKind::Money}},
      {"free_shipping", {}},                                  {"gift", {TypeKind::String}},
      {"invitation", {TypeKind::String}},                     {"preview", {TypeKind::String}},
      {"exclusivity", {TypeKind::String}},                    {"advice", {TypeKind::String}},
      {"trial", {TypeKind::Duration}},                        {"upsell", {TypeKind::String}},
      {"cross_sell", {TypeKind::String}},                     {"loyalty_points", {TypeKind::Integer}},
      {"service", {TypeKind::String}},
  };
  auto kind = std::find_if(kKinds.begin(), kKinds.end(), [&](const OfferKind& k) { return k.name == offer.offer_kind.name; });
  if (kind == kKinds.end()) {
    std::vector<std::string> names;
    for (const auto& k : kKinds) names.emplace_back(k.name);
    auto builder = Emit(DiagnosticKind::InvalidChoice, offer.offer_kind.range, offer.offer_kind.name,
                        "an offer kind (" + fmt::format("{}", fmt::join(names, ", ")) + ")");
    builder.Primary("not a kind of offer");
    if (auto close = ClosestMatch(offer.offer_kind.name, names)) builder.Help(fmt::format("did you mean `{}`?", *close));
  } else if (offer.value) {
    Type value = CheckExpr(offer.value.get(), Context{});
    bool fits = value.IsError() || std::find(kind->values.begin(), kind->values.end(), value.kind) != kind->values.end();
    if (!fits) {
      std::string wanted = kind->values.empty() ? "no value" : TypeName(Type::Of(kind->values.front()));
      Emit(DiagnosticKind::TypeMismatch, offer.value->range, fmt::format("{} for a `{}` offer", wanted, kind->name),
           TypeName(value))
          .Primary(fmt::format("this is {}", TypeName(value)));
    } else if (auto* share = offer.value->As<ast::NumberLiteral>(); share != nullptr && share->percent &&
                                                                  (share->value <= 0 || share->value > 100)) {
      Emit(DiagnosticKind::ShareOutOfRange, offer.value->range, "a discount", share->digits + "%").Primary("not a discount");
    }
  }
  if (offer.properties) CheckProperties(*offer.properties, "offer");
}

void Checker::CheckProperties(const std::vector<ast::Property>& properties, std::string_view owner) {
  struct PropertyKind {
    std::string_view name;
    TypeKind type;
  };
  static const std::vector<PropertyKind> kRates = {
      {"delivered", TypeKind::Percentage}, {"opened", TypeKind::Percentage},       {"clicked", TypeKind::Percentage},
      {"converted", TypeKind::Percentage}, {"unsubscribed", TypeKind::Percentage}, {"bounced", TypeKind::Percentage}};
  std::vector<PropertyKind> known;
  if (owner == "channel") known = {{"cost", TypeKind::Money}, {"delay", TypeKind::Duration}};
  if (owner == "offer") known = {{"cost", TypeKind::Money}, {"value", TypeKind::Money}, {"valid", TypeKind::Duration},
                                 {"uplift", TypeKind::Percentage}};
  if (owner == "model") {
    known = {{"fatigue", TypeKind::Percentage}, {"fatigue_unsubscribe", TypeKind::Percentage},
             {"offer_uplift", TypeKind::Percentage}, {"cart_checkout", TypeKind::Percentage}};
  }
  if (owner == "channel" || owner == "response") known.insert(known.end(), kRates.begin(), kRates.end());
  // What a conversion the message brings spends: the CRM's average basket when not given.
  // `bought`: the share of those sent it who buy within the window, anyway or because of it.
  if (owner == "response") known.insert(known.end(), {{"basket", TypeKind::Money}, {"bought", TypeKind::Percentage}});
  // What customers buy anyway: the share who buy within a window, and what they spend.
  if (owner == "baseline") {
    known = {{"converted", TypeKind::Percentage}, {"basket", TypeKind::Money}, {"window", TypeKind::Duration}};
  }
  for (const auto& property : properties) {
    auto kind = std::find_if(known.begin(), known.end(), [&](const PropertyKind& k) { return k.name == property.name.name; });
    if (kind == known.end()) {
      std::vector<std::string> names;
      for (const auto& k : known) names.emplace_back(k.name);
      auto builder = Emit(DiagnosticKind::InvalidChoice, property.name.range, property.name.name,
                          fmt::format("a property of {} `{}`", owner == "offer" ? "an" : "a", owner) + " (" +
                              fmt::format("{}", fmt::join(names, ", ")) + ")");
      builder.Primary("unknown property");
      if (auto close = ClosestMatch(property.name.name, names)) builder.Help(fmt::format("did you mean `{}`?", *close));
      continue;
    }
    // Only what a model learned from data has an uncertainty: its responses and baselines, not a window.
    const bool estimated = (owner == "response" || owner == "baseline") && kind->name != "window";
    if (property.low && !estimated) CheckInterval(property, kind->type, false);
    if (kind->type == TypeKind::Error) continue;  // a name, such as `baseline = bgnbd`
    Type value = CheckExpr(property.value.get(), Context{});
    Expect(property.value.get(), value, kind->type, fmt::format("{} for `{}`", TypeName(Type::Of(kind->type)), kind->name));
    if (kind->type == TypeKind::Percentage) {
      auto share = SignedNumber(property.value.get());
      if (share && value.Is(TypeKind::Percentage) && (share->first < 0 || share->first > 100)) {
        Emit(DiagnosticKind::ShareOutOfRange, property.value->range, fmt::format("`{}`", kind->name), share->second + "%")
            .Primary("a rate is a share of messages");
      }
    }
    if (property.low && estimated) CheckInterval(property, kind->type, true);
    if (kind->name == "basket") CheckBasketCurrency(property);
  }
}

// A baseline's `converted` is a share of customers over a window, which it must state.
void Checker::CheckBaselineWindow(const ast::ModelBaseline& baseline) {
  for (const ast::Property& property : baseline.properties) {
    if (property.name.name != "window") continue;
    if (auto days = SignedNumber(property.value.get()); days && days->first <= 0) {
      Emit(DiagnosticKind::TypeMismatch, property.value->range, "a window longer than zero",
           std::string(current_file_->Slice(property.value->range)))
          .Primary("customers cannot buy within no time");
    }
    return;
  }
  Emit(DiagnosticKind::MissingProperty, baseline.range, "a baseline", "window")
      .Primary("no `window`")
      .Note("`converted` is the share of customers who buy anyway within a window: 3 % within 30 days is not 3 % within 90")
      .Help("add the window the control was measured over, such as `window = 30 days`");
}

// A basket in another currency than the data's would be added to its revenue as it is.
void Checker::CheckBasketCurrency(const ast::Property& property) {
  for (const ast::Expr* figure : {property.value.get(), property.low.get(), property.high.get()}) {
    auto* amount = figure != nullptr ? figure->As<ast::NumberLiteral>() : nullptr;
    if (amount == nullptr || !amount->unit || model_.currency.empty()) continue;
    std::optional<Unit> unit = ParseUnit(amount->unit->name);
    if (!unit || unit->currency.empty() || unit->currency == model_.currency) continue;
    Emit(DiagnosticKind::CurrencyMismatch, figure->range, "add up", model_.currency, unit->currency)
        .Primary(fmt::format("a basket of {} {}", amount->digits, unit->currency))
        .Note(fmt::format("the data's amounts are in {}: each conversion would add {} to {} revenue", model_.currency,
                          unit->currency, model_.currency))
        .Help(fmt::format("state the basket in {}, as `relc calibrate` does from data in {}: relc never converts currencies",
                          model_.currency, model_.currency));
    return;
  }
}

// `converted = 2.10% within 1.69%..2.51%`: bounds of the figure's type that hold it.
void Checker::CheckInterval(const ast::Property& property, TypeKind type, bool allowed) {
  SourceRange whole = SourceRange::Join(property.low->range, property.high->range);
  if (!allowed) {
    Emit(DiagnosticKind::IntervalNotAllowed, whole, fmt::format("`{}`", property.name.name))
        .Primary("an interval")
        .Note("only the figures of a model's `response`, learned from data, have an uncertainty to draw from")
        .Help("state the figure alone");
    return;
  }
  bool typed = true;
  for (const ast::Expr* bound : {property.low.get(), property.high.get()}) {
    Type value = CheckExpr(bound, Context{});
    typed = typed && value.Is(type);
    Expect(bound, value, type, fmt::format("{} for a bound of `{}`", TypeName(Type::Of(type)), property.name.name));
  }
  auto value = SignedNumber(property.value.get());
  auto low = SignedNumber(property.low.get());
  auto high = SignedNumber(property.high.get());
  if (!typed || !value || !low || !high) return;
  auto text = [&](const std::pair<double, std::string>& number, const ast::Expr* expr) {
    auto* literal = expr->As<ast::NumberLiteral>();
    if (literal == nullptr) literal = expr->As<ast::UnaryExpr>()->operand->As<ast::NumberLiteral>();
    return number.second + (literal->percent ? "%" : literal->unit ? " " + literal->unit->name : "");
  };
  // A lift may be below zero; no other figure can.
  const bool lift = property.name.name == "converted";
  if (low->first < 0 && !lift) {
    Emit(DiagnosticKind::FigureOutsideInterval, property.low->range, property.name.name, text(*value, property.value.get()),
         fmt::format("{}..{}", text(*low, property.low.get()), text(*high, property.high.get())))
        .Primary("below zero")
        .Help("only `converted`, a lift over a control, may have a bound below zero");
    return;
  }
  if (value->first < low->first || value->first > high->first) {
    Emit(DiagnosticKind::FigureOutsideInterval, property.value->range, property.name.name, text(*value, property.value.get()),
         fmt::format("{}..{}", text(*low, property.low.get()), text(*high, property.high.get())))
        .Primary(low->first > high->first ? "its bounds are in the wrong order" : "outside the interval")
        .Help(low->first > high->first ? "write the lower bound first" : "a figure lies within its 95 % interval");
  }
}

}  // namespace relc::sema
