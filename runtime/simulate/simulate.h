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
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "data/store.h"
#include "evaluate/bind.h"
#include "evaluate/panels.h"
#include "ir/engine.h"
#include "measures/customer_measures.h"

namespace relc::simulate {

// Sums of squared cents: exact integers (a double's sum would depend on the order threads add
// their parts in), wide enough for millions of customers.
__extension__ typedef __int128 WideSum;

// Steps one journey may go through in a run: more than a real journey takes (a daily loop of a
// send, a wait and a `goto` over ten years is 11,000), few enough to stop a runaway loop within
// a second.
inline constexpr int32_t kMostJourneySteps = 20'000;

// A message's idempotency key: a hash of (program, scenario, step, customer, entry number and,
// for a step a journey passes again, its pass), the same in every run and every version that
// keeps those names, so that a sending system can deduplicate and a replay knows what was sent.
struct MessageKey {
  uint64_t high = 0, low = 0;
  auto operator<=>(const MessageKey&) const = default;
  std::string Text() const;  // 32 hex digits
  static std::optional<MessageKey> Parse(std::string_view text);
};

// What really happened, for a replay (`relc apply`, `relc plan`): the customers' recorded events
// from the start to `until` take the place of the behaviour model's draws (docs/operations.md).
struct Recorded {
  const data::CustomerStore* store = nullptr;
  int64_t until = 0;  // the as-of time: nothing at or after it is replayed
  // Sends before this time were decided by an earlier apply (its as-of): sent if their key is in
  // `emitted`, else not sent; later ones are decided now. INT64_MIN: none was.
  int64_t decided_before = INT64_MIN;
  const std::vector<MessageKey>* emitted = nullptr;  // sorted: the outbox's keys
  // Messages the outbox holds of programs not replayed (a version dropped them): caps across
  // programs count them. Sorted by customer row.
  struct Contact {
    uint32_t customer = 0;
    int64_t time = 0;
    std::string channel;
  };
  const std::vector<Contact>* others = nullptr;
};

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
  // Per row, the customer's id hashed (CustomerKeys): what a customer's draws are keyed by, so
  // that they do not depend on the rows' order. Null: the row number stands for the id.
  const std::vector<uint64_t>* customer_keys = nullptr;
  // Set by the simulator when a journey ran away: the other customers stop at once.
  std::atomic<bool>* halt = nullptr;
  // Draw every model figure that states its interval (`within`) from it, keyed by `seed`: the
  // run is then one launch of the many the model allows (`relc run --runs`, prediction intervals).
  bool draw_figures = false;
  // Replays recorded events in place of the behaviour model; null: a simulation.
  const Recorded* recorded = nullptr;
  // Keeps what the simulated customers did (Result::events), as CRM events (`relc run --events`).
  bool record_events = false;
  // The customers' store: in a run spread over processes, each process's results are merged by
  // their ids and source order (MergeProcessResults). Null: one process.
  const data::CustomerStore* store = nullptr;
};

// A step's name in message keys, the outbox and plans: its label, else its message, else its
// position (`step 4`). Versions of a program match steps by it.
std::string StepName(const ir::Scenario& scenario, size_t step);

// Every customer's id, hashed, for Options::customer_keys.
std::vector<uint64_t> CustomerKeys(const data::CustomerStore& store);

// What happened, counted for the program, a scenario or a step.
// `purchases` and `revenue_cents` are, for a step or an arm, the conversions its messages
// brought (`attributed_cents` too); for the program and a scenario, Result::Finish sets them to
// what the customers who entered it bought from their entry on (docs/simulation.md).
struct Counters {
  int64_t entered = 0, exited = 0, sent = 0, delivered = 0, opened = 0, clicked = 0, converted = 0;
  int64_t purchases = 0, revenue_cents = 0, attributed_cents = 0, cost_cents = 0, unsubscribed = 0, suppressed = 0;
  int64_t carts_recovered = 0, signups = 0, referrals = 0;

