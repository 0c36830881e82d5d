#include "simulate/customer_run.h"

#include <algorithm>
#include <cmath>

namespace relc::simulate {

CustomerRun::CustomerRun(const std::vector<ProgramRun>& programs, const Plan& plan, const measures::CustomerMeasures& measures,
                         const Options& options, std::vector<Result>& results, std::vector<WritableColumns>& columns,
                         uint32_t row)
    : plan_(plan), measures_(measures), options_(options), recorded_(options.recorded), row_(row) {
  customer_key_ = options.customer_keys != nullptr ? (*options.customer_keys)[row] : data::Combine(0, row);
  programs_.reserve(programs.size());
  for (size_t p = 0; p < programs.size(); ++p) {
    Program& state = programs_.emplace_back(&programs[p], &plan.programs[p], programs[p].data->frame(), &results[p]);
    state.columns = &columns[p];
    state.frame.customer_columns = columns[p].views();
    state.key = data::Combine(plan.programs[p].key, customer_key_);
    // A split's draws are keyed by the seed in the frame: the run's, the program's and the customer's.
    state.frame.seed = data::Combine(options.seed, state.key);
    size_t scenarios = programs[p].program->scenarios.size();
    state.entries.assign(scenarios, 0);
    state.last_entry.assign(scenarios, 0);
    state.scenario_held.assign(scenarios, false);
    state.scenario_tracked.resize(scenarios);
    state.inactive_since.assign(static_cast<size_t>(plan.programs[p].inactivity_triggers), ir::kNever);
    state.winners.assign(static_cast<size_t>(programs[p].program->splits), -1);
    state.frame.split_winners = state.winners.data();
  }
  start_ = now_ = programs.front().data->frame().now;
  end_ = recorded_ != nullptr ? recorded_->until : start_ + int64_t{options.days} * kDay;
  revoked_.assign(plan.channels.size(), false);
  if (recorded_ != nullptr && recorded_->others != nullptr) {
    // Another program's messages, from the outbox: a contact of no program of this run's.
    auto [first, last] = std::equal_range(recorded_->others->begin(), recorded_->others->end(), Recorded::Contact{.customer = row},
                                          [](const auto& a, const auto& b) { return a.customer < b.customer; });
    for (auto it = first; it != last; ++it) {
      auto channel = std::find(plan.channels.begin(), plan.channels.end(), it->channel);
      history_.push_back({it->time, channel == plan.channels.end() ? -1 : static_cast<int32_t>(channel - plan.channels.begin()), -1});
    }
  }
}

double CustomerRun::Uniform(uint64_t what, uint64_t index, int64_t time) const {
  return relc_random_unit(options_.seed, customer_key_, what, index, time);
}

int64_t CustomerRun::OffsetAt(int64_t time) const { return programs_.front().run->data->utc_offset_at(row_, time); }

void CustomerRun::Tracked::Add(Population& to, int64_t before_cents) const {
  if (since == ir::kNever) return;
  to.before_cents += before_cents;
  to.before_squares += static_cast<WideSum>(before_cents) * before_cents;
  to.before_revenue += static_cast<WideSum>(before_cents) * revenue_cents;
  ++to.customers;
  to.buyers += purchases > 0;
  to.journeys += journeys, to.purchases += purchases, to.revenue_cents += revenue_cents;
  to.cart_journeys += cart_journeys, to.carts_bought += carts_bought;
  to.revenue_squares += static_cast<WideSum>(revenue_cents) * revenue_cents;
}

void CustomerRun::Log(Program& program, LogEntry entry) {
  if (!options_.log) return;
  entry.customer = row_;
  entry.time = now_;
  program.result->log.push_back(entry);
}

void CustomerRun::Schedule(Event event) {
  event.sequence = sequence_++;
  queue_.push(event);
}

void CustomerRun::ScheduleJourneyEvent(Event event) {
  event.rank = plan_.programs[journeys_[event.journey].program].priority;
  Schedule(event);
}

void CustomerRun::Run() {
  for (Program& program : programs_) {
    double holdout = program.run->program->holdout;
    program.holdout = holdout > 0 && Uniform(static_cast<uint64_t>(Draw::Holdout), program.plan->key, 0) < holdout;
    ++(program.holdout ? program.result->holdout_customers : program.result->customers);
    for (size_t s = 0; s < program.scenario_held.size(); ++s) {
      double share = program.plan->scenario_holdouts[s];
      program.scenario_held[s] =
          share > 0 && Uniform(static_cast<uint64_t>(Draw::ScenarioHoldout), data::Combine(program.plan->key, program.plan->scenario_keys[s]), 0) < share;
    }
  }
  if (recorded_ != nullptr) {
    ScheduleRecorded();
  } else {
    ScheduleBaseline();
    ScheduleReplays();
  }
  ScheduleTriggers();
  while (!queue_.empty() && !stopped_ && !(options_.halt != nullptr && options_.halt->load(std::memory_order_relaxed))) {
    Event event = queue_.top();
    queue_.pop();
    if (event.time >= end_) break;
    SetTime(event.time);
    Handle(event);
  }
  CountMessagesPerWeek();
  for (Program& program : programs_) {
    Result& result = *program.result;
    const int64_t before = std::max<int64_t>(0, measures_.monetary_cents[row_]);
    program.tracked.Add(program.holdout ? result.held_out : result.entered, before);
    for (const auto& [variant, tracked] : program.variant_tracked) {
      tracked.Add(result.variants[static_cast<size_t>(variant)].population, before);
    }
    for (size_t s = 0; s < program.scenario_tracked.size(); ++s) {
      bool held = program.holdout || program.scenario_held[s];
      program.scenario_tracked[s].Add(held ? result.scenario_held_out[s] : result.scenario_entered[s], before);
    }
  }
}

void CustomerRun::CountOnDay(std::vector<int64_t>& series, int64_t amount) const {
  if (const int64_t day = Day(); day >= 0 && day < static_cast<int64_t>(series.size())) series[static_cast<size_t>(day)] += amount;
}

// Per program, the weeks of the run in which it sent this customer messages, by how many.
void CustomerRun::CountMessagesPerWeek() {
  constexpr int64_t kWeek = 7 * kDay;
  for (size_t p = 0; p < programs_.size(); ++p) {
    std::vector<int64_t>& histogram = programs_[p].result->timeline.messages_per_week;
    int64_t week = -1, count = 0;
    auto close = [&] {
      if (count == 0) return;
      if (histogram.size() <= static_cast<size_t>(count)) histogram.resize(static_cast<size_t>(count) + 1, 0);
      ++histogram[static_cast<size_t>(count)];
    };
    for (const Contact& contact : history_) {  // in time order
      if (contact.program != static_cast<int32_t>(p)) continue;
      const int64_t of = (contact.time - start_) / kWeek;
      if (of != week) close(), week = of, count = 0;
      ++count;
    }
    close();
  }
}

void CustomerRun::SetTime(int64_t now) {
  now_ = now;
  for (Program& program : programs_) {
    program.frame.now = now;
    if (program.plan->utc_offset_slot >= 0) program.columns->Write(program.plan->utc_offset_slot, row_, OffsetAt(now), true);
    // A split's winner applies to the journeys that reach it once the test window has closed.
    const ProgramPlan& plan = *program.plan;
    for (size_t w = 0; w < plan.winner_split.size(); ++w) {
      const Winner& winner = program.result->winners[w];
      if (plan.winner_arm[w] >= 0 && now >= winner.decided_at) program.winners[plan.winner_split[w]] = plan.winner_arm[w];
    }
  }
}

int64_t CustomerRun::Basket(int64_t model_basket) const {
  if (model_basket > 0) return model_basket;
  return measures_.average_basket_cents[row_] > 0 ? measures_.average_basket_cents[row_] : plan_.fallback_basket_cents;
}

void CustomerRun::Handle(const Event& event) {
  switch (event.kind) {
    case Event::Kind::Start: {
      if (event.unless_bought && bought_) break;
      // An inactivity trigger counted from an event that a newer one has replaced: stale.
      if (event.trigger >= 0 && programs_[event.program].inactive_since[static_cast<size_t>(event.trigger)] != event.since) break;
      StartJourney(event.program, event.a, event.key);
      break;
    }
    case Event::Kind::Purchase: HandlePurchase(event); break;
    case Event::Kind::Goal: HandleGoal(event); break;
    case Event::Kind::Replay: HandleReplay(event); break;
    case Event::Kind::Timer: {
      Journey& j = journeys_[event.journey];
      if (j.active && j.deadline == event.time) Advance(event.journey, {ir::InputKind::Timeout, j.step, 0});
      break;
    }
    case Event::Kind::Response: {
      Journey& j = journeys_[event.journey];
      j.outcomes[event.a] |= event.bit;
      if (!j.active) break;
      const ir::Step& waiting = programs_[j.program].run->program->scenarios[j.scenario].steps[j.step];
      for (size_t r = 0; r < waiting.routes.size(); ++r) {
        if (waiting.routes[r].response_step == event.a && (waiting.routes[r].response & event.bit)) {
          Advance(event.journey, {ir::InputKind::Event, j.step, static_cast<int32_t>(r)});
          break;
        }
      }
      break;
    }
    case Event::Kind::Revoke: revoked_[static_cast<size_t>(event.a)] = true; break;
    case Event::Kind::Resume:
      if (journeys_[event.journey].active && Send(event.journey, journeys_[event.journey].step)) {
        Advance(event.journey, {ir::InputKind::Continue, journeys_[event.journey].step, 0});
      }
      break;
  }
}

void CustomerRun::HandlePurchase(const Event& event) {
  bought_ = true;
  RecordEvent({.kind = CustomerEvent::Kind::Purchase, .time = now_, .amount_cents = event.amount, .key = event.key});
  TrackPurchase(event);
  if (event.attributed_step >= 0) {
    const Journey& j = journeys_[event.journey];
    Counters& program = programs_[j.program].result->program;
    ++program.converted;
    CountOnDay(programs_[j.program].result->timeline.converted);
    program.attributed_cents += event.amount;
    Credit(j, event.attributed_step, [&](Counters& c) {
      ++c.converted;
      ++c.purchases;
      c.revenue_cents += event.amount;
      c.attributed_cents += event.amount;
    });
    for (int32_t v : j.variants) {
      if (now_ < programs_[j.program].plan->variant_decision[v]) {
        programs_[j.program].result->variants[v].at_decision_squares += static_cast<WideSum>(event.amount) * event.amount;
      }
    }
  }
  // An abandoned cart bought while a journey about it ran (or after): recovered, for each
  // program that ran one.
  if (IsCartKey(event.key)) {
    std::vector<bool> counted(programs_.size(), false);
    for (const Journey& j : journeys_) {
      if (j.key != event.key || counted[j.program]) continue;
      counted[j.program] = true;
      ++programs_[j.program].result->program.carts_recovered;
      ++programs_[j.program].result->scenarios[j.scenario].carts_recovered;
    }
  }
  OnEvent("purchase", -1, event.key);
}

// What the customers who entered (or would have) bought from their entry on: each program's,
// each scenario's, and the carts their journeys were about, bought with or without a message.
void CustomerRun::TrackPurchase(const Event& event) {
  const bool cart = IsCartKey(event.key);
  auto track = [&](Tracked& tracked) {
    if (tracked.since > now_) return;
    ++tracked.purchases;
    tracked.revenue_cents += event.amount;
  };
  for (size_t p = 0; p < programs_.size(); ++p) {
    Program& program = programs_[p];
    for (Tracked& scenario : program.scenario_tracked) track(scenario);
    for (auto& variant : program.variant_tracked) track(variant.second);
    track(program.tracked);
    if (program.tracked.since <= now_) {
      Timeline& timeline = program.result->timeline;
      CountOnDay(program.holdout ? timeline.held_out_purchases : timeline.entered_purchases);
      CountOnDay(program.holdout ? timeline.held_out_revenue_cents : timeline.entered_revenue_cents, event.amount);
    }
    // The cart bought: once for the program, once for each scenario that had a journey about it.
    bool program_counted = false;
    for (size_t i = 0; cart && i < program.carts.size(); ++i) {
      const TrackedCart& c = program.carts[i];
      if (c.key != event.key) continue;
      if (c.program && !program_counted) {
        ++program.tracked.carts_bought;
        program_counted = true;
      }
      auto same = [&](const TrackedCart& other) { return other.key == c.key && other.scenario == c.scenario; };
      if (std::none_of(program.carts.begin(), program.carts.begin() + static_cast<std::ptrdiff_t>(i), same)) {
        ++program.scenario_tracked[static_cast<size_t>(c.scenario)].carts_bought;
      }
    }
    if (!options_.log) continue;
    // Every purchase is logged, entered or not, so that an audit can recompute the figures.
    const bool mine = event.attributed_step >= 0 && journeys_[event.journey].program == static_cast<int32_t>(p);
    const Journey* j = mine ? &journeys_[event.journey] : nullptr;
    Log(program, {.scenario = j ? j->scenario : -1, .step = j ? event.attributed_step : -1, .outcome = Outcome::Purchase,
                  .responses = static_cast<uint8_t>(mine ? 8 : 0), .entry = j ? j->entry : 0, .amount_cents = event.amount});
  }
}

// A conversion whose goal is not a purchase: a referral, a sign-up... It counts as converted,
// and as a referral or a sign-up by its name, and every program sees the event.
void CustomerRun::HandleGoal(const Event& event) {
  const std::string& name = plan_.event_names[static_cast<size_t>(event.a)];
  const Journey& j = journeys_[event.journey];
  RecordEvent({.kind = CustomerEvent::Kind::Replayed, .time = now_, .key = event.key, .type = plan_.event_types[static_cast<size_t>(event.a)]});
  const bool referral = name.find("referral") != std::string::npos;
  const bool signup = name.find("signup") != std::string::npos || name.find("sign_up") != std::string::npos;
  auto count = [&](Counters& c) {
    ++c.converted;
    c.referrals += referral;
    c.signups += signup;
  };
  count(programs_[j.program].result->program);
  CountOnDay(programs_[j.program].result->timeline.converted);
  Credit(j, event.attributed_step, count);
  OnEvent(name, -1, event.key);
}

void CustomerRun::HandleReplay(const Event& event) {
  const Replayed& replayed = plan_.replayed[static_cast<size_t>(event.replayed)];
  const std::string& name = replayed.name;
  RecordEvent({.kind = CustomerEvent::Kind::Replayed, .time = now_, .key = event.key, .copied_from = event.a, .type = replayed.dataset_type});
  OnEvent(name, event.a, event.key);
  // A replay's checkouts are the recorded purchases.
  if (recorded_ == nullptr && name == "cart_abandoned" &&
      Uniform(static_cast<uint64_t>(Draw::CartCheckout), static_cast<uint64_t>(event.key), event.time) <
          programs_.front().run->program->behaviour.cart_checkout) {
    int64_t delay =
        kHour + static_cast<int64_t>(Uniform(static_cast<uint64_t>(Draw::CheckoutDelay), static_cast<uint64_t>(event.key), event.time) * 47 * kHour);
    Schedule({.kind = Event::Kind::Purchase, .time = event.time + delay, .rank = kCustomerRank, .key = event.key, .amount = Basket()});
  }
}

bool CustomerRun::Matches(const Program& program, const ir::WaitRoute& route, int32_t type, int64_t template_event) const {
  if (route.event_type != type || type < 0) return false;
  if (route.predicate < 0) return true;
  return template_event >= 0 &&
         program.run->engine->EventMatches(route.predicate, program.frame, row_, static_cast<uint64_t>(template_event));
}

// An event of the customer's: exits, waits it ends, scenarios it starts, in every program.
void CustomerRun::OnEvent(const std::string& name, int64_t template_event, int64_t key) {
  auto type_in = [&](const Program& program) {
    if (name == "purchase") return program.plan->purchase_type;
    const auto& types = program.run->program->event_types;
    auto it = std::find(types.begin(), types.end(), name);
    return it == types.end() ? -1 : static_cast<int32_t>(it - types.begin());
  };
  for (size_t i = 0; i < journeys_.size(); ++i) {
    Journey& j = journeys_[i];
    if (!j.active) continue;
    const Program& program = programs_[j.program];
    const int32_t type = type_in(program);
    const ir::Scenario& scenario = program.run->program->scenarios[j.scenario];
    bool leaves = std::any_of(scenario.exits.begin(), scenario.exits.end(),
                              [&](const ir::WaitRoute& exit) { return Matches(program, exit, type, template_event); });
    if (leaves) {  // `exit on ...`: from wherever the journey waits
      program.result->AddFlow(j.scenario, j.step, Flow::kToExit);
      End(static_cast<int32_t>(i));
      continue;
    }
    const ir::Step& waiting = scenario.steps[j.step];
    if (waiting.op != ir::StepOp::Wait) continue;
    for (size_t r = 0; r < waiting.routes.size(); ++r) {
      const ir::WaitRoute& route = waiting.routes[r];
      if (!Matches(program, route, type, template_event) || (!route.match_key.empty() && key != j.key)) continue;
      Advance(static_cast<int32_t>(i), {ir::InputKind::Event, j.step, static_cast<int32_t>(r)});
      break;
    }
  }
  // Scenarios it starts, programs in priority order; inactivity triggers count from it anew.
  for (size_t p = 0; p < programs_.size(); ++p) {
    const Program& program = programs_[p];
    const int32_t type = type_in(program);
    const ir::Program& ir = *program.run->program;
    for (size_t s = 0; s < ir.scenarios.size(); ++s) {
      for (const ir::Trigger& trigger : ir.scenarios[s].triggers) {
        if (trigger.kind == ir::TriggerKind::Inactivity && type >= 0 && trigger.event.event_type == type) {
          const auto t = static_cast<int32_t>(&trigger - ir.scenarios[s].triggers.data());
          ScheduleInactivity(static_cast<int32_t>(p), static_cast<int32_t>(s), t, now_);
        }
        if (trigger.kind == ir::TriggerKind::Event && Matches(program, trigger.event, type, template_event)) {
          Schedule({.kind = Event::Kind::Start, .time = now_, .rank = program.plan->priority, .program = static_cast<int32_t>(p),
                    .a = static_cast<int32_t>(s), .key = key});
        }
      }
    }
  }
}

// A trigger fired: the journey starts, if the audience and reentry rules let it; a customer
// held out (by the program's holdout or the scenario's) is never contacted, but is counted as
// one who would have entered, for the uplift.
void CustomerRun::StartJourney(int32_t p, int32_t s, int64_t key) {
  Program& program = programs_[p];
  const ir::Scenario& scenario = program.run->program->scenarios[s];
  for (int32_t panel : scenario.audiences) {
    if (!ir::IsBitSet((*program.run->panels)[panel].data(), row_)) return;
  }
  bool running = std::any_of(journeys_.begin(), journeys_.end(),
                             [&](const Journey& j) { return j.active && j.program == p && j.scenario == s; });
  if (scenario.reentry != ir::Reentry::Always && running) return;
  if (scenario.reentry == ir::Reentry::Once && program.entries[s] > 0) return;
  if (scenario.reentry == ir::Reentry::OncePer && program.entries[s] > 0) {
    ir::Value period = program.run->engine->Scalar(scenario.reentry_period, program.frame);
    if (period.valid && now_ - program.last_entry[s] < static_cast<int64_t>(period.AsFloat())) return;
  }
  const int32_t entry = static_cast<int32_t>(++program.entries[s]);
  program.last_entry[s] = now_;
  const bool cart = IsCartKey(key);
  // The program's population leaves out whom the scenario's own holdout keeps from it, held out
  // by the program or not, so that both sides of the program's comparison are alike.
  for (Tracked* tracked : {&program.tracked, &program.scenario_tracked[s]}) {
    if (tracked == &program.tracked && program.scenario_held[s]) continue;
    tracked->since = std::min(tracked->since, now_);
    ++tracked->journeys;
    tracked->cart_journeys += cart;
  }
  if (cart) program.carts.push_back({key, s, !program.scenario_held[s]});
  if (program.holdout || program.scenario_held[s]) {
    Log(program, {.scenario = s, .step = scenario.entry, .outcome = Outcome::HeldOut, .responses = 0, .entry = entry});
    return;
  }
  Journey& j = journeys_.emplace_back();
  j.program = p;
  j.scenario = s;
  j.entered = now_;
  j.key = key;
  j.entry = entry;
  j.draw_key = data::Combine(data::Combine(program.key, program.plan->scenario_keys[s]), static_cast<uint64_t>(entry));
  j.outcomes.assign(scenario.steps.size(), 0);
  ++program.result->program.entered;
  ++program.result->scenarios[s].entered;
  Log(program, {.scenario = s, .step = scenario.entry, .outcome = Outcome::Entered, .responses = 0, .entry = entry});
  Advance(static_cast<int32_t>(journeys_.size() - 1), {ir::InputKind::Start, scenario.entry, 0});
}

void CustomerRun::End(int32_t index) {
  Journey& j = journeys_[index];
  j.active = false;
  Program& program = programs_[j.program];
  ++program.result->program.exited;
  ++program.result->scenarios[j.scenario].exited;
  Log(program, {.scenario = j.scenario, .step = j.step, .outcome = Outcome::Exited, .responses = 0, .entry = j.entry});
}

// A journey that reaches the first step of a split's arm has taken that arm.
void CustomerRun::EnterVariants(int32_t index, int32_t step) {
  Journey& j = journeys_[index];
  Program& program = programs_[j.program];
  for (int32_t v : program.plan->variants_at[j.scenario][step]) {
    if (std::find(j.variants.begin(), j.variants.end(), v) != j.variants.end()) continue;
    j.variants.push_back(v);
    auto taken = std::find_if(program.variant_tracked.begin(), program.variant_tracked.end(), [&](const auto& t) { return t.first == v; });
    if (taken == program.variant_tracked.end()) program.variant_tracked.push_back({v, Tracked{.since = now_}});
    Variant& variant = program.result->variants[v];
    ++variant.counters.entered;
    if (now_ < program.plan->variant_decision[v]) ++variant.at_decision.entered;
  }
}

// Moves a journey on until it waits or ends.
void CustomerRun::Advance(int32_t index, ir::Input input) {
  for (int moves = 0; moves < 1000; ++moves) {
    Journey& j = journeys_[index];
    if (stopped_) return;
    if (++j.steps > kMostJourneySteps) {
      Result& result = *programs_[j.program].result;
      if (!result.runaway) result.runaway = Runaway{row_, "", j.scenario, j.step, now_};
      stopped_ = true;
      if (options_.halt != nullptr) options_.halt->store(true, std::memory_order_relaxed);
      return;
    }
    const Program& program = programs_[j.program];
    const ir::Scenario& scenario = program.run->program->scenarios[j.scenario];
    ir::Instance instance{j.outcomes.data(), j.entered};
    ir::Action action{};
    const int32_t from = j.steps == 1 ? Flow::kFromTrigger : j.step;
    program.run->engine->Transition(j.scenario, program.frame, row_, instance, input, action);
    const bool ends = action.kind == ir::ActionKind::Exit || action.kind == ir::ActionKind::Stuck;
    if (const int32_t to = ends ? Flow::kToExit : action.step; to != from) program.result->AddFlow(j.scenario, from, to);
    j.step = action.step;
    if (action.step >= 0 && !program.plan->variants_at[j.scenario][action.step].empty()) EnterVariants(index, action.step);
    switch (action.kind) {
      case ir::ActionKind::Send:
        if (!Send(index, action.step)) return;
        break;
      case ir::ActionKind::Wait: {
        Journey& waiting = journeys_[index];
        waiting.deadline = action.deadline;
        bool has_routes = !scenario.steps[action.step].routes.empty();
        if (action.deadline == ir::kNever && !has_routes) {
          program.result->AddFlow(waiting.scenario, action.step, Flow::kToExit);
          End(index);
        } else if (action.deadline != ir::kNever && action.deadline < end_) {
          ScheduleJourneyEvent({.kind = Event::Kind::Timer, .time = std::max(action.deadline, now_), .journey = index});
          if (action.deadline < now_) waiting.deadline = now_;
        }
        return;
      }
      case ir::ActionKind::Enter: {
        const std::string& target = scenario.steps[action.step].scenario;
        const ir::Program& ir = *program.run->program;
        for (size_t s = 0; s < ir.scenarios.size(); ++s) {
          if (ir.scenarios[s].name == target) StartJourney(journeys_[index].program, static_cast<int32_t>(s), journeys_[index].key);
        }
        break;
      }
      case ir::ActionKind::Set: {
        // The customer's new value, for the conditions they meet next (not the panels, which
        // were evaluated at the start).
        int32_t slot = program.plan->set_slots[j.scenario][action.step];
        if (slot >= 0) program.columns->Write(slot, row_, action.value, action.value_valid != 0);
        break;
      }
      case ir::ActionKind::Tag:
      case ir::ActionKind::Untag: break;  // no condition reads tags
      case ir::ActionKind::Exit:
      case ir::ActionKind::Stuck: End(index); return;
    }
    input = {ir::InputKind::Continue, journeys_[index].step, 0};
  }
  End(index);
}

}  // namespace relc::simulate
