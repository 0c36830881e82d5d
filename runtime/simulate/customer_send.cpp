// A customer's messages: each send through consent, quiet hours and pressure caps, then what the
// customer does with it (delivered, opened, clicked, converted, unsubscribed).
#include <algorithm>
#include <optional>

#include "simulate/customer_run.h"

namespace relc::simulate {

int64_t CustomerRun::QuietUntil(const ir::Pressure& rules) const {
  if (rules.quiet_from < 0) return -1;
  const int64_t offset = OffsetAt(now_);
  const int64_t local = now_ + offset;  // quiet hours are the customer's local hours
  int64_t minute = ((local % kDay + kDay) % kDay) / 60;
  bool wraps = rules.quiet_from > rules.quiet_to;
  bool quiet = wraps ? (minute >= rules.quiet_from || minute < rules.quiet_to)
                     : (minute >= rules.quiet_from && minute < rules.quiet_to);
  if (!quiet) return -1;
  int64_t day = (local - ((local % kDay + kDay) % kDay)) / kDay;
  if (day * kDay + rules.quiet_to * 60 <= local) ++day;
  return std::max(now_ + 1, LocalTime(day, rules.quiet_to));
}

bool CustomerRun::Capped(const ir::Pressure& rules, int32_t program, int32_t channel, bool across_only, bool shared) const {
  // A replay's history holds the messages of programs no longer deployed, past and to come:
  // only those sent by now count.
  auto counts = [&](const Contact& contact, bool across) {
    return contact.time <= now_ && (shared || across || contact.program == program);
  };
  if (!across_only && rules.minimum_gap_seconds > 0) {
    int64_t latest = INT64_MIN;
    for (const Contact& contact : history_) {
      if (counts(contact, false)) latest = std::max(latest, contact.time);
    }
    if (latest != INT64_MIN && now_ - latest < static_cast<int64_t>(rules.minimum_gap_seconds)) return true;
  }
  const std::string& name = plan_.channels[channel];
  for (const ir::PressureCap& cap : rules.caps) {
    if (across_only && !cap.across_programs) continue;
    if (!cap.channel.empty() && cap.channel != name) continue;  // a cap on another channel
    const int64_t since = now_ - static_cast<int64_t>(cap.window_seconds);
    int64_t recent = std::count_if(history_.begin(), history_.end(), [&](const Contact& contact) {
      return contact.time > since && counts(contact, cap.across_programs) &&
             (cap.channel.empty() || (contact.channel >= 0 && plan_.channels[contact.channel] == cap.channel));
    });
    if (recent >= cap.count) return true;
  }
  return false;
}

// The send at `step`, through consent and pressure. False when the journey stops here (it
// waits for quiet hours to end, or a cap ends it).
bool CustomerRun::Send(int32_t index, int32_t step) {
  Journey& j = journeys_[index];
  Program& program = programs_[j.program];
  const ir::Program& ir = *program.run->program;
  const SendPlan& plan = program.plan->sends[j.scenario][step];
  auto log = [&](Outcome outcome, uint8_t bits) {
    Log(program, {.scenario = j.scenario, .step = step, .outcome = outcome, .responses = bits, .entry = j.entry});
  };
  Timeline& timeline = program.result->timeline;
  // Message keys: a replay's, and a simulation's whose events become CRM data.
  std::optional<MessageKey> key;
  if (recorded_ != nullptr || options_.record_events) key = KeyOf(j, step);
  if (recorded_ != nullptr && WasEmitted(*key)) {  // sent already: it stays sent
    SendRecorded(index, step, *key, now_ >= recorded_->decided_before);
    return true;
  }
  auto suppress = [&](Outcome outcome) {
    if (key) CountPass(j, step);
    ++program.result->program.suppressed;
    ++(outcome == Outcome::SuppressedConsent    ? timeline.suppressed_consent
       : outcome == Outcome::SuppressedPressure ? timeline.suppressed_pressure
                                                : timeline.dropped_quiet_hours);
    Credit(j, step, [](Counters& c) { ++c.suppressed; });
    log(outcome, 0);
  };
  ir::Value consent = program.run->engine->CustomerValue(ir.channel_consents[plan.consent].second, program.frame, row_);
  if (!(consent.valid && consent.bits != 0) || revoked_[plan.channel]) {
    suppress(Outcome::SuppressedConsent);
    return true;
  }
  // Quiet hours: the program's, then the shared policy's.
  for (const ir::Pressure* rules : {&ir.pressure, options_.shared_pressure}) {
    if (rules == nullptr) continue;
    int64_t resume = QuietUntil(*rules);
    if (resume < 0) continue;
    if (rules->quiet_drop) {
      suppress(Outcome::DroppedQuietHours);
      return true;
    }
    // The journey waits for the morning at this send: the deadline of the wait before it is over.
    ++timeline.deferred_quiet_hours;
    j.deadline = ir::kNever;
    ScheduleJourneyEvent({.kind = Event::Kind::Resume, .time = resume, .journey = index});
    return false;
  }
  bool capped = Capped(ir.pressure, j.program, plan.channel, false, false) ||
                (options_.shared_pressure != nullptr && Capped(*options_.shared_pressure, j.program, plan.channel, false, true));
  for (size_t q = 0; q < programs_.size() && !capped; ++q) {
    if (static_cast<int32_t>(q) != j.program) capped = Capped(programs_[q].run->program->pressure, j.program, plan.channel, true, false);
  }
  if (capped) {
    suppress(Outcome::SuppressedPressure);
    bool exits = ir.pressure.capped_exit || (options_.shared_pressure != nullptr && options_.shared_pressure->capped_exit);
    if (exits) {
      program.result->AddFlow(j.scenario, step, Flow::kToExit);
      End(index);
    }
    return !exits;
  }
  if (recorded_ != nullptr) {
    // An earlier apply decided this send and did not make it (no consent then): it stays unsent.
    if (now_ < recorded_->decided_before) {
      suppress(Outcome::SuppressedConsent);
      return true;
    }
    SendRecorded(index, step, *key, true);
    return true;
  }
  // Fatigue: the messages of the past week, every program's, make this one less read and
  // more often the reason to unsubscribe (docs/simulation.md).
  const int64_t week_ago = now_ - 7 * kDay;
  const auto recent = static_cast<double>(
      std::count_if(history_.begin(), history_.end(), [&](const Contact& contact) { return contact.time > week_ago; }));
  history_.push_back({now_, plan.channel, j.program});
  auto draw = [&](Draw what) { return Uniform(static_cast<uint64_t>(what), data::Combine(j.draw_key, static_cast<uint64_t>(step)), now_); };
  // The customer's segment of the model, as of the start (the last that holds them), else everyone's rates.
  const ChannelRates* segment_rates = &plan.rates;
  for (const SegmentRates& segment : plan.segments) {
    if (ir::IsBitSet((*program.run->panels)[static_cast<size_t>(segment.panel)].data(), row_)) segment_rates = &segment.rates;
  }
  const ChannelRates& r = *segment_rates;
  const ir::Behaviour& model = ir.behaviour;
  const double attention = 1 / (1 + model.fatigue * recent);
  bool delivered = draw(Draw::Delivered) < r.delivered;
  bool opened = delivered && draw(Draw::Opened) < r.opened * attention;
  bool clicked = opened && r.opened > 0 && draw(Draw::Clicked) < r.clicked / r.opened;
  const double uplift = r.converted_as_sent ? 0 : plan.offer_uplift;
  // What the message adds: from what its customers bought beside the baseline's, when both are known.
  const double adds = r.bought >= 0 && baseline_share_ >= 0 ? std::max(0.0, (r.bought - baseline_share_) / (1 - std::min(baseline_share_, 0.999999)))
                                                            : r.converted;
  double convert = r.clicked > 0 ? std::min(1.0, adds * (1 + uplift) / r.clicked) : 0;
  bool converted = clicked && draw(Draw::Converted) < convert;
  bool unsubscribed = delivered && draw(Draw::Unsubscribed) < r.unsubscribed * (1 + model.fatigue_unsubscribe * recent);
  auto count = [&](Counters& c) {
    ++c.sent;
    c.cost_cents += r.cost_cents + plan.offer_cost;
    c.delivered += delivered, c.opened += opened, c.clicked += clicked, c.unsubscribed += unsubscribed;
  };
  count(program.result->program);
  Credit(j, step, count);
  if (const int64_t day = Day(); day >= 0 && day < options_.days) {
    ++timeline.sent[static_cast<size_t>(day) * timeline.channels.size() + static_cast<size_t>(plan.channel)];
  }
  if (delivered) j.outcomes[step] |= static_cast<uint8_t>(ir::Outcome::Delivered);
  // Responses come after delivery (postal mail takes days): within the next day, or within the
  // first half of a goal window shorter than two days. A conversion comes after the click and
  // within the goal's window from delivery (at most 3 days): the attribution window
  // (docs/simulation.md), so every conversion counted is one the rule credits to this message.
  const int64_t window = ir.goal_window_seconds > 0 ? std::min<int64_t>(static_cast<int64_t>(ir.goal_window_seconds), 3 * kDay) : 3 * kDay;
  const int64_t delivered_at = now_ + r.delay_seconds;
  const int64_t respond_within = window >= 2 * kDay ? 23 * kHour : window / 2;
  const int64_t respond_after = window >= 2 * kDay ? kHour : 0;
  int64_t delay = r.delay_seconds + respond_after + static_cast<int64_t>(draw(Draw::ResponseDelay) * static_cast<double>(respond_within));
  if (key) {
    CountPass(j, step);
    if (delivered) RecordEvent({.kind = CustomerEvent::Kind::Delivered, .time = now_, .channel = plan.channel, .message = *key});
    if (opened) RecordEvent({.kind = CustomerEvent::Kind::Opened, .time = now_ + delay, .channel = plan.channel, .message = *key});
    if (clicked) RecordEvent({.kind = CustomerEvent::Kind::Clicked, .time = now_ + delay + 60, .channel = plan.channel, .message = *key});
    if (unsubscribed) RecordEvent({.kind = CustomerEvent::Kind::Unsubscribed, .time = now_, .channel = plan.channel, .message = *key});
  }
  if (opened) ScheduleJourneyEvent({.kind = Event::Kind::Response, .time = now_ + delay, .journey = index, .a = step, .bit = 2});
  if (clicked) ScheduleJourneyEvent({.kind = Event::Kind::Response, .time = now_ + delay + 60, .journey = index, .a = step, .bit = 4});
  if (converted) {
    const int64_t earliest = std::min(now_ + delay + 120, delivered_at + window);
    int64_t when = earliest + static_cast<int64_t>(draw(Draw::ConversionDelay) * static_cast<double>(delivered_at + window - earliest));
    if (program.plan->goal >= 0) {
      Schedule({.kind = Event::Kind::Goal, .time = when, .rank = kCustomerRank, .journey = index, .a = program.plan->goal,
                .key = j.key, .attributed_step = step});
    } else {
      Schedule({.kind = Event::Kind::Purchase, .time = when, .rank = kCustomerRank, .journey = index, .key = j.key,
                .amount = Basket(r.basket_cents), .attributed_step = step});
    }
    ScheduleJourneyEvent({.kind = Event::Kind::Response, .time = when, .journey = index, .a = step, .bit = 8});
    if (key) RecordEvent({.kind = CustomerEvent::Kind::Converted, .time = when, .channel = plan.channel, .message = *key});
  }
  if (unsubscribed) revoked_[plan.channel] = true;
  log(Outcome::Sent, static_cast<uint8_t>((opened ? 2 : 0) | (clicked ? 4 : 0) | (converted ? 8 : 0) | (unsubscribed ? 16 : 0)));
  return true;
}

}  // namespace relc::simulate