  Counters& operator+=(const Counters& other);
  int64_t Metric(std::string_view name) const;  // by the name KPIs use: sent, revenue (cents)...
};

// The customers who entered a program or a scenario (or, held out, would have), counted from
// their first entry to the end of the run: what they bought, for the uplift and its interval.
struct Population {
  int64_t customers = 0, journeys = 0, purchases = 0, revenue_cents = 0;
  int64_t buyers = 0;  // customers who bought at least once
  // Journeys about an abandoned cart, and those carts bought afterwards (with or without a message).
  int64_t cart_journeys = 0, carts_bought = 0;
  // The sum over customers of their revenue squared, for the between-customer variance: exact
  // integers, so that the sum does not depend on the order threads add their parts in.
  WideSum revenue_squares = 0;
  // What the customers had spent before the run (all their purchases in the data, net of returns),
  // its squares and its products with their revenue: the covariate of the CUPED uplift.
  int64_t before_cents = 0;
  WideSum before_squares = 0, before_revenue = 0;

  Population& operator+=(const Population& other);
};

enum class Outcome : uint8_t {
  Sent, SuppressedConsent, SuppressedPressure, DroppedQuietHours,
  Entered,   // a journey started (step: the trigger)
  HeldOut,   // a holdout customer whom the trigger would have entered
  Exited,    // a journey ended
  Purchase,  // a purchase of a customer who entered (or would have); step >= 0 when a message converted it
};

struct LogEntry {
  uint32_t customer;
  int64_t time;
  int32_t scenario;
  int32_t step;
  Outcome outcome;
  uint8_t responses;  // for sent messages: ir::Outcome bits, and 16 when the customer unsubscribed
  int32_t entry = 0;  // the journey's entry number for its customer and scenario, from 1
  int64_t amount_cents = 0;  // Purchase
};

// A message a replay sends, due since the last apply (an interrupted apply may have written it).
struct Emitted {
  uint32_t customer = 0;  // row
  int64_t time = 0;
  int32_t scenario = 0, step = 0, entry = 0;
  MessageKey key;
};

// What a simulated customer did, as a CRM would record it: a purchase (cents, and the cart it
// checks out), an event of another type copied from one of the customer's past ones, or what
// became of a message (delivered, opened, clicked, converted, unsubscribed from its channel).
struct CustomerEvent {
  enum class Kind : uint8_t { Purchase, Replayed, Delivered, Opened, Clicked, Converted, Unsubscribed } kind;
  uint32_t customer = 0;  // row
  int64_t time = 0;
  int64_t amount_cents = 0;  // Purchase
  int64_t key = 0;           // Purchase, Replayed: the cart (or other event) it is about; 0: none
  int64_t copied_from = -1;  // Replayed: the past event (store index) whose fields it has; -1: none
  int32_t type = -1;         // Replayed: its type in the dataset's schema
  int32_t channel = -1;      // a message's: index in the run's Timeline::channels
  MessageKey message;        // a message's
};

// One arm of a split: what the journeys that took it did, and, with a winner rule, what they
// had done when the winner was chosen.
struct Variant {
  int32_t scenario = 0, step = 0, arm = 0;  // the split step and the arm's index in it
  int32_t target = 0;                        // the arm's first step
  Counters counters;
  Counters at_decision;  // a winner rule's test window only
  // In the test window, the sum of the squares of each conversion's amount: the variance of
  // revenue per journey, for the winner's test (a journey converts once, seldom more).
  WideSum at_decision_squares = 0;
  // The customers who took the arm, and what they bought from then on (any purchase, whether a
  // message brought it or not): the arm's conversion and spend per customer, against the holdout.
  Population population;
};

// A split's winner rule, decided: the arm that led on the metric (per journey that took it)
// when the test window closed, if its lead over the runner-up is significant at 95 % (a
// two-sided z-test on the metric per journey); the journeys that reach the split after that
// take it. Without a significant lead the split goes on drawing by its weights.
struct Winner {
  int32_t scenario = 0, step = 0;
  std::string metric;
  int64_t decided_at = 0;  // seconds since the epoch
  int32_t arm = -1;        // the winner; -1: none (no journey took an arm, or no significant lead)
  int32_t leader = -1, runner_up = -1;  // the two best arms in the window (-1: fewer than two took)
  double z = 0;            // the leader's lead over the runner-up, in standard errors
  static constexpr double kCriticalZ = 1.959964;  // two-sided, 95 %
};

