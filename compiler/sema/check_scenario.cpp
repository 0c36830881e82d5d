// Scenarios: triggers, settings, step labels and steps.
#include <algorithm>
#include <cmath>

#include "diagnostics/suggest.h"
#include "sema/checker.h"

namespace relc::sema {

void Checker::CollectLabels(const std::vector<ast::StepPtr>& steps, const ast::ScenarioDecl& scenario) {
  auto& labels = labels_[&scenario];
  for (const auto& step : steps) {
    if (step->label) {
      auto [it, inserted] = labels.emplace(step->label->name, step.get());
      if (!inserted) {
        Emit(DiagnosticKind::DuplicateDefinition, step->label->range, step->label->name)
            .Primary("this label is already used in the scenario")
            .Label(it->second->label->range, "first used here")
            .Help("give each step its own label");
      }
    }
    auto collect_target = [&](const ast::StepTarget& target) { CollectLabels(target.steps, scenario); };
    if (auto* wait = step->As<ast::WaitStep>()) {
      for (const auto& route : wait->routes) collect_target(route.target);
    } else if (auto* branch = step->As<ast::BranchStep>()) {
      for (const auto& arm : branch->arms) collect_target(arm.target);
      if (branch->otherwise) collect_target(*branch->otherwise);
    } else if (auto* split = step->As<ast::SplitStep>()) {
      for (const auto& arm : split->arms) collect_target(arm.target);
    }
  }
}

const Symbol* Checker::ResolveAs(const ast::Identifier& name, SymbolKind kind, DiagnosticKind if_not,
                                 std::string_view label) {
  auto it = current_program_->names.find(name.name);
  if (it != current_program_->names.end() && it->second->kind == kind) {
    const_cast<Symbol*>(it->second)->uses++;
    RecordUse(name.range, it->second);
    return it->second;
  }
  std::vector<std::string> candidates;
  for (const auto& [candidate, symbol] : current_program_->names) {
    if (symbol->kind == kind) candidates.push_back(candidate);
  }
  auto builder = Emit(if_not, name.range, name.name);
  builder.Primary(std::string(label));
  if (auto close = ClosestMatch(name.name, candidates)) builder.Help(fmt::format("did you mean `{}`?", *close));
  return nullptr;
}

void Checker::CheckCostCurrency(const Symbol* symbol, SourceRange use) {
  if (symbol == nullptr || symbol->decl == nullptr || model_.currency.empty()) return;
  if (!cost_currency_checked_.insert(symbol).second) return;  // one error per channel or offer
  const std::vector<ast::Property>* properties = nullptr;
  if (auto* channel = symbol->decl->As<ast::ChannelDecl>()) properties = &channel->properties;
  if (auto* offer = symbol->decl->As<ast::OfferDecl>(); offer && offer->properties) properties = &*offer->properties;
  if (properties == nullptr) return;
  for (const ast::Property& property : *properties) {
    auto* cost = property.value->As<ast::NumberLiteral>();
    if (property.name.name != "cost" || cost == nullptr || !cost->unit) continue;
    std::optional<Unit> unit = ParseUnit(cost->unit->name);
    if (!unit || unit->currency.empty() || unit->currency == model_.currency) continue;
    std::string where = "this file";
    for (const Module& module : model_.modules) {
      if (module.file == symbol->file) where = module.is_stdlib || module.name.starts_with("std.") ? module.name : module.file->path();
    }
    const bool channel = symbol->decl->kind == ast::DeclKind::Channel;
    Emit(DiagnosticKind::CurrencyMismatch, use, "add up", model_.currency, unit->currency)
        .Primary(fmt::format("{} `{}` costs {} {} ({})", channel ? "channel" : "offer", symbol->name, cost->digits, unit->currency, where))
        .Note(fmt::format("the data's amounts are in {}: the report would add {} costs to {} revenue", model_.currency,
                          unit->currency, model_.currency))
        .Help(fmt::format("declare `{} {}{}{{ cost = ... {} }}` in the program, at its price in {}: relc never converts currencies",
                          channel ? "channel" : "offer", symbol->name, channel ? " " : " = KIND ", model_.currency,
                          model_.currency));
  }
}

void Checker::CheckScenario(const ast::ScenarioDecl& scenario, const Context& outer) {
  Context context = outer;
  context.scenario = &scenario;
  std::map<std::string, const Symbol*, std::less<>> locals;
  if (outer.locals != nullptr) locals = *outer.locals;
  if (scenario.parameters) {
    for (const auto& parameter : *scenario.parameters) {
      std::string unit = parameter.type.unit ? parameter.type.unit->name : "";
      std::optional<Type> type = ParseTypeName(parameter.type.name.name, unit);
      if (!type) Emit(DiagnosticKind::UnknownType, parameter.type.range, parameter.type.name.name).Primary("not a type");
      if (const Symbol* symbol = Declare(locals, SymbolKind::Parameter, parameter.name,
                                         type.value_or(Type::Of(TypeKind::Error)), nullptr, current_file_)) {
        // A template's parameters are used by its instances, not necessarily by its body.
        const_cast<Symbol*>(symbol)->uses++;
      }
      if (parameter.default_value) CheckExpr(parameter.default_value.get(), outer);
    }
  }
  if (scenario.instance_of) {
    Type type = CheckExpr(scenario.instance_of.get(), outer);
    Expect(scenario.instance_of.get(), type, TypeKind::Scenario, "a scenario template, such as `winback(...)`");
    return;
  }

  CollectLabels(scenario.steps, scenario);
  // Labels are names of type `step` inside the scenario.
  for (const auto& [name, step] : labels_[&scenario]) {
    Symbol& symbol = NewSymbol(SymbolKind::Step, name, Type::Of(TypeKind::Step));
    symbol.file = current_file_;
    symbol.range = step->label->range;
    symbol.uses = 1;  // labels need no use
    locals.emplace(name, &symbol);
  }
  context.locals = &locals;

  for (const auto& trigger : scenario.triggers) CheckTrigger(trigger, context);
  for (const auto& reentry : scenario.reentry) {
    if (reentry.period) Expect(reentry.period.get(), CheckExpr(reentry.period.get(), context), TypeKind::Duration, "a period");
  }
  for (const auto& audience : scenario.audiences) {
    Expect(audience.get(), CheckExpr(audience.get(), context), TypeKind::Panel, "a panel");
  }
  for (const auto& exit : scenario.exit_criteria) {
    Expect(exit.get(), CheckExpr(exit.get(), context), TypeKind::Event, "an event, such as `purchase`");
  }
  for (const auto& holdout : scenario.holdouts) CheckShare(holdout.get(), "a holdout");
  for (const auto& priority : scenario.priorities) {
    Expect(priority.get(), CheckExpr(priority.get(), context), TypeKind::Integer, "a whole number");
  }
  CheckSteps(scenario.steps, context);
}

void Checker::CheckTrigger(const ast::Trigger& trigger, const Context& context) {
  const ast::Expr* subject = trigger.subject.get();
  switch (trigger.kind) {
    case ast::TriggerKind::EnterPanel:
      Expect(subject, CheckExpr(subject, context), TypeKind::Panel, "a panel after `trigger enter`");
      return;
    case ast::TriggerKind::Event:
      Expect(subject, CheckExpr(subject, context), TypeKind::Event, "an event after `trigger on`");
      return;
    case ast::TriggerKind::Recurring: {
      static const std::vector<std::string> kPeriods = {"year", "month", "week", "day"};
      if (trigger.period && std::find(kPeriods.begin(), kPeriods.end(), trigger.period->name) == kPeriods.end()) {
        auto builder = Emit(DiagnosticKind::UnknownUnit, trigger.period->range, trigger.period->name);
        builder.Primary("not a period: `year`, `month`, `week` or `day`");
        if (auto close = ClosestMatch(trigger.period->name, kPeriods)) builder.Help(fmt::format("did you mean `{}`?", *close));
      }
      Type date = CheckExpr(subject, context.WithCustomer());
      if (!date.IsError() && !date.Is(TypeKind::Date) && !date.Is(TypeKind::DateTime)) {
        Expect(subject, date, TypeKind::Date, "a date, such as `birth_date`");
      }
      if (trigger.time_of_day) {
        Expect(trigger.time_of_day.get(), CheckExpr(trigger.time_of_day.get(), context), TypeKind::TimeOfDay, "a time of day");
      }
      return;
    }
    case ast::TriggerKind::Date: {
      Type date = CheckExpr(subject, context);
      if (!date.IsError() && !date.Is(TypeKind::Date) && !date.Is(TypeKind::DateTime)) {
        Expect(subject, date, TypeKind::DateTime, "a date and time, such as `2026-12-01T10:00`");
      }
      return;
    }
    case ast::TriggerKind::Inactivity: {
      Expect(subject, CheckExpr(subject, context), TypeKind::Duration, "a duration");
      const Symbol* event = trigger.event ? Lookup(trigger.event->name, context) : nullptr;
      if (trigger.event && (event == nullptr || event->kind != SymbolKind::Event)) {
        if (!unknown_names_.emplace(current_file_.get(), trigger.event->name).second) return;
        std::vector<std::string> events;
        for (const auto& [name, fields] : event_fields_) events.push_back(name);
        auto builder = Emit(DiagnosticKind::UnknownName, trigger.event->range, trigger.event->name);
        builder.Primary("not an event of the schema");
        if (auto close = ClosestMatch(trigger.event->name, events)) builder.Help(fmt::format("did you mean `{}`?", *close));
      } else if (event != nullptr) {
        const_cast<Symbol*>(event)->uses++;
      }
      return;
    }
  }
}

void Checker::CheckSteps(const std::vector<ast::StepPtr>& steps, const Context& context) {
  for (const auto& step : steps) CheckStep(*step, context);
}

void Checker::CheckTarget(const ast::StepTarget& target, const Context& context) { CheckSteps(target.steps, context); }

void Checker::CheckStep(const ast::Step& step, const Context& context) {
  const ast::ScenarioDecl& scenario = *context.scenario;
  switch (step.kind) {
    case ast::StepKind::Send: {
      auto* send = step.As<ast::SendStep>();
      // In a template, the channel and the offer may be its parameters.
      auto parameter = [&](const ast::Identifier& name, TypeKind kind) {
        if (context.locals == nullptr) return false;
        auto it = context.locals->find(name.name);
        if (it == context.locals->end() || it->second->kind != SymbolKind::Parameter) return false;
        if (!it->second->type.Is(kind) && !it->second->type.IsError()) {
          Emit(DiagnosticKind::TypeMismatch, name.range, kind == TypeKind::Channel ? "a channel" : "an offer",
               TypeName(it->second->type))
              .Primary(fmt::format("`{}` is a parameter of type {}", name.name, TypeName(it->second->type)));
        }
        return true;
      };
      if (!parameter(send->channel, TypeKind::Channel)) {
        const Symbol* channel = ResolveAs(send->channel, SymbolKind::Channel, DiagnosticKind::UnknownChannel, "not a channel");
        CheckCostCurrency(channel, send->channel.range);
      }
      if (send->offer && !parameter(*send->offer, TypeKind::Offer)) {
        const Symbol* offer = ResolveAs(*send->offer, SymbolKind::Offer, DiagnosticKind::UnknownName, "not an offer");
        CheckCostCurrency(offer, send->offer->range);
      }
      return;
    }
    case ast::StepKind::Wait: {
      auto* wait = step.As<ast::WaitStep>();
      Type spec = CheckExpr(wait->spec.get(), context.WithCustomer());
      if (wait->until) {
        bool ok = spec.IsError() || spec.Is(TypeKind::TimeOfDay) || spec.Is(TypeKind::Date) || spec.Is(TypeKind::DateTime);
        if (!ok) Expect(wait->spec.get(), spec, TypeKind::TimeOfDay, "a time of day or a date after `wait until`");
      } else {
        Expect(wait->spec.get(), spec, TypeKind::Duration, "a duration, such as `5 days`");
        // `wait -1 days` in a loop went round at the same instant forever.
        if (auto number = SignedNumber(wait->spec.get()); number && number->first < 0 && spec.Is(TypeKind::Duration)) {
          Emit(DiagnosticKind::NegativeWait, wait->spec->range, std::string(current_file_->Slice(wait->spec->range)))
              .Primary("a negative duration")
              .Help("wait a positive duration, such as `1 day`");
        }
      }
      for (const auto& route : wait->routes) {
        Type event = CheckExpr(route.event.get(), context);
        if (!event.IsError() && !event.Is(TypeKind::Event) && !event.Is(TypeKind::Bool)) {
          Emit(DiagnosticKind::TypeMismatch, route.event->range, "an event or a response such as `clicked(first)`",
               TypeName(event))
              .Primary("cannot be waited for");
        }
        if (route.match_key && event.Is(TypeKind::Event)) {
          auto fields = event_fields_.find(event.event);
          if (fields == event_fields_.end() || !fields->second.contains(route.match_key->name)) {
            Emit(DiagnosticKind::UnknownField, route.match_key->range, TypeName(event), route.match_key->name)
                .Primary("cannot match on it");
          }
        }
        CheckTarget(route.target, context);
      }
      return;
    }
    case ast::StepKind::Branch: {
      auto* branch = step.As<ast::BranchStep>();
      for (const auto& arm : branch->arms) {
        Expect(arm.condition.get(), CheckExpr(arm.condition.get(), context.WithCustomer()), TypeKind::Bool, "a condition");
        CheckTarget(arm.target, context);
      }
      if (branch->otherwise) CheckTarget(*branch->otherwise, context);
      return;
    }
    case ast::StepKind::Split: {
      auto* split = step.As<ast::SplitStep>();
      double total = 0;
      bool all_literal = true;
      for (const auto& arm : split->arms) {
        CheckShare(arm.weight.get(), "a split weight");
        if (auto* weight = arm.weight->As<ast::NumberLiteral>(); weight != nullptr && weight->percent) {
          total += weight->value;
        } else {
          all_literal = false;
        }
        CheckTarget(arm.target, context);
      }
      if (all_literal && !split->arms.empty() && std::abs(total - 100) > 1e-9) {
        Emit(DiagnosticKind::SplitWeightsSum, step.range, fmt::format("{}%", total))
            .Primary("these weights")
            .Help(total < 100 ? "add an arm for the rest (`20% -> exit`), or raise the weights"
                              : "lower the weights so that they add up to 100%");
      }
      if (split->winner) {
        Context metrics = context;
        metrics.metrics = true;
        Type metric = CheckExpr(split->winner->metric.get(), metrics);
        if (!metric.IsError() && !metric.IsNumber() && !metric.Is(TypeKind::Money)) {
          Expect(split->winner->metric.get(), metric, TypeKind::Decimal, "a metric to pick the winner by");
        }
        Expect(split->winner->after.get(), CheckExpr(split->winner->after.get(), context), TypeKind::Duration,
               "a test window, such as `3 days`");
      }
      return;
    }
    case ast::StepKind::Set: {
      auto* set = step.As<ast::SetStep>();
      if (!set->path.empty() && !attributes_.contains(set->path.front().name)) {
        std::vector<std::string> names;
        for (const auto& [name, symbol] : attributes_) names.push_back(name);
        auto builder = Emit(DiagnosticKind::UnknownName, set->path.front().range, set->path.front().name);
        builder.Primary("not a customer attribute");
        if (auto close = ClosestMatch(set->path.front().name, names)) builder.Help(fmt::format("did you mean `{}`?", *close));
      }
      CheckExpr(set->value.get(), context.WithCustomer());
      return;
    }
    case ast::StepKind::Goto: {
      auto* go = step.As<ast::GotoStep>();
      const auto& labels = labels_[&scenario];
      if (context.locals != nullptr) {
        if (auto label = context.locals->find(go->target.name); label != context.locals->end()) RecordUse(go->target.range, label->second);
      }
      if (!labels.contains(go->target.name)) {
        std::vector<std::string> names;
        for (const auto& [name, labelled] : labels) names.push_back(name);
        auto builder = Emit(DiagnosticKind::UnknownStep, go->target.range, scenario.name.name, go->target.name);
        builder.Primary("no step has this label");
        if (auto close = ClosestMatch(go->target.name, names)) builder.Help(fmt::format("did you mean `{}`?", *close));
      }
      return;
    }
    case ast::StepKind::Enter: {
      ResolveAs(step.As<ast::EnterStep>()->scenario, SymbolKind::Scenario, DiagnosticKind::UnknownName, "not a scenario");
      return;
    }
    case ast::StepKind::Tag:
    case ast::StepKind::Untag:
    case ast::StepKind::Exit:
      return;
  }
}

}  // namespace relc::sema
