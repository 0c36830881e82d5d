// relc's lowered representation: what a checked program means, in a form both engines run.
//
// Lowering (lower.cpp) turns a program's panels, conditions, KPIs, expectations and scenario
// graphs into flat expression nodes over a few value types, plus the slots a dataset binds
// (columns, string codes, metrics). The LLVM JIT (compiler/codegen) compiles it; the reference
// interpreter (compiler/interp) walks it. Both follow the semantics written down in
// docs/language.md, "Evaluation": nulls propagate, division by zero and integer overflow give
// null, money is rounded half away from zero to the cent.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace relc::ir {

// Every value is one of three machine types. Int holds counts, money (cents), dates (days since
// 1970-01-01), date-times (seconds since the epoch), times of day (minutes) and string codes;
// Float holds decimals, shares (0.2 for 20 %) and durations (seconds).
enum class ValueType : uint8_t { Bool, Int, Float };

using ExprId = int32_t;
inline constexpr ExprId kNoExpr = -1;

enum class Op : uint8_t {
  // Leaves.
  Constant,        // int_value / float_value; Bool in int_value
  Null,
  CustomerColumn,  // slot: Program::customer_columns
  EventColumn,     // slot: Program::event_columns; inside an event aggregate or event predicate
  EventTime,       // the current event's time, seconds
  StringCode,      // slot: Program::strings; the dataset's code of a literal, -1 if it has none
  Now,             // the simulation's clock, seconds since the epoch
  Metric,          // slot: Program::metrics; KPI context
  Threshold,       // slot: a ranking threshold, computed over a panel's base before its filter
  InPanel,         // slot: panel index; whether the customer is in that panel's selection
  StepOutcome,     // slot: step index, aux: outcome bit; transition context
  // Unary (a).
  Not, IsNull, Negate,
  DayOf,           // Int seconds since the epoch -> Int days, rounded down
  ToFloat,         // Int -> Float
  RoundToInt,      // Float -> Int, half away from zero; null when out of range
  Calendar,        // aux: CalendarField; a: days (Int)
  // Binary (a, b).
  Add, Subtract, Multiply, Divide,  // Divide on Float only
  Less, LessEqual, Greater, GreaterEqual, Equal, NotEqual,
  And, Or,         // Kleene logic: false and null = false, true or null = true
  // Ternary.
  Select,          // a ? b : c; a null takes c
  Aggregate,       // aux: AggregateKind, slot: event type; a: filter, b: value, c: window (seconds)
};

enum class CalendarField : uint8_t { Year, Month, Day, DayOfWeek };
enum class AggregateKind : uint8_t { Count, Exists, Sum, Min, Max, Average };

struct Node {
  Op op;
  ValueType type;
  uint8_t aux = 0;
  ExprId a = kNoExpr, b = kNoExpr, c = kNoExpr;
  int32_t slot = 0;
  int64_t int_value = 0;
  double float_value = 0;
};

// How a column's values are laid out: 64-bit ints, 32-bit ints (counts), doubles, dictionary
// codes, or a bit per row (flags: half the memory traffic of a byte, an eighth of an int).
enum class Storage : uint8_t { Ints, Int32s, Doubles, Codes, Bits };

struct ColumnSlot {
  enum class Source : uint8_t {
    Attribute,  // a column of the customer table, or an event field
    Measure,    // computed by relc from the history: recency, rfm_score, clv...
    State,      // kept by the simulation: revoked consents, UTC offset
  };
  Source source = Source::Attribute;
  std::string name;
  Storage storage = Storage::Ints;
  double horizon_days = 0;  // clv and expected_purchases: their horizon
};

struct StringSlot {
  bool event = false;  // in Program::event_columns rather than customer_columns
  int32_t column = 0;
  std::string literal;
};

struct MetricSlot {
  std::string metric;    // sent, revenue...
  std::string scenario;  // empty: the whole program
  std::string step;      // a step label of `scenario`
};

struct Ranking {
  ExprId value = kNoExpr;  // Float, over the customer
  bool top = true;
  double share = 0;        // 0.2 for `top 20%`; 0 when `count` is used
  int64_t count = 0;       // `top 100`
  int32_t threshold = 0;   // Threshold slot it fills
};

struct Panel {
  enum class Kind : uint8_t { All, Filter, Union, Intersect, Except };
  Kind kind = Kind::All;
  std::string name;      // empty for a panel written inline
  int32_t left = -1;     // Filter: the base (-1: every customer); set operations: operands
  int32_t right = -1;
  ExprId condition = kNoExpr;    // Filter
  std::vector<Ranking> rankings;  // Filter: ranked over the base, before the condition
};

