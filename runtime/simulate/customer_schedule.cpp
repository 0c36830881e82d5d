// A customer's own doings and the triggers that start their journeys, scheduled on their
// event queue: baseline purchases, replayed events, panel entries, dates, anniversaries and
// inactivity; and the local times they fall at.
#include "simulate/customer_run.h"

#include <algorithm>
#include <cmath>

namespace relc::simulate {

// Purchases the customer makes anyway: a Poisson process at their expected rate (BG/NBD), or at
// the rate of the model's baseline that holds them (the first program's with one).
void CustomerRun::ScheduleBaseline() {
  double per_day = measures_.models_fitted ? measures_.expected_purchases[row_] / 365.0
                                           : measures_.frequency[row_] / std::max(measures_.tenure_days[row_], 30.0);
  int64_t basket = 0;
  for (const Program& program : programs_) {
    const Baseline* holds = nullptr;
    for (const Baseline& baseline : program.plan->baselines) {
      if (baseline.panel < 0 || ir::IsBitSet((*program.run->panels)[static_cast<size_t>(baseline.panel)].data(), row_)) holds = &baseline;
    }
    if (holds == nullptr) continue;
    per_day = holds->per_day;
    basket = holds->basket_cents;
    baseline_share_ = holds->share;
    break;
  }
  if (!(per_day > 0)) return;
  double t = static_cast<double>(start_);
  for (uint64_t k = 0;; ++k) {
    t += -std::log1p(-Uniform(static_cast<uint64_t>(Draw::PurchaseGap), k, 0)) / per_day * kDay;
    if (t >= static_cast<double>(end_)) break;
    Schedule({.kind = Event::Kind::Purchase, .time = static_cast<int64_t>(t), .rank = kCustomerRank, .amount = Basket(basket)});
  }
}

// What the customer does on their own (abandons carts, visits, complains...), at their past rate
// for each kind, each time a copy of one of their past events of that kind.
void CustomerRun::ScheduleReplays() {
  const ir::Frame& frame = programs_.front().frame;
  for (size_t r = 0; r < plan_.replayed.size(); ++r) {
    const Replayed& replayed = plan_.replayed[r];
    std::vector<uint64_t> past;
    for (uint64_t e = frame.event_offsets[row_]; e < frame.event_offsets[row_ + 1]; ++e) {
      if (static_cast<int32_t>(frame.event_types[e]) == replayed.dataset_type && frame.event_times[e] < start_) past.push_back(e);
    }
    if (past.empty()) continue;
    const bool cart = replayed.name == "cart_abandoned";
    // Carts keep the draws and keys they always had; other kinds have their own, and keys of
    // their own (a cart key is below 2^32).
    const uint64_t gap = static_cast<uint64_t>(cart ? Draw::CartGap : Draw::ReplayGap);
    const uint64_t pick_draw = static_cast<uint64_t>(cart ? Draw::CartTemplate : Draw::ReplayTemplate);
    const uint64_t base = cart ? 0 : static_cast<uint64_t>(replayed.dataset_type + 1) << 32;
    double per_day = static_cast<double>(past.size()) / std::max(measures_.tenure_days[row_], 30.0);
    double t = static_cast<double>(start_);
    for (uint64_t k = 0;; ++k) {
      t += -std::log1p(-Uniform(gap, base + k, 0)) / per_day * kDay;
      if (t >= static_cast<double>(end_)) break;
      auto pick = static_cast<size_t>(Uniform(pick_draw, base + k, 0) * static_cast<double>(past.size()));
      Schedule({.kind = Event::Kind::Replay, .time = static_cast<int64_t>(t), .rank = kCustomerRank,
                .a = static_cast<int32_t>(past[pick]), .replayed = static_cast<int32_t>(r),
                .key = static_cast<int64_t>(base + k + 1)});
    }
  }
}

void CustomerRun::ScheduleTriggers() {
  for (size_t p = 0; p < programs_.size(); ++p) {
    Program& program = programs_[p];
    const ir::Program& ir = *program.run->program;
    auto start = [&](int64_t time, size_t scenario) {
      Schedule({.kind = Event::Kind::Start, .time = time, .rank = program.plan->priority, .program = static_cast<int32_t>(p),
                .a = static_cast<int32_t>(scenario)});
    };
    for (size_t s = 0; s < ir.scenarios.size(); ++s) {
      for (const ir::Trigger& trigger : ir.scenarios[s].triggers) {
        switch (trigger.kind) {
          case ir::TriggerKind::EnterPanel: ScheduleEnterPanel(static_cast<int32_t>(p), trigger, static_cast<int32_t>(s)); break;
          case ir::TriggerKind::Recurring: ScheduleRecurring(static_cast<int32_t>(p), trigger, static_cast<int32_t>(s)); break;
          case ir::TriggerKind::Date: {
            // A date-time without a zone is the customer's local time, as `every year ... at 10:00`
            // is; a date is the start of that day, theirs.
            ir::Value when = program.run->engine->Scalar(trigger.value, program.frame);
            int64_t day = trigger.value_is_datetime ? when.bits / kDay - (when.bits % kDay < 0) : when.bits;
            int64_t time = LocalTime(day, trigger.value_is_datetime ? (when.bits - day * kDay) / 60 : 0);
            if (when.valid && time >= start_ && time < end_) start(time, s);
            break;
          }
          case ir::TriggerKind::Inactivity: {
            const auto t = static_cast<int32_t>(&trigger - ir.scenarios[s].triggers.data());
            ScheduleInactivity(static_cast<int32_t>(p), static_cast<int32_t>(s), t, LastEvent(program, trigger.event.event_type));
            break;
          }
          case ir::TriggerKind::Event: break;  // when the event happens
        }
      }
    }
  }
}

// 09:00 on the first day, the customer's time (the next day's when already past).
int64_t CustomerRun::LocalMorning() const {
  int64_t morning = start_ + 9 * kHour - OffsetAt(start_);
  return morning >= start_ ? morning : morning + kDay;
}

// A local time of day on a day (days since the epoch, the customer's calendar), in UTC seconds:
// the offset is the one in force that day (summer time is followed).
int64_t CustomerRun::LocalTime(int64_t day, int64_t minute) const {
  const int64_t naive = day * kDay + minute * 60;
  return naive - OffsetAt(naive - OffsetAt(naive));
}

// Panel members enter on the first morning, their time; a customer who joins the panel later
// (a week's re-evaluation) enters that week's morning, unless they bought meanwhile (their
// recency is then not what the re-evaluation assumed).
void CustomerRun::ScheduleEnterPanel(int32_t p, const ir::Trigger& trigger, int32_t scenario) {
  const Program& program = programs_[p];
  bool member = ir::IsBitSet((*program.run->panels)[trigger.panel].data(), row_);
  auto start = [&](int64_t time, bool unless_bought) {
    Schedule({.kind = Event::Kind::Start, .time = time, .rank = program.plan->priority, .program = p, .a = scenario,
              .unless_bought = unless_bought});
  };
  if (member) start(LocalMorning(), false);
  if (program.run->weekly_panels == nullptr) return;
  const auto& weeks = *program.run->weekly_panels;
  for (size_t week = 0; week < weeks.size(); ++week) {
    bool later = ir::IsBitSet(weeks[week][trigger.panel].data(), row_);
    if (later && !member) {
      const int64_t first_morning = LocalMorning();
      const int64_t day = (first_morning + OffsetAt(first_morning)) / kDay + static_cast<int64_t>(week + 1) * 7;
      start(LocalTime(day, 9 * 60), true);
    }
    member = later;
  }
}

int64_t CustomerRun::LastPurchase() const {
  if (measures_.frequency[row_] == 0) return start_;
  return start_ - static_cast<int64_t>(measures_.recency_days[row_] * kDay);
}

// When the customer last did an event of a program's type slot before the start (the start
// when never): what an inactivity trigger counts from.
int64_t CustomerRun::LastEvent(const Program& program, int32_t type_slot) const {
  if (type_slot < 0 || type_slot == program.plan->purchase_type) return LastPurchase();
  const ir::Frame& frame = program.frame;
  const int32_t code = frame.event_type_codes[type_slot];
  int64_t last = ir::kNever;
  for (uint64_t e = frame.event_offsets[row_]; e < frame.event_offsets[row_ + 1]; ++e) {
    if (static_cast<int32_t>(frame.event_types[e]) == code && frame.event_times[e] < start_) last = frame.event_times[e];
  }
  return last == ir::kNever ? start_ : last;
}

// An inactivity trigger fires its duration after the latest event it counts from; a newer event
// of that kind (a purchase during the run) makes the pending one stale and schedules another.
void CustomerRun::ScheduleInactivity(int32_t p, int32_t scenario, int32_t trigger_index, int64_t since) {
  Program& program = programs_[p];
  const ir::Trigger& trigger = program.run->program->scenarios[scenario].triggers[trigger_index];
  const int32_t slot = program.plan->inactivity_slots[scenario][trigger_index];
  program.inactive_since[static_cast<size_t>(slot)] = since;
  ir::Value duration = program.run->engine->Scalar(trigger.value, program.frame);
  if (!duration.valid) return;
  int64_t time = since + static_cast<int64_t>(duration.AsFloat());
  if (time < start_) time = LocalMorning();
  if (time < end_) {
    Schedule({.kind = Event::Kind::Start, .time = std::max(time, now_), .rank = program.plan->priority, .program = p,
              .a = scenario, .trigger = slot, .since = since});
  }
}

// Anniversaries of a date of the customer's (birthday, sign-up), moved by the trigger's offset
// (`birth_date - 7 days`: a week before each birthday), at the trigger's time of day, local.
// Someone born on 29 February has their birthday on 28 February in other years.
void CustomerRun::ScheduleRecurring(int32_t p, const ir::Trigger& trigger, int32_t scenario) {
  const Program& program = programs_[p];
  ir::Value date = program.run->engine->CustomerValue(trigger.value, program.frame, row_);
  if (!date.valid) return;
  int64_t offset_days = 0;
  if (trigger.offset != ir::kNoExpr) {
    ir::Value offset = program.run->engine->Scalar(trigger.offset, program.frame);
    if (!offset.valid) return;
    offset_days = static_cast<int64_t>(std::floor((trigger.offset_subtracts ? -1 : 1) * offset.AsFloat() / kDay));
  }
  int64_t day = trigger.value_is_datetime ? date.bits / kDay : date.bits;
  int64_t month = relc_calendar(day, 1), dom = relc_calendar(day, 2);
  // The anniversaries whose moved day can fall within the run.
  int64_t first = start_ / kDay - 1 - offset_days, last = end_ / kDay + 1 - offset_days;
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
        if (relc_calendar(d, 2) == dom) days.push_back(d);
        else if (trigger.period == "year") days.push_back(relc_days_from_civil(y, m + 1, 1) - 1);  // 29 February: the 28th
        // a monthly date on the 31st has no day in a 30-day month
      }
    }
  }
  for (int64_t d : days) {
    int64_t time = LocalTime(d + offset_days, trigger.minute_of_day);  // at that hour, the customer's time
    if (time >= start_ && time < end_) {
      Schedule({.kind = Event::Kind::Start, .time = time, .rank = program.plan->priority, .program = p, .a = scenario});
    }
  }
}

}  // namespace relc::simulate
