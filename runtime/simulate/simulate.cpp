#include "simulate/simulate.h"

#include <algorithm>
#include <cmath>
#include <queue>
#include <thread>

#include "simulate/behaviour.h"

namespace relc::simulate {

Counters& Counters::operator+=(const Counters& o) {
  entered += o.entered, exited += o.exited, sent += o.sent, delivered += o.delivered, opened += o.opened;
  clicked += o.clicked, converted += o.converted, purchases += o.purchases, revenue_cents += o.revenue_cents;
  cost_cents += o.cost_cents, unsubscribed += o.unsubscribed, suppressed += o.suppressed;
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
  if (name == "cost") return cost_cents;
  if (name == "unsubscribed") return unsubscribed;
  if (name == "suppressed") return suppressed;
  if (name == "carts_recovered") return carts_recovered;
  if (name == "signups") return signups;
  if (name == "referrals") return referrals;
  return 0;
}

namespace {

constexpr int64_t kHour = 3600, kDay = 86400;
constexpr double kCartCheckout = 0.15;  // carts bought within two days without any reminder

// What a random number is drawn for: a key of the counter-based generator.
enum class Draw : uint64_t {
  Holdout = 1, PurchaseGap, PurchaseHour, CartGap, CartTemplate, CartCheckout, CheckoutDelay,
  Delivered, Opened, Clicked, Converted, Unsubscribed, ResponseDelay, ConversionDelay,
};

// Per program, computed once: each send step's rates, channel and offer cost.
struct SendPlan {
  ChannelRates rates;
  int32_t channel = -1;       // index in Program::channel_consents
  int64_t offer_cost = 0;
  double offer_uplift = 0;
};

struct Plan {
  std::vector<std::vector<SendPlan>> sends;  // per scenario, per step
  int32_t purchase_type = -1, cart_type = -1;  // Program::event_types slots
  int64_t fallback_basket_cents = 0;
};

struct Journey {
  int32_t scenario = 0;
  int32_t step = 0;       // where it waits
  int64_t entered = 0;
  int64_t deadline = ir::kNever;
  int64_t key = 0;        // the triggering cart, for `matching`
  std::vector<uint8_t> outcomes;
  bool active = true;
};

struct Event {
  enum class Kind : uint8_t { Purchase, Cart, Timer, Response, Start, Resume } kind;
  int64_t time;
  uint64_t sequence;  // ties in time keep the order they were scheduled in
  int32_t journey = -1;
  int32_t a = 0;         // Start: scenario; Response: step; Cart: template event
  int64_t key = 0;       // Purchase, Cart: the cart; Start: its key
  int64_t amount = 0;    // Purchase: cents
  int32_t attributed_step = -1;  // Purchase: the send it converts
  uint8_t bit = 0;       // Response: the outcome bit
  bool operator>(const Event& other) const {
    return time != other.time ? time > other.time : sequence > other.sequence;
  }
};

class CustomerRun {
 public:
  CustomerRun(const ir::Program& program, const ir::Engine& engine, const ir::Frame& frame, const Plan& plan,
              const std::vector<evaluate::Selection>& panels, const measures::CustomerMeasures& measures,
              const Options& options, Result& result, uint32_t row)
      : program_(program), engine_(engine), frame_(frame), plan_(plan), panels_(panels), measures_(measures),
        options_(options), result_(result), row_(row) {
    start_ = frame.now;
    end_ = start_ + int64_t{options.days} * kDay;
    revoked_.assign(program.channel_consents.size(), false);
    entries_.assign(program.scenarios.size(), 0);
    last_entry_.assign(program.scenarios.size(), 0);
  }

  void Run() {
    holdout_ = program_.holdout > 0 && Uniform(Draw::Holdout, 0, 0) < program_.holdout;
    ++(holdout_ ? result_.holdout_customers : result_.customers);
    ScheduleBaseline();
    ScheduleCarts();
    ScheduleTriggers();
    while (!queue_.empty()) {
      Event event = queue_.top();
      queue_.pop();
      if (event.time >= end_) break;
      frame_.now = event.time;
      Handle(event);
    }
  }

