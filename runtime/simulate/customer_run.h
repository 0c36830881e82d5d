// The simulator's internals: what is computed once per run (the plan), and one customer's
// simulation, driven by a queue of timed events. Not part of the library's interface.
#pragma once

#include <cstdint>
#include <deque>
#include <queue>
#include <string>
#include <string_view>
#include <vector>

#include <boost/container/small_vector.hpp>

#include "data/random.h"
#include "simulate/behaviour.h"
#include "simulate/simulate.h"
#include "simulate/writable_columns.h"

namespace relc::simulate {


// Per send step: its rates, its channel and its offer.
struct SendPlan {
  ChannelRates rates;
  std::vector<SegmentRates> segments;  // the rates of customers in a `for` segment of the model
  int32_t consent = -1;  // index in Program::channel_consents
  int32_t channel = -1;  // index in Plan::channels: consent revoked and pressure count across programs
  int64_t offer_cost = 0;
  double offer_uplift = 0;
};

struct ProgramPlan {
  std::vector<std::vector<SendPlan>> sends;    // per scenario, per step
  std::vector<Baseline> baselines;             // the models' purchases made anyway, if they state them
  // `set` steps: the customer column slot each writes (-1: a column no condition reads), per
  // scenario, per step; and the slots any of them writes.
  std::vector<std::vector<int32_t>> set_slots;
  std::vector<int32_t> written_slots;
  // The customer column slot of the UTC offset that waits read (-1: none), kept at the offset in
  // force as the clock moves (summer time).
  int32_t utc_offset_slot = -1;
  // Per scenario, per trigger: its index among the program's inactivity triggers (-1: another kind).
  std::vector<std::vector<int32_t>> inactivity_slots;
  int32_t inactivity_triggers = 0;
  int32_t purchase_type = -1;                  // Program::event_types slot
  // What a conversion is: the objective's goal event (a purchase when there is none, or when
  // it is one); Plan::event_names index.
  int32_t goal = -1;
  int64_t priority = 0;                        // events of lower priority go first at the same time
  uint64_t key = 0;                            // the program's title, hashed
  std::vector<uint64_t> scenario_keys;         // per scenario: its name, hashed
  // Per scenario, per step: its label (its message when it has none), hashed: a message key's part.
  std::vector<std::vector<uint64_t>> step_keys;
  std::vector<double> scenario_holdouts;       // per scenario: its own holdout share (0: none)
  // The variants (Result::variants indices) whose arm starts at a step: per scenario, per step.
  std::vector<std::vector<std::vector<int32_t>>> variants_at;
  std::vector<int64_t> variant_decision;  // per variant: when its split's winner is chosen (kNever: no rule)
  std::vector<int32_t> winner_split;      // per winner: the split's slot in Frame::split_winners
  std::vector<int32_t> winner_arm;        // per winner: the arm chosen (-1 until decided)
  Result empty;                           // counters at zero, variants and winners listed
};

// A kind of event the customer does on their own, replayed at their past rate: each new one is a
// copy of one of their past ones (its fields, for `where` filters and `matching` keys).
struct Replayed {
  std::string name;
  int32_t dataset_type = -1;  // in the dataset's schema
};

// Where a replay finds the recorded events in the store: types (-1: not in the schema) and columns.
struct RecordedSchema {
  int32_t purchase = -1, unsubscribe = -1;
  int32_t outcomes[5] = {-1, -1, -1, -1, -1};  // message_delivered, _opened, _clicked, _converted, unsubscribe
  const data::Column* amount = nullptr;
  const data::Column* cart_id = nullptr;
  const data::Column* from_channel = nullptr;
  const data::Column* message_key = nullptr;
  std::vector<int32_t> channel_of_code;  // from_channel's dictionary code: Plan::channels index (-1: none)
};

RecordedSchema RecordedSchemaOf(const data::CustomerStore& store, const std::vector<std::string>& channels);

struct Plan {
  std::vector<ProgramPlan> programs;
  RecordedSchema recorded;  // a replay's
  std::vector<Replayed> replayed;  // every event type a program reads, but purchases (the models')
  std::vector<std::string> channels;     // every channel any program sends on
  std::vector<std::string> event_names;  // goal events other than purchases
  std::vector<int32_t> event_types;      // ... and their types in the dataset's schema (-1: none)
  int64_t fallback_basket_cents = 0;  // the basket of a customer who never bought
};

Plan MakePlan(const std::vector<ProgramRun>& programs, const measures::CustomerMeasures& measures, const Options& options);

inline constexpr int64_t kHour = 3600, kDay = 86400;
inline constexpr int64_t kCustomerRank = INT64_MIN;  // the customer's own doings come before any program's

// Keys of events and journeys: an abandoned cart's are below 2^32, other replayed events' above.
inline bool IsCartKey(int64_t key) { return key > 0 && key < (int64_t{1} << 32); }

// What a random number is drawn for: a key of the counter-based generator.
enum class Draw : uint64_t {
  Holdout = 1, PurchaseGap, PurchaseHour, CartGap, CartTemplate, CartCheckout, CheckoutDelay,
  Delivered, Opened, Clicked, Converted, Unsubscribed, ResponseDelay, ConversionDelay, ReplayGap, ReplayTemplate,
  ScenarioHoldout,
};

class CustomerRun {
 public:
  // `columns`: the thread's writable columns, per program.
  CustomerRun(const std::vector<ProgramRun>& programs, const Plan& plan, const measures::CustomerMeasures& measures,
              const Options& options, std::vector<Result>& results, std::vector<WritableColumns>& columns, uint32_t row);
  void Run();