// A value computed once from the metrics: a KPI, an expectation, an objective's target.
struct Scalar {
  std::string name;
  std::string text;  // as written, for reports
  ExprId value = kNoExpr;
  std::string unit;  // "EUR" for money, "%" for percentages, "" otherwise
};

// An expectation `left OP right` with OP one of < <= > >=, its two sides as figures: what
// `relc test --runs` judges over the runs (the interval of left - right against 0).
struct Comparison {
  Scalar left, right;
  bool greater = false;    // > or >=
  bool inclusive = false;  // >= or <=
};

// A figure of a `model` block: `response email "winback-1" for dormant { converted = 2% }`.
struct ResponseRate {
  std::string model;
  std::string channel;
  std::string message;   // empty: every message on the channel
  int32_t panel = -1;    // `for <panel>`, or -1 for everyone
  std::string property;  // delivered, opened, clicked, converted, unsubscribed, bounced, basket
  ExprId value = kNoExpr;
  ExprId low = kNoExpr, high = kNoExpr;  // its 95 % interval (`within`), when the model states one
};

// A condition on one event of a customer: the `where` of an event trigger.
struct EventPredicate {
  int32_t event_type = 0;
  ExprId condition = kNoExpr;
};

enum class StepOp : uint8_t { Trigger, Send, Wait, Branch, Split, Set, Tag, Untag, Goto, Enter, Exit, End };
enum class WaitKind : uint8_t { Duration, UntilDate, UntilDateTime, UntilTimeOfDay };
enum class Outcome : uint8_t { Delivered = 1, Opened = 2, Clicked = 4, Converted = 8 };

// What ends a wait early: an event (optionally one that passes a predicate, or that shares a
// key with the event that started the journey), or a response to an earlier message.
struct WaitRoute {
  int32_t event_type = -1;
  int32_t predicate = -1;    // Program::event_predicates, or -1
  std::string match_key;     // `matching cart_id`: the field both events must share
  int32_t response_step = -1;
  uint8_t response = 0;      // Outcome bit, with response_step
  int32_t target = -1;
};

struct Step {
  StepOp op = StepOp::End;
  std::string label;
  std::string text;
  int32_t next = -1;  // the successor after Send, Set, Tag, Untag, Enter, Goto and a wait's timeout
  // Send
  std::string channel, message, offer;
  // Wait
  WaitKind wait = WaitKind::Duration;
  ExprId wait_value = kNoExpr;  // null: no timeout
  std::vector<WaitRoute> routes;
  // Branch: arms in order, then `otherwise`.
  std::vector<ExprId> conditions;
  std::vector<int32_t> targets;
  int32_t otherwise = -1;
  // Split: `targets` with these weights; a winner rule may later fix the arm.
  std::vector<double> weights;
  int32_t split = -1;  // index among the program's splits
  std::string winner_metric;  // `winner by clicked after 3 days`
  double winner_after_seconds = 0;
  // Set: the attribute and its value; Tag/Untag: the tag; Enter: the scenario.
  std::string attribute;
  ExprId value = kNoExpr;
  std::string tag;
  std::string scenario;
};

enum class TriggerKind : uint8_t { EnterPanel, Event, Recurring, Date, Inactivity };

struct Trigger {
  TriggerKind kind = TriggerKind::EnterPanel;
  int32_t panel = -1;             // EnterPanel
  WaitRoute event;                // Event: the event (and its `where`); Inactivity: the event not seen
  ExprId value = kNoExpr;         // Recurring: the customer's date (a Program::customer_values root);
                                  // Date: the date or date-time; Inactivity: the duration
  bool value_is_datetime = false; // Recurring, Date: seconds rather than days
  std::string period;             // Recurring: year, month, week or day
  int32_t minute_of_day = 0;      // Recurring: `at 09:00` (0: midnight)
  ExprId offset = kNoExpr;        // Recurring: `birth_date - 7 days`: a duration that moves each anniversary
  bool offset_subtracts = false;  // ... back (`-`) rather than forward
};

enum class Reentry : uint8_t { Once, OncePer, Always };