 private:
  double Uniform(Draw what, uint64_t index, int64_t time) const {
    return relc_random_unit(options_.seed, row_, static_cast<uint64_t>(what), index, time);
  }

  void Schedule(Event event) {
    event.sequence = sequence_++;
    queue_.push(event);
  }

  // Purchases the customer makes anyway: a Poisson process at their expected rate (BG/NBD).
  void ScheduleBaseline() {
    double per_day = measures_.models_fitted ? measures_.expected_purchases[row_] / 365.0
                                             : measures_.frequency[row_] / std::max(measures_.tenure_days[row_], 30.0);
    if (!(per_day > 0)) return;
    int64_t basket = measures_.average_basket_cents[row_] > 0 ? measures_.average_basket_cents[row_] : plan_.fallback_basket_cents;
    double t = static_cast<double>(start_);
    for (uint64_t k = 0;; ++k) {
      t += -std::log1p(-Uniform(Draw::PurchaseGap, k, 0)) / per_day * kDay;
      if (t >= static_cast<double>(end_)) break;
      Schedule({.kind = Event::Kind::Purchase, .time = static_cast<int64_t>(t), .amount = basket});
    }
  }

  // Abandoned carts at the customer's past rate, each a replay of one of their past carts.
  void ScheduleCarts() {
    if (plan_.cart_type < 0) return;
    int32_t type = frame_.event_type_codes[plan_.cart_type];
    std::vector<uint64_t> past;
    for (uint64_t e = frame_.event_offsets[row_]; e < frame_.event_offsets[row_ + 1]; ++e) {
      if (static_cast<int32_t>(frame_.event_types[e]) == type && frame_.event_times[e] < start_) past.push_back(e);
    }
    if (past.empty()) return;
    double per_day = static_cast<double>(past.size()) / std::max(measures_.tenure_days[row_], 30.0);
    double t = static_cast<double>(start_);
    for (uint64_t k = 0;; ++k) {
      t += -std::log1p(-Uniform(Draw::CartGap, k, 0)) / per_day * kDay;
      if (t >= static_cast<double>(end_)) break;
      auto pick = static_cast<size_t>(Uniform(Draw::CartTemplate, k, 0) * static_cast<double>(past.size()));
      Schedule({.kind = Event::Kind::Cart, .time = static_cast<int64_t>(t), .a = static_cast<int32_t>(past[pick]),
                .key = static_cast<int64_t>(k + 1)});
    }
  }

  void ScheduleTriggers() {
    for (size_t s = 0; s < program_.scenarios.size(); ++s) {
      for (const ir::Trigger& trigger : program_.scenarios[s].triggers) {
        Event start{.kind = Event::Kind::Start, .a = static_cast<int32_t>(s)};
        switch (trigger.kind) {
          case ir::TriggerKind::EnterPanel:
            // Panel members enter on the first morning.
            if (ir::IsBitSet(panels_[trigger.panel].data(), row_)) Schedule({start.kind, start_ + 9 * kHour, 0, -1, start.a});
            break;
          case ir::TriggerKind::Recurring: ScheduleRecurring(trigger, start.a); break;
          case ir::TriggerKind::Date: {
            ir::Value when = engine_.Scalar(trigger.value, frame_);
            int64_t time = trigger.value_is_datetime ? when.bits : when.bits * kDay;
            if (when.valid && time >= start_ && time < end_) Schedule({start.kind, time, 0, -1, start.a});
            break;
          }
          case ir::TriggerKind::Inactivity: ScheduleInactivity(trigger, start.a, LastPurchase()); break;
          case ir::TriggerKind::Event: break;  // when the event happens
        }
      }
    }
  }

  int64_t LastPurchase() const {
    if (measures_.frequency[row_] == 0) return start_;
    return start_ - static_cast<int64_t>(measures_.recency_days[row_] * kDay);
  }