 private:
  // What became of a message, as recorded (a replay): an ir::Outcome bit, or 16 for an
  // unsubscribe from its channel.
  struct RecordedOutcome {
    MessageKey key;
    int64_t time;
    uint8_t bit;
  };

  // What a customer who entered (or, held out, would have) did from their first entry on.
  struct Tracked {
    int64_t since = ir::kNever;  // the first entry
    int64_t journeys = 0, purchases = 0, revenue_cents = 0, cart_journeys = 0, carts_bought = 0;
    void Add(Population& to, int64_t before_cents) const;  // before: what the customer spent before the run
  };
  // A cart a journey (or a held-out customer's would-be journey) was about: whether it counts
  // for the program's population as well as for its scenario's.
  struct TrackedCart {
    int64_t key;
    int32_t scenario;
    bool program;
  };

  struct Program {
    // Constructed in place: a temporary would zero and copy the inline storage of every customer.
    Program(const ProgramRun* run_, const ProgramPlan* plan_, const ir::Frame& frame_, Result* result_)
        : run(run_), plan(plan_), frame(frame_), result(result_) {}
    const ProgramRun* run;
    const ProgramPlan* plan;
    ir::Frame frame;
    Result* result;
    bool holdout = false;
    uint64_t key = 0;                          // the program and the customer: its draws' key
    // Per customer, so small vectors inline: a customer's run allocates nothing it can avoid.
    boost::container::small_vector<bool, 4> scenario_held;  // per scenario: held out by its own holdout
    std::vector<int64_t> entries, last_entry;  // per scenario (held-out customers' would-be entries too)
    std::vector<int32_t> winners;              // Frame::split_winners: -1 until a winner applies
    // Per inactivity trigger (ProgramPlan::inactivity_slots): the event it counts from (its latest time).
    boost::container::small_vector<int64_t, 2> inactive_since;
    Tracked tracked;                                        // the program's population
    boost::container::small_vector<TrackedCart, 2> carts;
    boost::container::small_vector<Tracked, 2> scenario_tracked;  // each scenario's
    // The split arms the customer took (Result::variants indices), each from when they first did.
    boost::container::small_vector<std::pair<int32_t, Tracked>, 2> variant_tracked;
    WritableColumns* columns = nullptr;
  };

  struct Journey {
    int32_t program = 0;
    int32_t scenario = 0;
    int32_t step = 0;  // where it waits
    int64_t entered = 0;
    int64_t deadline = ir::kNever;
    int64_t key = 0;  // the triggering cart, for `matching`
    int32_t entry = 0;        // its entry number for the customer and scenario, from 1
    uint64_t draw_key = 0;    // program, scenario, customer and entry number
    std::vector<uint8_t> outcomes;
    std::vector<int32_t> variants;  // the split arms it took
    bool active = true;
    int32_t steps = 0;      // steps gone through, against kMostJourneySteps
    // Per send step it has passed before (a loop): how many times, for the message keys.
    boost::container::small_vector<std::pair<int32_t, int32_t>, 2> passes;
  };

  struct Event {
    enum class Kind : uint8_t { Purchase, Replay, Timer, Response, Start, Resume, Goal, Revoke } kind;
    int64_t time = 0;
    int64_t rank = 0;       // at the same time, lower first: the program's priority
    uint64_t sequence = 0;  // then the order they were scheduled in
    int32_t journey = -1;
    int32_t program = 0;           // Start
    int32_t a = 0;                 // Start: scenario; Response: step; Replay: template event; Goal: event type;
                                   // Revoke: the channel (Plan::channels)
    int32_t replayed = -1;         // Replay: Plan::replayed index
    int64_t key = 0;               // Purchase: the cart bought; Replay: the event's own; Start: its key
    int64_t amount = 0;            // Purchase: cents
    int32_t attributed_step = -1;  // Purchase: the send it converts
    uint8_t bit = 0;               // Response: the outcome bit
    bool unless_bought = false;    // Start: not for a customer who bought during the run
    int32_t trigger = -1;          // Start of an inactivity trigger: its ProgramPlan::inactivity_slots index
    int64_t since = 0;             // ... and the event it counted from: stale once a newer one came
    bool operator>(const Event& other) const {
      if (time != other.time) return time > other.time;
      if (rank != other.rank) return rank > other.rank;
      return sequence > other.sequence;
    }
  };

  struct Contact {
    int64_t time;
    int32_t channel;  // Plan::channels (-1: a channel none of the run's programs sends on)
    int32_t program;  // -1: a program no longer deployed (a replay's)
  };