struct Scenario {
  std::string name;
  std::vector<Step> steps;  // the scenario graph's vertices; steps[entry] is the trigger
  int32_t entry = 0;
  std::vector<Trigger> triggers;
  Reentry reentry = Reentry::Once;
  ExprId reentry_period = kNoExpr;  // OncePer: a duration
  std::vector<int32_t> audiences;   // panels a customer must be in to enter
  std::vector<WaitRoute> exits;     // `exit on`: events that end the journey at once
  ExprId holdout = kNoExpr;         // the share kept out as a control group
  ExprId priority = kNoExpr;
};

// The program's marketing-pressure rules, per customer.
struct PressureCap {
  int64_t count = 0;
  std::string channel;  // empty: every channel
  double window_seconds = 0;
  // Counts the sends of every program run together (`across programs`), not this one's alone.
  bool across_programs = false;
};

struct Pressure {
  std::vector<PressureCap> caps;
  double minimum_gap_seconds = 0;
  int32_t quiet_from = -1, quiet_to = -1;  // minutes of the day; -1: no quiet hours
  bool quiet_drop = false;                 // drop a message due in quiet hours, rather than defer it
  bool capped_exit = false;                // a customer whose message a cap suppresses leaves
};

struct Offer {
  std::string name;
  std::string kind;        // discount, voucher, free_shipping, trial...
  int64_t cost_cents = 0;  // per message that carries it
  std::optional<double> uplift;  // extra conversion, relative: 0.2 converts 20 % more; unset: the default
};

// A channel's figures (docs/simulation.md): std.channels' declarations, restated figure by
// figure by the program's imports, its file and the program itself, the nearest winning.
struct Channel {
  std::string name;
  int64_t cost_cents = 0;   // per message
  double delay_seconds = 0; // from sending to delivery (postal mail)
  double delivered = 0, opened = 0, clicked = 0, converted = 0, unsubscribed = 0;
};

// The behaviour model's figures beyond the response rates (std.model), restated like channels'.
struct Behaviour {
  double fatigue = 0;              // a message of the past week divides the open rate by 1 + this
  double fatigue_unsubscribe = 0;  // ... and multiplies the unsubscribe rate by 1 + this
  double offer_uplift = 0;         // conversion lift of an offer that states no `uplift`
  double cart_checkout = 0;        // carts bought within two days with no reminder
};

struct Program {
  std::string title;
  std::string currency = "EUR";  // of the purchases' amounts: revenue, cost and money KPIs
  // `priority N`: of programs run together, the lower goes first when two would contact a
  // customer at the same moment; a program without one goes after those with one.
  int64_t priority = INT64_MAX;
  double holdout = 0;                  // share of customers kept out as a control group
  WaitRoute goal;                      // the objective's goal event (event_type -1: none)
  double goal_window_seconds = 0;      // `goal purchase within 30 days`
  Pressure pressure;
  std::vector<Offer> offers;
  std::vector<Channel> channels;  // those the scenarios send on
  Behaviour behaviour;
  // consent(channel) for each channel a scenario sends on: Program::customer_values roots.
  std::vector<std::pair<std::string, ExprId>> channel_consents;
  std::vector<Node> nodes;
  std::vector<ColumnSlot> customer_columns;
  std::vector<ColumnSlot> event_columns;
  std::vector<std::string> event_types;
  std::vector<StringSlot> strings;
  std::vector<MetricSlot> metrics;
  int32_t thresholds = 0;
  int32_t splits = 0;
  int32_t utc_offset_column = -1;  // customer_columns slot of the UTC offset, if a wait needs it
  std::vector<Panel> panels;  // in evaluation order: a panel only reads those before it
  std::vector<Scalar> kpis;
  std::vector<Scalar> expectations;
  std::vector<std::optional<Comparison>> expectation_sides;  // per expectation, when it is a comparison
  std::vector<Scalar> targets;         // the objectives' `target` conditions
  std::vector<ExprId> constants;       // other values computed once: re-entry periods, trigger dates
  std::vector<ResponseRate> response_rates;
  // `baseline` figures of the models (converted, basket, window): what customers buy anyway;
  // their channel and message are empty.
  std::vector<ResponseRate> baseline_rates;
  std::vector<std::string> models;  // the user's models in force, nearest last: "calibrated (model.rel)"
  std::vector<EventPredicate> event_predicates;
  std::vector<ExprId> customer_values;  // per-customer values the runtime asks for (recurring dates)
  std::vector<Scenario> scenarios;

  const Node& operator[](ExprId id) const { return nodes[static_cast<size_t>(id)]; }
  int32_t FindPanel(std::string_view name) const;
};

}  // namespace relc::ir