  void ScheduleInactivity(const ir::Trigger& trigger, int32_t scenario, int64_t since) {
    ir::Value duration = engine_.Scalar(trigger.value, frame_);
    if (!duration.valid) return;
    int64_t time = since + static_cast<int64_t>(duration.AsFloat());
    if (time < start_) time = start_ + 9 * kHour;
    if (time < end_) Schedule({Event::Kind::Start, time, 0, -1, scenario});
  }

  // Anniversaries of a date of the customer's (birthday, sign-up), at the trigger's time of day.
  void ScheduleRecurring(const ir::Trigger& trigger, int32_t scenario) {
    ir::Value date = engine_.CustomerValue(trigger.value, frame_, row_);
    if (!date.valid) return;
    int64_t day = trigger.value_is_datetime ? date.bits / kDay : date.bits;
    int64_t month = relc_calendar(day, 1), dom = relc_calendar(day, 2);
    int64_t first = start_ / kDay, last = end_ / kDay;
    std::vector<int64_t> days;
    if (trigger.period == "day") {
      for (int64_t d = first; d <= last; ++d) days.push_back(d);
    } else if (trigger.period == "week") {
      for (int64_t d = first + ((day - first) % 7 + 7) % 7; d <= last; d += 7) days.push_back(d);
    } else {
      for (int64_t y = relc_calendar(first, 0); y <= relc_calendar(last, 0); ++y) {
        for (int64_t m = 1; m <= 12; ++m) {
          if (trigger.period == "year" && m != month) continue;
          int64_t d = relc_days_from_civil(y, m, dom);
          if (relc_calendar(d, 2) == dom) days.push_back(d);  // no 31st in a 30-day month
        }
      }
    }
    for (int64_t d : days) {
      int64_t time = d * kDay + trigger.minute_of_day * 60;
      if (time >= start_ && time < end_) Schedule({Event::Kind::Start, time, 0, -1, scenario});
    }
  }

  void Handle(const Event& event) {
    switch (event.kind) {
      case Event::Kind::Start: StartJourney(event.a, event.key); break;
      case Event::Kind::Purchase: HandlePurchase(event); break;
      case Event::Kind::Cart: HandleCart(event); break;
      case Event::Kind::Timer: {
        Journey& j = journeys_[event.journey];
        if (j.active && j.deadline == event.time) Advance(event.journey, {ir::InputKind::Timeout, j.step, 0});
        break;
      }
      case Event::Kind::Response: {
        Journey& j = journeys_[event.journey];
        j.outcomes[event.a] |= event.bit;
        if (!j.active) break;
        const ir::Step& waiting = program_.scenarios[j.scenario].steps[j.step];
        for (size_t r = 0; r < waiting.routes.size(); ++r) {
          if (waiting.routes[r].response_step == event.a && (waiting.routes[r].response & event.bit)) {
            Advance(event.journey, {ir::InputKind::Event, j.step, static_cast<int32_t>(r)});
            break;
          }
        }
        break;
      }
      case Event::Kind::Resume:
        if (journeys_[event.journey].active && Send(event.journey, journeys_[event.journey].step, /*deferred=*/true)) {
          Advance(event.journey, {ir::InputKind::Continue, journeys_[event.journey].step, 0});
        }
        break;
    }
  }

  void HandlePurchase(const Event& event) {
    for (Counters* c : {&result_.program, holdout_ ? &result_.holdout : &result_.treated}) {
      ++c->purchases;
      c->revenue_cents += event.amount;
    }
    if (event.attributed_step >= 0) {
      const Journey& j = journeys_[event.journey];
      ++result_.program.converted;
      for (Counters* c : {&result_.scenarios[j.scenario], &result_.steps[j.scenario][event.attributed_step]}) {
        ++c->converted;
        ++c->purchases;
        c->revenue_cents += event.amount;
      }
    }
    // An abandoned cart bought while a journey about it ran (or after): recovered.
    if (event.key != 0) {
      for (const Journey& j : journeys_) {
        if (j.key != event.key) continue;
        ++result_.program.carts_recovered;
        ++result_.scenarios[j.scenario].carts_recovered;
        break;
      }
    }
    OnEvent(plan_.purchase_type, -1, event.key);
    for (size_t s = 0; s < program_.scenarios.size(); ++s) {
      for (const ir::Trigger& trigger : program_.scenarios[s].triggers) {
        if (trigger.kind == ir::TriggerKind::Inactivity) ScheduleInactivity(trigger, static_cast<int32_t>(s), event.time);
      }
    }
  }