  double Uniform(uint64_t what, uint64_t index, int64_t time) const;
  void Schedule(Event event);
  void ScheduleJourneyEvent(Event event);
  void ScheduleBaseline();
  void ScheduleReplays();
  void ScheduleTriggers();
  void ScheduleInactivity(int32_t program, int32_t scenario, int32_t trigger, int64_t since);
  int64_t LastEvent(const Program& program, int32_t type_slot) const;
  // The customer's offset from UTC at `time` (daylight-saving changes followed).
  int64_t OffsetAt(int64_t time) const;
  void ScheduleRecurring(int32_t program, const ir::Trigger& trigger, int32_t scenario);
  int64_t LastPurchase() const;
  int64_t LocalMorning() const;
  int64_t LocalTime(int64_t day, int64_t minute) const;
  // What a purchase spends: the model's basket for the message that brought it, when it states one
  // (`model_basket`), else the customer's average basket, else the average of every buyer's.
  int64_t Basket(int64_t model_basket = 0) const;

  void SetTime(int64_t now);
  void Handle(const Event& event);
  void HandlePurchase(const Event& event);
  void HandleReplay(const Event& event);
  bool Matches(const Program& program, const ir::WaitRoute& route, int32_t type, int64_t template_event) const;
  void HandleGoal(const Event& event);
  // An event of the customer's, by type name (the same name is a different slot in each program).
  void OnEvent(const std::string& type, int64_t template_event, int64_t key);
  void StartJourney(int32_t program, int32_t scenario, int64_t key);
  // A purchase seen by the populations the customer is in (a program's, its scenarios').
  void TrackPurchase(const Event& event);
  void Log(Program& program, LogEntry entry);
  void End(int32_t journey);
  void Advance(int32_t journey, ir::Input input);
  void EnterVariants(int32_t journey, int32_t step);
  template <typename Update>
  void Credit(const Journey& journey, int32_t step, Update update);

  bool Send(int32_t journey, int32_t step);
  // A replay's: the customer's recorded events from the start on, in place of the model's draws.
  void ScheduleRecorded();
  int64_t RecordedKey(uint64_t event) const;
  MessageKey KeyOf(const Journey& journey, int32_t step) const;
  void CountPass(Journey& journey, int32_t step);
  bool WasEmitted(const MessageKey& key) const;
  // A message sent in a replay: its recorded outcomes applied. `due_now`: due since the last
  // apply (Result::emitted), whether an interrupted apply wrote it already or not.
  void SendRecorded(int32_t journey, int32_t step, const MessageKey& key, bool due_now);
  void RecordEvent(CustomerEvent event);
  int64_t Day() const { return (now_ - start_) / kDay; }  // of the run, from 0
  void CountOnDay(std::vector<int64_t>& series, int64_t amount = 1) const;
  void CountMessagesPerWeek();
  void ScheduleEnterPanel(int32_t program, const ir::Trigger& trigger, int32_t scenario);
  // When quiet hours of `rules` hold now: the end of them; -1 when they do not.
  int64_t QuietUntil(const ir::Pressure& rules) const;
  // Whether a send on `channel` by `program` would break `rules`: a program's own (counting
  // its sends, or every program's for its caps `across programs`), another program's caps
  // `across programs` (`across_only`), or the shared policy (`shared`: every cap counts
  // every program's sends).
  bool Capped(const ir::Pressure& rules, int32_t program, int32_t channel, bool across_only, bool shared) const;

  const Plan& plan_;
  const measures::CustomerMeasures& measures_;
  const Options& options_;
  const Recorded* recorded_;
  uint32_t row_;
  int64_t start_ = 0, end_ = 0, now_ = 0;
  uint64_t customer_key_ = 0;  // the customer's id, hashed
  uint64_t sequence_ = 0;
  bool bought_ = false;  // the customer bought during the run
  double baseline_share_ = -1;  // the share of the model baseline that holds the customer; -1: none
  bool stopped_ = false;  // a runaway journey stopped the customer's simulation
  std::vector<Program> programs_;
  std::priority_queue<Event, std::vector<Event>, std::greater<>> queue_;
  std::vector<Journey> journeys_;
  std::vector<bool> revoked_;     // per Plan::channels: the customer unsubscribed
  std::vector<Contact> history_;  // every send, of every program
  std::vector<RecordedOutcome> outcomes_;  // a replay's: what became of the customer's messages
};

// The counters a journey's doings at `step` add to: its scenario's, the step's, and those of
// the split arms it took (within a winner rule's test window, also the arm's window counters).
template <typename Update>
void CustomerRun::Credit(const Journey& j, int32_t step, Update update) {
  Program& program = programs_[j.program];
  update(program.result->scenarios[j.scenario]);
  update(program.result->steps[j.scenario][step]);
  for (int32_t v : j.variants) {
    Variant& variant = program.result->variants[v];
    update(variant.counters);
    if (now_ < program.plan->variant_decision[v]) update(variant.at_decision);
  }
}

}  // namespace relc::simulate
