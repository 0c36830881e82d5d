// A run spread over processes: each simulated its own customers; their results are summed here
// into what one process simulating them all would have counted. Every count is an integer (and
// the squares exact 128-bit integers), so the sums do not depend on how customers were split.
#include <algorithm>
#include <climits>

#include "distribute/distribute.h"
#include "simulate/simulate.h"

namespace relc::simulate {
namespace {

template <typename F>
void EachCount(Counters& c, F&& f) {
  for (int64_t* field : {&c.entered, &c.exited, &c.sent, &c.delivered, &c.opened, &c.clicked, &c.converted, &c.purchases,
                         &c.revenue_cents, &c.attributed_cents, &c.cost_cents, &c.unsubscribed, &c.suppressed,
                         &c.carts_recovered, &c.signups, &c.referrals}) {
    f(*field);
  }
}

template <typename F>
void EachCount(Population& p, F&& f) {
  for (int64_t* field : {&p.customers, &p.journeys, &p.purchases, &p.revenue_cents, &p.buyers, &p.cart_journeys,
                         &p.carts_bought, &p.before_cents}) {
    f(*field);
  }
  for (WideSum* field : {&p.revenue_squares, &p.before_squares, &p.before_revenue}) f(*field);
}

// Every count of a result but its flows, its lists and its runaway: the same fields, in the same
// order, on every process.
template <typename F>
void EachCount(Result& r, F&& f) {
  f(r.customers), f(r.holdout_customers);
  EachCount(r.program, f);
  for (Counters& c : r.scenarios) EachCount(c, f);
  for (auto& steps : r.steps) {
    for (Counters& c : steps) EachCount(c, f);
  }
  for (Variant& v : r.variants) {
    EachCount(v.counters, f), EachCount(v.at_decision, f), EachCount(v.population, f);
    f(v.at_decision_squares);
  }
  Timeline& t = r.timeline;
  for (auto* list : {&t.sent, &t.converted, &t.entered_purchases, &t.entered_revenue_cents, &t.held_out_purchases,
                     &t.held_out_revenue_cents, &t.messages_per_week}) {
    for (int64_t& value : *list) f(value);
  }
  for (int64_t* field : {&t.suppressed_consent, &t.suppressed_pressure, &t.dropped_quiet_hours, &t.deferred_quiet_hours}) f(*field);
  EachCount(r.entered, f), EachCount(r.held_out, f);
  for (Population& p : r.scenario_entered) EachCount(p, f);
  for (Population& p : r.scenario_held_out) EachCount(p, f);
}

// A 128-bit sum travels as two 64-bit ones, its high part and its low 32 bits: both sums are
// exact for as many processes as MPI allows.
struct Flatten {
  std::vector<int64_t>& out;
  void operator()(int64_t& value) const { out.push_back(value); }
  void operator()(WideSum& value) const {
    out.push_back(static_cast<int64_t>(value >> 32));
    out.push_back(static_cast<int64_t>(value & 0xffffffff));
  }
};

struct Unflatten {
  const std::vector<int64_t>& in;
  size_t& at;
  void operator()(int64_t& value) const { value = in[at++]; }
  void operator()(WideSum& value) const {
    value = static_cast<WideSum>(in[at]) * (WideSum{1} << 32) + in[at + 1];
    at += 2;
  }
};

}  // namespace

void MergeProcessResults(std::vector<Result>& results, const data::CustomerStore& store) {
  if (!distribute::Distributed()) return;
  // The histogram of messages per week is as long as the most pressed customer's count.
  std::vector<int64_t> lengths;
  for (const Result& r : results) lengths.push_back(static_cast<int64_t>(r.timeline.messages_per_week.size()));
  distribute::MaxAll(lengths);
  std::vector<int64_t> counts;
  for (size_t p = 0; p < results.size(); ++p) {
    results[p].timeline.messages_per_week.resize(static_cast<size_t>(lengths[p]), 0);
    EachCount(results[p], Flatten{counts});
  }
  distribute::SumAll(counts);
  size_t at = 0;
  for (Result& r : results) EachCount(r, Unflatten{counts, at});
  // Flows: every process's moves, counted again (Finish sorts them).
  distribute::Packer flows;
  for (size_t p = 0; p < results.size(); ++p) {
    for (size_t s = 0; s < results[p].flows.size(); ++s) {
      for (const Flow& flow : results[p].flows[s]) {
        for (int64_t value : {static_cast<int64_t>(p), static_cast<int64_t>(s), int64_t{flow.from}, int64_t{flow.to}, flow.journeys}) {
          flows.Int(value);
        }
      }
      results[p].flows[s].clear();
    }
  }
  for (const std::string& part : distribute::GatherAll(flows.bytes())) {
    distribute::Unpacker in(part);
    while (!in.done()) {
      const auto p = static_cast<size_t>(in.Int());
      const auto s = static_cast<int32_t>(in.Int());
      const auto from = static_cast<int32_t>(in.Int()), to = static_cast<int32_t>(in.Int());
      results[p].AddFlow(s, from, to, in.Int());
    }
  }
  // The first runaway journey in the source's order, whichever process simulated it.
  distribute::Packer runaways;
  const data::Column& ids = store.customers.columns[store.key_column];
  for (size_t p = 0; p < results.size(); ++p) {
    if (!results[p].runaway) continue;
    const Runaway& r = *results[p].runaway;
    for (int64_t value : {static_cast<int64_t>(p), store.SourceOrder(r.customer), int64_t{r.scenario}, int64_t{r.step}, r.time}) {
      runaways.Int(value);
    }
    runaways.Text(ids.String(r.customer));
  }
  std::vector<int64_t> first_line(results.size(), INT64_MAX);
  for (Result& r : results) r.runaway.reset();
  for (const std::string& part : distribute::GatherAll(runaways.bytes())) {
    distribute::Unpacker in(part);
    while (!in.done()) {
      const auto p = static_cast<size_t>(in.Int());
      const int64_t line = in.Int();
      Runaway r;
      r.scenario = static_cast<int32_t>(in.Int());
      r.step = static_cast<int32_t>(in.Int());
      r.time = in.Int();
      r.customer_id = in.Text();
      if (line < first_line[p]) first_line[p] = line, results[p].runaway = std::move(r);
    }
  }
}

}  // namespace relc::simulate
