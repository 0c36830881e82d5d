// Scenarios: triggers, settings and steps.
#include "syntax/transformer.h"

namespace relc::syntax {

using P = RelParser;

ast::DeclPtr Transformer::TransformScenario(P::ScenarioDeclContext* ctx) {
  auto scenario = std::make_unique<ast::ScenarioDecl>();
  if (auto* instance = dynamic_cast<P::ScenarioInstanceContext*>(ctx)) {
    scenario->name = Name(instance->name());
    scenario->instance_of = TransformExpr(instance->expr());
    return scenario;
  }
  auto* block = dynamic_cast<P::ScenarioBlockContext*>(ctx);
  if (block == nullptr) return scenario;
  scenario->name = Name(block->name());
  scenario->parameters = Parameters(block->parameterList());
  scenario->open_brace = RangeOf(block->LBRACE());
  for (auto* item : block->scenarioItem()) TransformScenarioItem(item, *scenario);
  return scenario;
}

void Transformer::TransformScenarioItem(P::ScenarioItemContext* ctx, ast::ScenarioDecl& scenario) {
  if (auto* trigger = dynamic_cast<P::TriggerItemContext*>(ctx)) {
    if (trigger->trigger() != nullptr) {
      scenario.triggers.push_back(TransformTrigger(trigger->trigger()));
      scenario.triggers.back().range = RangeOf(ctx);
    }
  } else if (auto* reentry = dynamic_cast<P::ReentryItemContext*>(ctx)) {
    auto* rule = reentry->reentryRule();
    if (rule == nullptr) return;
    ast::Reentry out{};
    out.range = RangeOf(ctx);
    if (IsPresent(rule->ALWAYS())) {
      out.kind = ast::ReentryKind::Always;
    } else if (rule->expr() != nullptr) {
      out.kind = ast::ReentryKind::OncePer;
      out.period = TransformExpr(rule->expr());
    } else {
      out.kind = ast::ReentryKind::Once;
    }
    scenario.reentry.push_back(std::move(out));
  } else if (auto* audience = dynamic_cast<P::AudienceItemContext*>(ctx)) {
    if (auto expr = TransformExpr(audience->expr())) scenario.audiences.push_back(std::move(expr));
  } else if (auto* exit = dynamic_cast<P::ExitCriteriaItemContext*>(ctx)) {
    for (auto* criterion : exit->expr()) {
      if (auto expr = TransformExpr(criterion)) scenario.exit_criteria.push_back(std::move(expr));
    }
  } else if (auto* holdout = dynamic_cast<P::ScenarioHoldoutItemContext*>(ctx)) {
    if (auto expr = TransformExpr(holdout->expr())) scenario.holdouts.push_back(std::move(expr));
  } else if (auto* priority = dynamic_cast<P::ScenarioPriorityItemContext*>(ctx)) {
    if (auto expr = TransformExpr(priority->expr())) scenario.priorities.push_back(std::move(expr));
  } else if (auto* step = dynamic_cast<P::StepItemContext*>(ctx)) {
    if (auto out = TransformStep(step->step())) scenario.steps.push_back(std::move(out));
  }
}

ast::Trigger Transformer::TransformTrigger(P::TriggerContext* ctx) {
  ast::Trigger trigger{};
  trigger.range = RangeOf(ctx);
  if (auto* enter = dynamic_cast<P::EnterTriggerContext*>(ctx)) {
    trigger.kind = ast::TriggerKind::EnterPanel;
    trigger.subject = TransformExpr(enter->expr());
  } else if (auto* event = dynamic_cast<P::EventTriggerContext*>(ctx)) {
    trigger.kind = ast::TriggerKind::Event;
    trigger.subject = TransformExpr(event->expr());
  } else if (auto* recurring = dynamic_cast<P::RecurringTriggerContext*>(ctx)) {
    trigger.kind = ast::TriggerKind::Recurring;
    trigger.period = Name(recurring->name());
    trigger.subject = TransformExpr(recurring->expr(0));
    trigger.time_of_day = TransformExpr(recurring->expr(1));
  } else if (auto* date = dynamic_cast<P::DateTriggerContext*>(ctx)) {
    trigger.kind = ast::TriggerKind::Date;
    trigger.subject = TransformExpr(date->expr());
  } else if (auto* inactivity = dynamic_cast<P::InactivityTriggerContext*>(ctx)) {
    trigger.kind = ast::TriggerKind::Inactivity;
    trigger.subject = TransformExpr(inactivity->expr());
    trigger.event = Name(inactivity->name());
  }
  return trigger;
}

ast::StepPtr Transformer::TransformStep(P::StepContext* ctx) {
  if (ctx == nullptr) return nullptr;
  ast::StepPtr step = TransformStepBody(ctx->stepBody());
  if (step == nullptr) return nullptr;
  if (ctx->name() != nullptr) step->label = Name(ctx->name());
  step->range = RangeOf(ctx);
  return step;
}

ast::StepTarget Transformer::TransformStepTarget(P::StepTargetContext* ctx) {
  ast::StepTarget target;
  if (ctx == nullptr) return target;
  target.range = RangeOf(ctx);
  if (ctx->stepBody() != nullptr) {
    if (auto step = TransformStepBody(ctx->stepBody())) {
      step->range = RangeOf(ctx->stepBody());
      target.steps.push_back(std::move(step));
    }
    return target;
  }
  target.braced = true;
  for (auto* step : ctx->step()) {
    if (auto out = TransformStep(step)) target.steps.push_back(std::move(out));
  }
  return target;
}

ast::StepPtr Transformer::TransformStepBody(P::StepBodyContext* ctx) {
  if (auto* send = dynamic_cast<P::SendStepContext*>(ctx)) {
    auto step = std::make_unique<ast::SendStep>();
    step->channel = Name(send->name(0));
    if (IsPresent(send->STRING())) step->message = String(send->STRING());
    if (send->name(1) != nullptr) step->offer = Name(send->name(1));
    return step;
  }
  if (auto* wait = dynamic_cast<P::WaitStepContext*>(ctx)) {
    auto step = std::make_unique<ast::WaitStep>();
    if (auto* until = dynamic_cast<P::WaitUntilContext*>(wait->waitSpec())) {
      step->until = true;
      step->spec = TransformExpr(until->expr());
    } else if (auto* duration = dynamic_cast<P::WaitForContext*>(wait->waitSpec())) {
      step->spec = TransformExpr(duration->expr());
    }
    for (auto* route : wait->waitRoute()) {
      ast::WaitRoute out;
      out.event = TransformExpr(route->expr());
      if (route->name() != nullptr) out.match_key = Name(route->name());
      out.target = TransformStepTarget(route->stepTarget());
      out.range = RangeOf(route);
      step->routes.push_back(std::move(out));
    }
    return step;
  }
  if (auto* branch = dynamic_cast<P::BranchStepContext*>(ctx)) {
    auto step = std::make_unique<ast::BranchStep>();
    for (auto* arm : branch->branchArm()) {
      step->arms.push_back({TransformExpr(arm->expr()), TransformStepTarget(arm->stepTarget()), RangeOf(arm)});
    }
    if (branch->stepTarget() != nullptr) step->otherwise = TransformStepTarget(branch->stepTarget());
    return step;
  }
  if (auto* split = dynamic_cast<P::SplitStepContext*>(ctx)) {
    auto step = std::make_unique<ast::SplitStep>();
    for (auto* arm : split->splitArm()) {
      step->arms.push_back({TransformExpr(arm->expr()), TransformStepTarget(arm->stepTarget()), RangeOf(arm)});
    }
    if (auto* winner = split->winnerRule()) {
      step->winner = ast::WinnerRule{TransformExpr(winner->expr(0)), TransformExpr(winner->expr(1)), RangeOf(winner)};
    }
    return step;
  }
  if (auto* set = dynamic_cast<P::SetStepContext*>(ctx)) {
    auto step = std::make_unique<ast::SetStep>();
    for (auto* part : set->name()) step->path.push_back(Name(part));
    step->value = TransformExpr(set->expr());
    return step;
  }
  if (auto* tag = dynamic_cast<P::TagStepContext*>(ctx)) {
    auto step = std::make_unique<ast::TagStep>();
    step->tag = String(tag->STRING());
    return step;
  }
  if (auto* untag = dynamic_cast<P::UntagStepContext*>(ctx)) {
    auto step = std::make_unique<ast::UntagStep>();
    step->tag = String(untag->STRING());
    return step;
  }
  if (auto* go = dynamic_cast<P::GotoStepContext*>(ctx)) {
    auto step = std::make_unique<ast::GotoStep>();
    step->target = Name(go->name());
    return step;
  }
  if (auto* enter = dynamic_cast<P::EnterStepContext*>(ctx)) {
    auto step = std::make_unique<ast::EnterStep>();
    step->scenario = Name(enter->name());
    return step;
  }
  if (dynamic_cast<P::ExitStepContext*>(ctx) != nullptr) return std::make_unique<ast::ExitStep>();
  return nullptr;
}

}  // namespace relc::syntax
