// The simulator: a program run over its customers for a number of days, each customer's
// journeys driven by the compiled step machines, with a behaviour model for what customers do
// (baseline purchases from their history, responses to messages, abandoned carts), and the
// program's consent and pressure rules enforced on every send.
//
// Customers are independent: they are simulated on all cores, and every random draw comes from
// a counter-based generator keyed by (seed, customer, what is drawn, time), so the result is
// the same, byte for byte, whatever the number of threads.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "data/store.h"
#include "evaluate/bind.h"
#include "evaluate/panels.h"
#include "ir/engine.h"
#include "measures/customer_measures.h"

namespace relc::simulate {

struct Options {
  int days = 90;
  uint64_t seed = 1;
  unsigned threads = 0;  // 0: every core
  bool log = false;      // keep every action, for --log and the audits
  // A pressure policy shared by every program of the run (`--pressure FILE`): its caps count
  // every program's sends; null for none.
  const ir::Pressure* shared_pressure = nullptr;
  // When set, counts the customers simulated so far (for a progress line).
  std::atomic<size_t>* customers_done = nullptr;
};

// What happened, counted for the program, a scenario or a step.
struct Counters {
  int64_t entered = 0, exited = 0, sent = 0, delivered = 0, opened = 0, clicked = 0, converted = 0;
  int64_t purchases = 0, revenue_cents = 0, cost_cents = 0, unsubscribed = 0, suppressed = 0;
  int64_t carts_recovered = 0, signups = 0, referrals = 0;

  Counters& operator+=(const Counters& other);
  int64_t Metric(std::string_view name) const;  // by the name KPIs use: sent, revenue (cents)...
};

enum class Outcome : uint8_t { Sent, SuppressedConsent, SuppressedPressure, DroppedQuietHours };

struct LogEntry {
  uint32_t customer;
  int64_t time;
  int32_t scenario;
  int32_t step;
  Outcome outcome;
  uint8_t responses;  // for sent messages: ir::Outcome bits, and 16 when the customer unsubscribed
};

// One arm of a split: what the journeys that took it did, and, with a winner rule, what they
// had done when the winner was chosen.
struct Variant {
  int32_t scenario = 0, step = 0, arm = 0;  // the split step and the arm's index in it
  int32_t target = 0;                        // the arm's first step
  Counters counters;
  Counters at_decision;  // a winner rule's test window only
};

// A split's winner rule, decided: the arm that led on the metric (per journey that took it)
// when the test window closed; the journeys that reach the split after that take it.
struct Winner {
  int32_t scenario = 0, step = 0;
  std::string metric;
  int64_t decided_at = 0;  // seconds since the epoch
  int32_t arm = -1;        // -1: no journey took any arm during the window
};

struct Result {
  int64_t customers = 0, holdout_customers = 0;
  Counters program;
  std::vector<Counters> scenarios;
  std::vector<std::vector<Counters>> steps;  // per scenario, per step
  std::vector<Variant> variants;             // every arm of every split
  std::vector<Winner> winners;               // every split with a winner rule
  // Purchases of the customers the program may contact, and of the holdout: the uplift.
  Counters treated, holdout;
  std::vector<LogEntry> log;  // by customer, then time
};

// One program of a run, compiled and bound to the data. Every program of a run is bound to the
// same customers.
struct ProgramRun {
  const ir::Program* program = nullptr;
  const ir::Engine* engine = nullptr;
  const evaluate::BoundData* data = nullptr;
  const std::vector<evaluate::Selection>* panels = nullptr;
  // The panels again a week later, two weeks later... (`AdvanceClock`), for `trigger enter`:
  // a customer who joins a panel then, and has not bought meanwhile, enters that week. Null:
  // panels at the start only.
  const std::vector<std::vector<evaluate::Selection>>* weekly_panels = nullptr;
};

// The panels of `program` a week after `data`'s clock, two weeks after... within `days`, if a
// scenario enters on a panel (empty otherwise). Leaves the frame as EvaluatePanels at the start
// does: call it before that.
std::vector<std::vector<evaluate::Selection>> WeeklyPanels(const ir::Program& program, const ir::Engine& engine,
                                                          evaluate::BoundData& data, int days);

// Simulates the programs together over their customers: each customer's purchases and carts
// happen once, every program's journeys react to them, and one contact history per customer is
// what caps `across programs` and the shared policy count. A result per program, in order.
std::vector<Result> Simulate(const std::vector<ProgramRun>& programs, const measures::CustomerMeasures& measures,
                             const Options& options);

}  // namespace relc::simulate