// A journey that went through more steps than any real journey does: a loop whose waits end at
// once (`wait until` a past date) or nearly. The customer's simulation stops there.
struct Runaway {
  uint32_t customer = 0;  // row
  std::string customer_id;  // set by MergeProcessResults: the row may be another process's
  int32_t scenario = 0, step = 0;
  int64_t time = 0;
};

// Day by day over the run, and how hard customers were pressed: what the HTML report charts.
struct Timeline {
  std::vector<std::string> channels;  // every channel the run's programs send on
  // Per day of the run (day 0 starts at the as-of time), per channel: the program's messages.
  std::vector<int64_t> sent;  // [day * channels.size() + channel]
  // Per day: the program's conversions; the purchases and revenue of the customers who had
  // entered it, and of the holdout customers who would have.
  std::vector<int64_t> converted, entered_purchases, entered_revenue_cents, held_out_purchases, held_out_revenue_cents;
  // Sends not made, by the rule that stopped them; and sends that waited for quiet hours to end.
  int64_t suppressed_consent = 0, suppressed_pressure = 0, dropped_quiet_hours = 0, deferred_quiet_hours = 0;
  // messages_per_week[n]: the (customer, week of the run) pairs in which the program sent the
  // customer n messages, for n >= 1 (index 0 stays 0).
  std::vector<int64_t> messages_per_week;

  void Size(int days, const std::vector<std::string>& channel_names);
  Timeline& operator+=(const Timeline& other);
};

// Journeys that moved from one step to another: steps that act (send, wait, set...), the
// branches and splits between them folded into the move; `from` kFromTrigger for a journey's
// first step, `to` kToExit for its end.
struct Flow {
  static constexpr int32_t kFromTrigger = -1, kToExit = -2;
  int32_t from = kFromTrigger, to = kToExit;
  int64_t journeys = 0;
};

struct Result {
  int64_t customers = 0, holdout_customers = 0;  // drawn out of the program's holdout, and into it
  Counters program;
  std::vector<Counters> scenarios;
  std::vector<std::vector<Counters>> steps;  // per scenario, per step
  std::vector<Variant> variants;             // every arm of every split
  std::vector<Winner> winners;               // every split with a winner rule
  std::vector<std::vector<Flow>> flows;      // per scenario, sorted by (from, to) once finished
  Timeline timeline;
  // The customers who entered the program, and the holdout customers who would have: the uplift.
  Population entered, held_out;
  // Per scenario: who entered it, and who would have but was held out (by the program's
  // holdout or the scenario's own).
  std::vector<Population> scenario_entered, scenario_held_out;
  std::vector<LogEntry> log;  // by customer, then time
  std::vector<Emitted> emitted;  // a replay's messages due since the last apply, by customer, then time
  std::vector<CustomerEvent> events;  // Options::record_events; the first program's result holds them
  std::optional<Runaway> runaway;  // the first, in customer order
  // The basket of a customer without purchases: the average of every buyer's average basket
  // (50.00 in the data's currency when nobody bought), unless the model states one.
  int64_t fallback_basket_cents = 0;

  // Counts a journey's move (in the order first seen: Finish sorts them).
  void AddFlow(int32_t scenario, int32_t from, int32_t to, int64_t journeys = 1);
  // Sets the program's and scenarios' purchases and revenue to their populations', and sorts the flows.
  void Finish();
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

// In a run spread over processes, each simulating its own customers: every process's counts
// summed into each one's results, as one process would have counted them all; the first runaway
// journey in the source's order. The log, the events and the messages stay each process's.
void MergeProcessResults(std::vector<Result>& results, const data::CustomerStore& store);

}  // namespace relc::simulate