  void HandleCart(const Event& event) {
    OnEvent(plan_.cart_type, event.a, event.key);
    if (Uniform(Draw::CartCheckout, static_cast<uint64_t>(event.key), event.time) < kCartCheckout) {
      int64_t delay = kHour + static_cast<int64_t>(Uniform(Draw::CheckoutDelay, static_cast<uint64_t>(event.key), event.time) * 47 * kHour);
      int64_t basket = measures_.average_basket_cents[row_] > 0 ? measures_.average_basket_cents[row_] : plan_.fallback_basket_cents;
      Schedule({.kind = Event::Kind::Purchase, .time = event.time + delay, .key = event.key, .amount = basket});
    }
  }

  bool Matches(const ir::WaitRoute& route, int32_t type, int64_t template_event) const {
    if (route.event_type != type || type < 0) return false;
    if (route.predicate < 0) return true;
    return template_event >= 0 && engine_.EventMatches(route.predicate, frame_, row_, static_cast<uint64_t>(template_event));
  }

  // An event of the customer's: exits, waits it ends, scenarios it starts.
  void OnEvent(int32_t type, int64_t template_event, int64_t key) {
    for (size_t i = 0; i < journeys_.size(); ++i) {
      Journey& j = journeys_[i];
      if (!j.active) continue;
      const ir::Scenario& scenario = program_.scenarios[j.scenario];
      bool leaves = std::any_of(scenario.exits.begin(), scenario.exits.end(),
                                [&](const ir::WaitRoute& exit) { return Matches(exit, type, template_event); });
      if (leaves) {
        End(static_cast<int32_t>(i));
        continue;
      }
      const ir::Step& waiting = scenario.steps[j.step];
      if (waiting.op != ir::StepOp::Wait) continue;
      for (size_t r = 0; r < waiting.routes.size(); ++r) {
        const ir::WaitRoute& route = waiting.routes[r];
        if (!Matches(route, type, template_event) || (!route.match_key.empty() && key != j.key)) continue;
        Advance(static_cast<int32_t>(i), {ir::InputKind::Event, j.step, static_cast<int32_t>(r)});
        break;
      }
    }
    for (size_t s = 0; s < program_.scenarios.size(); ++s) {
      for (const ir::Trigger& trigger : program_.scenarios[s].triggers) {
        if (trigger.kind == ir::TriggerKind::Event && Matches(trigger.event, type, template_event)) {
          StartJourney(static_cast<int32_t>(s), key);
        }
      }
    }
  }

  void StartJourney(int32_t s, int64_t key) {
    if (holdout_) return;  // a control customer is never contacted
    const ir::Scenario& scenario = program_.scenarios[s];
    for (int32_t panel : scenario.audiences) {
      if (!ir::IsBitSet(panels_[panel].data(), row_)) return;
    }
    bool running = std::any_of(journeys_.begin(), journeys_.end(), [&](const Journey& j) { return j.active && j.scenario == s; });
    if (scenario.reentry != ir::Reentry::Always && running) return;
    if (scenario.reentry == ir::Reentry::Once && entries_[s] > 0) return;
    if (scenario.reentry == ir::Reentry::OncePer && entries_[s] > 0) {
      ir::Value period = engine_.Scalar(scenario.reentry_period, frame_);
      if (period.valid && frame_.now - last_entry_[s] < static_cast<int64_t>(period.AsFloat())) return;
    }
    ++entries_[s];
    last_entry_[s] = frame_.now;
    Journey& j = journeys_.emplace_back();
    j.scenario = s;
    j.entered = frame_.now;
    j.key = key;
    j.outcomes.assign(scenario.steps.size(), 0);
    ++result_.program.entered;
    ++result_.scenarios[s].entered;
    Advance(static_cast<int32_t>(journeys_.size() - 1), {ir::InputKind::Start, scenario.entry, 0});
  }

