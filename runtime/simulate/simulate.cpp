#include "simulate/simulate.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "data/parallel.h"
#include "distribute/distribute.h"
#include "simulate/customer_run.h"

namespace relc::simulate {

Counters& Counters::operator+=(const Counters& o) {
  entered += o.entered, exited += o.exited, sent += o.sent, delivered += o.delivered, opened += o.opened;
  clicked += o.clicked, converted += o.converted, purchases += o.purchases, revenue_cents += o.revenue_cents;
  attributed_cents += o.attributed_cents, cost_cents += o.cost_cents, unsubscribed += o.unsubscribed, suppressed += o.suppressed;
  carts_recovered += o.carts_recovered, signups += o.signups, referrals += o.referrals;
  return *this;
}

int64_t Counters::Metric(std::string_view name) const {
  if (name == "entered") return entered;
  if (name == "exited") return exited;
  if (name == "sent") return sent;
  if (name == "delivered") return delivered;
  if (name == "opened") return opened;
  if (name == "clicked") return clicked;
  if (name == "converted") return converted;
  if (name == "purchases") return purchases;
  if (name == "revenue") return revenue_cents;
  if (name == "attributed_revenue") return attributed_cents;
  if (name == "cost") return cost_cents;
  if (name == "unsubscribed") return unsubscribed;
  if (name == "suppressed") return suppressed;
  if (name == "carts_recovered") return carts_recovered;
  if (name == "signups") return signups;
  if (name == "referrals") return referrals;
  return 0;
}

std::vector<uint64_t> CustomerKeys(const data::CustomerStore& store) {
  const data::Column& ids = store.customers.columns[store.key_column];
  std::vector<uint64_t> keys(store.customers.rows);
  for (size_t c = 0; c < keys.size(); ++c) keys[c] = data::HashName(ids.String(c));
  return keys;
}

Population& Population::operator+=(const Population& o) {
  customers += o.customers, journeys += o.journeys, purchases += o.purchases, revenue_cents += o.revenue_cents;
  buyers += o.buyers, before_cents += o.before_cents, before_squares += o.before_squares, before_revenue += o.before_revenue;
  cart_journeys += o.cart_journeys, carts_bought += o.carts_bought, revenue_squares += o.revenue_squares;
  return *this;
}

void Timeline::Size(int days, const std::vector<std::string>& channel_names) {
  channels = channel_names;
  const auto n = static_cast<size_t>(std::max(days, 0));
  sent.assign(n * channels.size(), 0);
  for (auto* series : {&converted, &entered_purchases, &entered_revenue_cents, &held_out_purchases, &held_out_revenue_cents}) {
    series->assign(n, 0);
  }
}

Timeline& Timeline::operator+=(const Timeline& o) {
  auto add = [](std::vector<int64_t>& to, const std::vector<int64_t>& from) {
    if (to.size() < from.size()) to.resize(from.size(), 0);
    for (size_t i = 0; i < from.size(); ++i) to[i] += from[i];
  };
  add(sent, o.sent), add(converted, o.converted), add(entered_purchases, o.entered_purchases);
  add(entered_revenue_cents, o.entered_revenue_cents), add(held_out_purchases, o.held_out_purchases);
  add(held_out_revenue_cents, o.held_out_revenue_cents), add(messages_per_week, o.messages_per_week);
  suppressed_consent += o.suppressed_consent, suppressed_pressure += o.suppressed_pressure;
  dropped_quiet_hours += o.dropped_quiet_hours, deferred_quiet_hours += o.deferred_quiet_hours;
  return *this;
}

void Result::AddFlow(int32_t scenario, int32_t from, int32_t to, int64_t journeys) {
  std::vector<Flow>& list = flows[static_cast<size_t>(scenario)];
  auto it = std::find_if(list.begin(), list.end(), [&](const Flow& f) { return f.from == from && f.to == to; });
  if (it == list.end()) {
    list.push_back({from, to, journeys});
  } else {
    it->journeys += journeys;
  }
}

void Result::Finish() {
  for (auto& list : flows) {
    std::sort(list.begin(), list.end(), [](const Flow& a, const Flow& b) { return std::pair(a.from, a.to) < std::pair(b.from, b.to); });
  }
  program.purchases = entered.purchases;
  program.revenue_cents = entered.revenue_cents;
  for (size_t s = 0; s < scenarios.size(); ++s) {
    scenarios[s].purchases = scenario_entered[s].purchases;
    scenarios[s].revenue_cents = scenario_entered[s].revenue_cents;
  }
}

Plan MakePlan(const std::vector<ProgramRun>& programs, const measures::CustomerMeasures& measures, const Options& options) {
  Plan plan;
  auto channel_index = [&](const std::string& name) {
    auto it = std::find(plan.channels.begin(), plan.channels.end(), name);
    if (it != plan.channels.end()) return static_cast<int32_t>(it - plan.channels.begin());
    plan.channels.push_back(name);
    return static_cast<int32_t>(plan.channels.size() - 1);
  };
  for (const ProgramRun& run : programs) {
    const ir::Program& program = *run.program;
    ProgramPlan& out = plan.programs.emplace_back();
    out.priority = program.priority;
    // The models' figures, each drawn from its interval when the run draws them.
    auto values_of = [&](const std::vector<ir::ResponseRate>& figures, std::string_view what) {
      std::vector<double> values;
      const uint64_t key = data::Combine(data::HashName(program.title), data::HashName(what));
      for (size_t i = 0; i < figures.size(); ++i) {
        const ir::ResponseRate& rate = figures[i];
        auto figure = [&](ir::ExprId id) {
          ir::Value v = run.engine->Scalar(id, run.data->frame());
          if (!v.valid) return 0.0;
          return program[id].type == ir::ValueType::Int ? static_cast<double>(v.bits) : v.AsFloat();  // money: cents
        };
        double value = figure(rate.value);
        if (options.draw_figures && rate.low != ir::kNoExpr) {
          data::Random random(options.seed, data::Combine(key, i));
          value = DrawFigure(value, figure(rate.low), figure(rate.high), rate.property == "basket", random);
        }
        values.push_back(value);
      }
      return values;
    };
    const std::vector<double> rates = values_of(program.response_rates, "response");
    out.baselines = BaselinesFor(program, values_of(program.baseline_rates, "baseline"));
    Result& empty = out.empty;
    empty.scenarios.assign(program.scenarios.size(), {});
    empty.scenario_entered.assign(program.scenarios.size(), {});
    empty.scenario_held_out.assign(program.scenarios.size(), {});
    empty.flows.assign(program.scenarios.size(), {});
    out.key = data::HashName(program.title);
    if (program.utc_offset_column >= 0) {
      out.utc_offset_slot = program.utc_offset_column;
      out.written_slots.push_back(program.utc_offset_column);
    }
    for (const ir::Scenario& scenario : program.scenarios) {
      auto& slots = out.inactivity_slots.emplace_back();
      for (const ir::Trigger& trigger : scenario.triggers) {
        slots.push_back(trigger.kind == ir::TriggerKind::Inactivity ? out.inactivity_triggers++ : -1);
      }
      out.scenario_keys.push_back(data::HashName(scenario.name));
      auto& step_keys = out.step_keys.emplace_back();
      for (size_t k = 0; k < scenario.steps.size(); ++k) step_keys.push_back(data::HashName(StepName(scenario, k)));
      ir::Value share = scenario.holdout >= 0 ? run.engine->Scalar(scenario.holdout, run.data->frame()) : ir::Value{};
      out.scenario_holdouts.push_back(share.valid ? share.AsFloat() : 0);
    }
    for (size_t s = 0; s < program.scenarios.size(); ++s) {
      const ir::Scenario& scenario = program.scenarios[s];
      empty.steps.emplace_back(scenario.steps.size());
      auto& sends = out.sends.emplace_back(scenario.steps.size());
      auto& variants_at = out.variants_at.emplace_back(scenario.steps.size());
      auto& set_slots = out.set_slots.emplace_back(scenario.steps.size(), -1);
      for (size_t k = 0; k < scenario.steps.size(); ++k) {
        const ir::Step& step = scenario.steps[k];
        if (step.op == ir::StepOp::Split) {
          int64_t decision = ir::kNever;
          if (!step.winner_metric.empty()) {
            decision = run.data->frame().now + static_cast<int64_t>(step.winner_after_seconds);
            empty.winners.push_back({static_cast<int32_t>(s), static_cast<int32_t>(k), step.winner_metric, decision, -1});
            out.winner_split.push_back(step.split);
            out.winner_arm.push_back(-1);
          }
          for (size_t arm = 0; arm < step.targets.size(); ++arm) {
            int32_t target = step.targets[arm];
            if (target < 0) continue;
            variants_at[static_cast<size_t>(target)].push_back(static_cast<int32_t>(empty.variants.size()));
            empty.variants.push_back({static_cast<int32_t>(s), static_cast<int32_t>(k), static_cast<int32_t>(arm), target, {}, {}});
            out.variant_decision.push_back(decision);
          }
        }
        if (step.op == ir::StepOp::Set) {
          for (size_t slot = 0; slot < program.customer_columns.size(); ++slot) {
            const ir::ColumnSlot& column = program.customer_columns[slot];
            if (column.source != ir::ColumnSlot::Source::Attribute || column.name != step.attribute) continue;
            set_slots[k] = static_cast<int32_t>(slot);
            if (std::find(out.written_slots.begin(), out.written_slots.end(), slot) == out.written_slots.end()) {
              out.written_slots.push_back(static_cast<int32_t>(slot));
            }
          }
        }
        if (step.op != ir::StepOp::Send) continue;
        sends[k].rates = RatesFor(program, rates, step.channel, step.message);
        sends[k].segments = SegmentRatesFor(program, rates, step.channel, step.message, sends[k].rates);
        sends[k].channel = channel_index(step.channel);
        for (size_t c = 0; c < program.channel_consents.size(); ++c) {
          if (program.channel_consents[c].first == step.channel) sends[k].consent = static_cast<int32_t>(c);
        }
        for (const ir::Offer& offer : program.offers) {
          if (offer.name != step.offer) continue;
          sends[k].offer_cost = offer.cost_cents;
          sends[k].offer_uplift = offer.uplift.value_or(program.behaviour.offer_uplift);
        }
      }
    }
    for (size_t t = 0; t < program.event_types.size(); ++t) {
      if (program.event_types[t] == "purchase") out.purchase_type = static_cast<int32_t>(t);
    }
    if (program.goal.event_type >= 0 && program.event_types[program.goal.event_type] != "purchase") {
      const std::string& name = program.event_types[program.goal.event_type];
      auto it = std::find(plan.event_names.begin(), plan.event_names.end(), name);
      out.goal = static_cast<int32_t>(it - plan.event_names.begin());
      if (it == plan.event_names.end()) {
        plan.event_names.push_back(name);
        plan.event_types.push_back(run.data->frame().event_type_codes[program.goal.event_type]);
      }
    }
  }
  // The events the customers do on their own, besides purchases: those any program reads, as
  // triggers, waits or exits (unsubscribes come from messages only).
  for (const ProgramRun& run : programs) {
    const ir::Program& program = *run.program;
    for (size_t t = 0; t < program.event_types.size(); ++t) {
      const std::string& name = program.event_types[t];
      int32_t dataset_type = run.data->frame().event_type_codes[t];
      if (name == "purchase" || name == "unsubscribe" || dataset_type < 0) continue;
      bool known = std::any_of(plan.replayed.begin(), plan.replayed.end(), [&](const Replayed& r) { return r.name == name; });
      if (!known) plan.replayed.push_back({name, dataset_type});
    }
  }
  // Carts first: their draws keep the keys they have always had.
  std::stable_partition(plan.replayed.begin(), plan.replayed.end(), [](const Replayed& r) { return r.name == "cart_abandoned"; });
  std::array<int64_t, 2> baskets = {0, 0};  // every process's buyers: their baskets, and how many
  for (int64_t basket : measures.average_basket_cents) {
    if (basket > 0) baskets[0] += basket, ++baskets[1];
  }
  distribute::SumAll(baskets);
  const auto [total, buyers] = baskets;
  plan.fallback_basket_cents = buyers ? total / buyers : 5000;
  for (ProgramPlan& program : plan.programs) program.empty.timeline.Size(options.days, plan.channels);
  if (options.recorded != nullptr) plan.recorded = RecordedSchemaOf(*options.recorded->store, plan.channels);
  return plan;
}

namespace {

void Add(Result& to, Result& part) {
  to.customers += part.customers;
  to.holdout_customers += part.holdout_customers;
  to.program += part.program;
  to.entered += part.entered;
  to.held_out += part.held_out;
  for (size_t s = 0; s < to.scenarios.size(); ++s) {
    to.scenarios[s] += part.scenarios[s];
    to.scenario_entered[s] += part.scenario_entered[s];
    to.scenario_held_out[s] += part.scenario_held_out[s];
    for (size_t k = 0; k < to.steps[s].size(); ++k) to.steps[s][k] += part.steps[s][k];
    for (const Flow& flow : part.flows[s]) to.AddFlow(static_cast<int32_t>(s), flow.from, flow.to, flow.journeys);
  }
  to.timeline += part.timeline;
  for (size_t v = 0; v < to.variants.size(); ++v) {
    to.variants[v].counters += part.variants[v].counters;
    to.variants[v].at_decision += part.variants[v].at_decision;
    to.variants[v].at_decision_squares += part.variants[v].at_decision_squares;
    to.variants[v].population += part.variants[v].population;
  }
  to.log.insert(to.log.end(), part.log.begin(), part.log.end());
  to.emitted.insert(to.emitted.end(), part.emitted.begin(), part.emitted.end());
  to.events.insert(to.events.end(), part.events.begin(), part.events.end());
  if (!to.runaway) to.runaway = part.runaway;
}

// Every customer once, on every core. Customers go by chunks to whichever thread is free, so a
// thread the machine slows (other work, a busier stretch of customers) takes fewer; each chunk
// keeps results of its own, summed in customer order, so that they do not depend on the threads.
std::vector<Result> RunCustomers(const std::vector<ProgramRun>& programs, const Plan& plan,
                                 const measures::CustomerMeasures& measures, const Options& options) {
  constexpr size_t kChunkRows = 16384;
  size_t customers = programs.front().data->frame().customer_count;
  unsigned threads = data::ThreadCount(options.threads);
  threads = static_cast<unsigned>(std::max<size_t>(1, std::min<size_t>(threads, customers / 64 + 1)));
  const size_t chunks = std::max<size_t>(1, (customers + kChunkRows - 1) / kChunkRows);
  std::vector<std::vector<Result>> parts(chunks);
  std::vector<std::vector<WritableColumns>> columns(threads);  // per thread: its rows' `set` values
  auto writable = [&](std::vector<WritableColumns>& out) {
    if (!out.empty()) return;
    for (size_t p = 0; p < programs.size(); ++p) out.emplace_back(programs[p], plan.programs[p].written_slots);
  };
  std::atomic<bool> halted{false};
  Options halting = options;
  halting.halt = &halted;
  data::ParallelFor(chunks, threads, [&](size_t chunk, unsigned worker) {
    writable(columns[worker]);
    for (const ProgramPlan& program : plan.programs) parts[chunk].push_back(program.empty);
    const size_t begin = chunk * kChunkRows, end = std::min(customers, begin + kChunkRows);
    for (size_t row = begin; row < end && !halted.load(std::memory_order_relaxed); ++row) {
      CustomerRun(programs, plan, measures, halting, parts[chunk], columns[worker], static_cast<uint32_t>(row)).Run();
    }
    if (options.customers_done != nullptr) *options.customers_done += end - begin;
  });
  std::vector<Result> results;
  for (const ProgramPlan& program : plan.programs) results.push_back(program.empty);
  if (halted) {
    // A journey ran away. Which one first, in customer order whatever the threads: the customers
    // one by one until one does (the others were normal, and are quick).
    std::vector<Result> scratch = results;
    std::vector<WritableColumns> one_thread;
    writable(one_thread);
    Options alone = options;
    alone.log = false;
    for (size_t row = 0; row < customers; ++row) {
      CustomerRun(programs, plan, measures, alone, scratch, one_thread, static_cast<uint32_t>(row)).Run();
      for (size_t p = 0; p < results.size(); ++p) {
        if (scratch[p].runaway) {
          results[p].runaway = scratch[p].runaway;
          return results;
        }
      }
    }
  }
  for (auto& part : parts) {
    for (size_t p = 0; p < results.size(); ++p) Add(results[p], part[p]);
    part.clear();
    part.shrink_to_fit();
  }
  return results;
}

// The arms that led when the window closed, by the metric per journey that took them (ties to
// the first arm), and whether the leader's lead over the runner-up is significant: a z-test on
// the difference of the two means, each arm's variance from its journeys (a count per journey
// is 0 or 1 but for the rare journey with two, so its square is itself; revenue has its squares).
void Decide(const Result& result, Winner& winner) {
  struct Arm {
    int32_t arm;
    double mean, variance;
  };
  std::vector<Arm> arms;
  for (const Variant& variant : result.variants) {
    if (variant.scenario != winner.scenario || variant.step != winner.step || variant.at_decision.entered == 0) continue;
    const auto n = static_cast<double>(variant.at_decision.entered);
    const auto total = static_cast<double>(variant.at_decision.Metric(winner.metric));
    const bool revenue = winner.metric == "revenue" || winner.metric == "attributed_revenue";
    const double squares = revenue ? static_cast<double>(variant.at_decision_squares) : total;
    const double mean = total / n;
    arms.push_back({variant.arm, mean, std::max(0.0, squares / n - mean * mean) / n});
  }
  std::stable_sort(arms.begin(), arms.end(), [](const Arm& a, const Arm& b) { return a.mean > b.mean; });
  winner.arm = winner.leader = winner.runner_up = -1;
  winner.z = 0;
  if (arms.empty()) return;
  winner.leader = arms[0].arm;
  if (arms.size() < 2) return;
  winner.runner_up = arms[1].arm;
  const double se = std::sqrt(arms[0].variance + arms[1].variance);
  winner.z = se > 0 ? (arms[0].mean - arms[1].mean) / se : 0;
  if (winner.z >= Winner::kCriticalZ) winner.arm = arms[0].arm;
}

}  // namespace

std::vector<Result> Simulate(const std::vector<ProgramRun>& programs, const measures::CustomerMeasures& measures,
                             const Options& options) {
  Plan plan = MakePlan(programs, measures, options);
  std::vector<Result> results = RunCustomers(programs, plan, measures, options);
  if (options.store != nullptr) MergeProcessResults(results, *options.store);
  // Winner rules: the first pass is, up to each decision, what happened; the arms that led
  // then are fixed for the journeys that reach the split later, and the run is replayed (its
  // draws are keyed, so everything before the decisions happens again the same way).
  bool winners = false;
  for (size_t p = 0; p < programs.size(); ++p) {
    for (size_t w = 0; w < results[p].winners.size(); ++w) {
      Winner& decided = plan.programs[p].empty.winners[w];
      // A replay that ends before the test window closes has no winner yet.
      if (options.recorded != nullptr && decided.decided_at >= options.recorded->until) continue;
      Decide(results[p], decided);
      plan.programs[p].winner_arm[w] = decided.arm;
      winners = winners || decided.arm >= 0;
    }
  }
  if (winners) {
    results = RunCustomers(programs, plan, measures, options);
    if (options.store != nullptr) MergeProcessResults(results, *options.store);
  }
  for (size_t p = 0; p < programs.size(); ++p) {
    results[p].winners = plan.programs[p].empty.winners;  // with their tests, winner or not
    results[p].fallback_basket_cents = plan.fallback_basket_cents;
    results[p].Finish();
  }
  return results;
}

std::vector<std::vector<evaluate::Selection>> WeeklyPanels(const ir::Program& program, const ir::Engine& engine,
                                                          evaluate::BoundData& data, int days) {
  std::vector<std::vector<evaluate::Selection>> weeks;
  bool enters = false;
  for (const ir::Scenario& scenario : program.scenarios) {
    for (const ir::Trigger& trigger : scenario.triggers) enters = enters || trigger.kind == ir::TriggerKind::EnterPanel;
  }
  if (!enters) return weeks;
  constexpr int64_t kWeek = 7 * 86400;
  for (int week = 1; week * 7 < days; ++week) {
    data.AdvanceClock(kWeek);
    weeks.push_back(evaluate::EvaluatePanels(program, engine, data));
  }
  data.AdvanceClock(-kWeek * static_cast<int64_t>(weeks.size()));
  return weeks;
}

}  // namespace relc::simulate