  void End(int32_t index) {
    Journey& j = journeys_[index];
    j.active = false;
    ++result_.program.exited;
    ++result_.scenarios[j.scenario].exited;
  }

  // Moves a journey on until it waits or ends.
  void Advance(int32_t index, ir::Input input) {
    for (int moves = 0; moves < 1000; ++moves) {
      Journey& j = journeys_[index];
      ir::Instance instance{j.outcomes.data(), j.entered};
      ir::Action action{};
      engine_.Transition(j.scenario, frame_, row_, instance, input, action);
      j.step = action.step;
      switch (action.kind) {
        case ir::ActionKind::Send:
          if (!Send(index, action.step, false)) return;
          break;
        case ir::ActionKind::Wait: {
          j.deadline = action.deadline;
          bool has_routes = !program_.scenarios[j.scenario].steps[action.step].routes.empty();
          if (action.deadline == ir::kNever && !has_routes) {
            End(index);
          } else if (action.deadline != ir::kNever && action.deadline < end_) {
            Schedule({.kind = Event::Kind::Timer, .time = std::max(action.deadline, frame_.now), .journey = index});
            if (action.deadline < frame_.now) j.deadline = frame_.now;
          }
          return;
        }
        case ir::ActionKind::Enter: {
          const std::string& target = program_.scenarios[j.scenario].steps[action.step].scenario;
          for (size_t s = 0; s < program_.scenarios.size(); ++s) {
            if (program_.scenarios[s].name == target) StartJourney(static_cast<int32_t>(s), journeys_[index].key);
          }
          break;
        }
        case ir::ActionKind::Set:
        case ir::ActionKind::Tag:
        case ir::ActionKind::Untag: break;
        case ir::ActionKind::Exit:
        case ir::ActionKind::Stuck: End(index); return;
      }
      input = {ir::InputKind::Continue, journeys_[index].step, 0};
    }
    End(index);
  }

  // The send at `step`, through consent and pressure. False when the journey stops here (it
  // waits for quiet hours to end, or a cap ends it).
  bool Send(int32_t index, int32_t step, bool deferred) {
    Journey& j = journeys_[index];
    const SendPlan& plan = plan_.sends[j.scenario][step];
    Counters* counters[] = {&result_.program, &result_.scenarios[j.scenario], &result_.steps[j.scenario][step]};
    auto log = [&](Outcome outcome, uint8_t bits) {
      if (options_.log) result_.log.push_back({row_, frame_.now, j.scenario, step, outcome, bits});
    };
    auto suppress = [&](Outcome outcome) {
      for (Counters* c : counters) ++c->suppressed;
      log(outcome, 0);
    };
    ir::Value consent = engine_.CustomerValue(program_.channel_consents[plan.channel].second, frame_, row_);
    if (!(consent.valid && consent.bits != 0) || revoked_[plan.channel]) {
      suppress(Outcome::SuppressedConsent);
      return true;
    }
    const ir::Pressure& pressure = program_.pressure;
    if (pressure.quiet_from >= 0 && !deferred) {
      int64_t minute = (frame_.now % kDay) / 60;
      bool wraps = pressure.quiet_from > pressure.quiet_to;
      bool quiet = wraps ? (minute >= pressure.quiet_from || minute < pressure.quiet_to)
                         : (minute >= pressure.quiet_from && minute < pressure.quiet_to);
      if (quiet && pressure.quiet_drop) {
        suppress(Outcome::DroppedQuietHours);
        return true;
      }
      if (quiet) {
        int64_t day = frame_.now - frame_.now % kDay;
        int64_t resume = day + pressure.quiet_to * 60;
        if (resume <= frame_.now) resume += kDay;
        Schedule({.kind = Event::Kind::Resume, .time = resume, .journey = index});
        return false;
      }
    }
    const std::string& channel = program_.channel_consents[plan.channel].first;
    bool gap = pressure.minimum_gap_seconds > 0 && !history_.empty() &&
               frame_.now - history_.back().first < static_cast<int64_t>(pressure.minimum_gap_seconds);
    for (const ir::PressureCap& cap : pressure.caps) {
      if (!gap && !cap.channel.empty() && cap.channel != channel) continue;  // a cap on another channel
      int64_t window = static_cast<int64_t>(cap.window_seconds);
      int64_t recent = std::count_if(history_.begin(), history_.end(), [&](const auto& sent) {
        return sent.first > frame_.now - window && (cap.channel.empty() || cap.channel == program_.channel_consents[sent.second].first);
      });
      if (recent >= cap.count || gap) {
        suppress(Outcome::SuppressedPressure);
        if (pressure.capped_exit) End(index);
        return !pressure.capped_exit;
      }
    }
    history_.emplace_back(frame_.now, plan.channel);
    auto draw = [&](Draw what) { return Uniform(what, static_cast<uint64_t>(index) * 1024 + static_cast<uint64_t>(step), frame_.now); };
    const ChannelRates& r = plan.rates;
    bool delivered = draw(Draw::Delivered) < r.delivered;
    bool opened = delivered && draw(Draw::Opened) < r.opened;
    bool clicked = opened && r.opened > 0 && draw(Draw::Clicked) < r.clicked / r.opened;
    double convert = r.clicked > 0 ? std::min(1.0, r.converted * (1 + plan.offer_uplift) / r.clicked) : 0;
    bool converted = clicked && draw(Draw::Converted) < convert;
    bool unsubscribed = delivered && draw(Draw::Unsubscribed) < r.unsubscribed;
    for (Counters* c : counters) {
      ++c->sent;
      c->cost_cents += r.cost_cents + plan.offer_cost;
      c->delivered += delivered, c->opened += opened, c->clicked += clicked, c->unsubscribed += unsubscribed;
    }
    if (delivered) j.outcomes[step] |= static_cast<uint8_t>(ir::Outcome::Delivered);
    int64_t delay = kHour + static_cast<int64_t>(draw(Draw::ResponseDelay) * 23 * kHour);
    if (opened) Schedule({.kind = Event::Kind::Response, .time = frame_.now + delay, .journey = index, .a = step, .bit = 2});
    if (clicked) Schedule({.kind = Event::Kind::Response, .time = frame_.now + delay + 60, .journey = index, .a = step, .bit = 4});
    if (converted) {
      double window = program_.goal_window_seconds > 0 ? std::min(program_.goal_window_seconds, 3.0 * kDay) : 3.0 * kDay;
      int64_t when = frame_.now + delay + 120 + static_cast<int64_t>(draw(Draw::ConversionDelay) * window);
      int64_t basket = measures_.average_basket_cents[row_] > 0 ? measures_.average_basket_cents[row_] : plan_.fallback_basket_cents;
      Schedule({.kind = Event::Kind::Purchase, .time = when, .journey = index, .key = j.key, .amount = basket,
                .attributed_step = step});
      Schedule({.kind = Event::Kind::Response, .time = when, .journey = index, .a = step, .bit = 8});
    }
    if (unsubscribed) revoked_[plan.channel] = true;
    log(Outcome::Sent, static_cast<uint8_t>((opened ? 2 : 0) | (clicked ? 4 : 0) | (converted ? 8 : 0) | (unsubscribed ? 16 : 0)));
    return true;
  }

  const ir::Program& program_;
  const ir::Engine& engine_;
  ir::Frame frame_;
  const Plan& plan_;
  const std::vector<evaluate::Selection>& panels_;
  const measures::CustomerMeasures& measures_;
  const Options& options_;
  Result& result_;
  uint32_t row_;
  int64_t start_ = 0, end_ = 0;
  bool holdout_ = false;
  uint64_t sequence_ = 0;
  std::priority_queue<Event, std::vector<Event>, std::greater<>> queue_;
  std::vector<Journey> journeys_;
  std::vector<bool> revoked_;
  std::vector<int64_t> entries_, last_entry_;
  std::vector<std::pair<int64_t, int32_t>> history_;  // sends: time, channel
};

Plan MakePlan(const ir::Program& program, const ir::Engine& engine, const ir::Frame& frame,
              const measures::CustomerMeasures& measures) {
  Plan plan;
  std::vector<double> rates;
  for (const ir::ResponseRate& rate : program.response_rates) {
    ir::Value v = engine.Scalar(rate.value, frame);
    rates.push_back(v.valid ? v.AsFloat() : 0);
  }
  for (const ir::Scenario& scenario : program.scenarios) {
    auto& sends = plan.sends.emplace_back(scenario.steps.size());
    for (size_t s = 0; s < scenario.steps.size(); ++s) {
      const ir::Step& step = scenario.steps[s];
      if (step.op != ir::StepOp::Send) continue;
      sends[s].rates = RatesFor(program, rates, step.channel, step.message);
      for (size_t c = 0; c < program.channel_consents.size(); ++c) {
        if (program.channel_consents[c].first == step.channel) sends[s].channel = static_cast<int32_t>(c);
      }
      for (const ir::Offer& offer : program.offers) {
        if (offer.name != step.offer) continue;
        sends[s].offer_cost = offer.cost_cents;
        sends[s].offer_uplift = offer.uplift > 0 ? offer.uplift : 0.25;  // an offer lifts conversion a quarter by default
      }
    }
  }
  for (size_t t = 0; t < program.event_types.size(); ++t) {
    if (program.event_types[t] == "purchase") plan.purchase_type = static_cast<int32_t>(t);
    if (program.event_types[t] == "cart_abandoned") plan.cart_type = static_cast<int32_t>(t);
  }
  int64_t total = 0, buyers = 0;
  for (int64_t basket : measures.average_basket_cents) {
    if (basket > 0) total += basket, ++buyers;
  }
  plan.fallback_basket_cents = buyers ? total / buyers : 5000;
  return plan;
}

}  // namespace

Result Simulate(const ir::Program& program, const ir::Engine& engine, const evaluate::BoundData& data,
                const std::vector<evaluate::Selection>& panels, const measures::CustomerMeasures& measures,
                const Options& options) {
  const ir::Frame& frame = data.frame();
  Plan plan = MakePlan(program, engine, frame, measures);
  size_t customers = frame.customer_count;
  unsigned threads = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  threads = static_cast<unsigned>(std::max<size_t>(1, std::min<size_t>(threads, customers / 64 + 1)));
  std::vector<Result> parts(threads);
  auto empty = [&](Result& r) {
    r.scenarios.assign(program.scenarios.size(), {});
    r.steps.clear();
    for (const ir::Scenario& s : program.scenarios) r.steps.emplace_back(s.steps.size());
  };
  std::vector<std::thread> workers;
  for (unsigned t = 0; t < threads; ++t) {
    empty(parts[t]);
    size_t begin = customers * t / threads, end = customers * (t + 1) / threads;
    workers.emplace_back([&, t, begin, end] {
      for (size_t row = begin; row < end; ++row) {
        CustomerRun(program, engine, frame, plan, panels, measures, options, parts[t], static_cast<uint32_t>(row)).Run();
      }
    });
  }
  for (auto& worker : workers) worker.join();
  Result result;
  empty(result);
  for (Result& part : parts) {  // in customer order: the log stays sorted by customer
    result.customers += part.customers;
    result.holdout_customers += part.holdout_customers;
    result.program += part.program;
    result.treated += part.treated;
    result.holdout += part.holdout;
    for (size_t s = 0; s < result.scenarios.size(); ++s) {
      result.scenarios[s] += part.scenarios[s];
      for (size_t k = 0; k < result.steps[s].size(); ++k) result.steps[s][k] += part.steps[s][k];
    }
    result.log.insert(result.log.end(), part.log.begin(), part.log.end());
  }
  return result;
}

}  // namespace relc::simulate
