// A replay (`relc apply`, `relc plan`): the customer's recorded events from the start on take the
// place of the behaviour model's draws, and every send is decided once. A message in the outbox
// stays sent; one an earlier apply decided not to send stays unsent; a new one goes through
// consent and pressure as of now. What became of a message (delivered, opened, clicked,
// converted, unsubscribed) comes from the CRM's events that carry its key.
#include <algorithm>
#include <cstdio>

#include "simulate/customer_run.h"

namespace relc::simulate {

namespace {

// The event types that say what became of a message, and the outcome bit each sets (16: the
// customer unsubscribed from the message's channel).
constexpr std::string_view kOutcomeTypes[] = {"message_delivered", "message_opened", "message_clicked", "message_converted",
                                              "unsubscribe"};
constexpr uint8_t kOutcomeBits[] = {1, 2, 4, 8, 16};

}  // namespace

std::string StepName(const ir::Scenario& scenario, size_t step) {
  const ir::Step& s = scenario.steps[step];
  if (!s.label.empty()) return s.label;
  if (!s.message.empty()) return s.message;
  return "step " + std::to_string(step);
}

std::string MessageKey::Text() const {
  char text[33];
  std::snprintf(text, sizeof text, "%016llx%016llx", static_cast<unsigned long long>(high), static_cast<unsigned long long>(low));
  return text;
}

std::optional<MessageKey> MessageKey::Parse(std::string_view text) {
  if (text.size() != 32) return std::nullopt;
  MessageKey key;
  for (size_t i = 0; i < 32; ++i) {
    const char c = text[i];
    int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    if (digit < 0) return std::nullopt;
    uint64_t& word = i < 16 ? key.high : key.low;
    word = word << 4 | static_cast<uint64_t>(digit);
  }
  return key;
}

RecordedSchema RecordedSchemaOf(const data::CustomerStore& store, const std::vector<std::string>& channels) {
  RecordedSchema schema;
  for (size_t t = 0; t < store.schema.events.size(); ++t) {
    const std::string& name = store.schema.events[t].name;
    if (name == "purchase") schema.purchase = static_cast<int32_t>(t);
    for (size_t k = 0; k < std::size(kOutcomeTypes); ++k) {
      if (name == kOutcomeTypes[k]) schema.outcomes[k] = static_cast<int32_t>(t);
    }
  }
  schema.unsubscribe = schema.outcomes[4];
  auto column = [&](std::string_view name, data::ColumnType type) {
    const data::Column* found = store.event_fields.Find(name);
    return found != nullptr && found->kept() && found->type() == type ? found : nullptr;
  };
  schema.amount = column("amount", data::ColumnType::Money);
  schema.cart_id = column("cart_id", data::ColumnType::String);
  schema.from_channel = column("from_channel", data::ColumnType::String);
  schema.message_key = column("message_key", data::ColumnType::String);
  if (schema.from_channel != nullptr) {
    for (uint32_t code = 0; code < schema.from_channel->dictionary_size(); ++code) {
      const std::string name = evaluate::ChannelName(schema.from_channel->DictionaryString(code));
      auto it = std::find(channels.begin(), channels.end(), name);
      schema.channel_of_code.push_back(it == channels.end() ? -1 : static_cast<int32_t>(it - channels.begin()));
    }
  }
  return schema;
}

// An event's key for `matching`: its cart, hashed below 2^31 (a cart key), or 0 without one.
int64_t CustomerRun::RecordedKey(uint64_t event) const {
  const data::Column* cart = plan_.recorded.cart_id;
  if (cart == nullptr || !cart->IsValid(event)) return 0;
  return static_cast<int64_t>(data::HashName(cart->String(event)) & 0x7fffffff) + 1;
}

void CustomerRun::ScheduleRecorded() {
  const data::CustomerStore& store = *recorded_->store;
  const RecordedSchema& schema = plan_.recorded;
  const uint64_t first = store.event_offsets[row_];
  for (uint64_t e = first; e < store.event_offsets[row_ + 1]; ++e) {
    const int64_t time = store.event_time[e];
    if (time < start_ || time >= end_) continue;
    const int32_t type = store.event_type[e];
    if (type == schema.purchase) {
      const int64_t amount = schema.amount != nullptr && schema.amount->IsValid(e) ? schema.amount->Int(e) : 0;
      Schedule({.kind = Event::Kind::Purchase, .time = time, .rank = kCustomerRank, .key = RecordedKey(e), .amount = amount});
      continue;
    }
    const auto* outcome = std::find(std::begin(schema.outcomes), std::end(schema.outcomes), type);
    if (outcome != std::end(schema.outcomes)) {
      std::optional<MessageKey> key;
      if (schema.message_key != nullptr && schema.message_key->IsValid(e)) key = MessageKey::Parse(schema.message_key->String(e));
      if (key) {
        outcomes_.push_back({*key, time, kOutcomeBits[outcome - std::begin(schema.outcomes)]});
      } else if (type == schema.unsubscribe && schema.from_channel != nullptr && schema.from_channel->IsValid(e)) {
        // From a channel, not from a message relc sent: the channel's consent ends then.
        const int32_t channel = schema.channel_of_code[schema.from_channel->Code(e)];
        if (channel >= 0) Schedule({.kind = Event::Kind::Revoke, .time = time, .rank = kCustomerRank, .a = channel});
      }
      continue;
    }
    for (size_t r = 0; r < plan_.replayed.size(); ++r) {
      if (plan_.replayed[r].dataset_type != type) continue;
      // The event is its own template: a `where` reads its fields. Events without a cart get a
      // key of their own (above 2^32, as a simulation's replayed events).
      const int64_t cart = RecordedKey(e);
      const int64_t key = cart != 0 ? cart : ((int64_t{type} + 1) << 32) + static_cast<int64_t>(e - first) + 1;
      Schedule({.kind = Event::Kind::Replay, .time = time, .rank = kCustomerRank, .a = static_cast<int32_t>(e),
                .replayed = static_cast<int32_t>(r), .key = key});
    }
  }
}

MessageKey CustomerRun::KeyOf(const Journey& journey, int32_t step) const {
  const ProgramPlan& plan = *programs_[journey.program].plan;
  int32_t pass = 0;
  for (const auto& [at, passes] : journey.passes) {
    if (at == step) pass = passes;
  }
  uint64_t key = data::Combine(data::Combine(plan.key, plan.scenario_keys[journey.scenario]), plan.step_keys[journey.scenario][step]);
  key = data::Combine(data::Combine(data::Combine(key, customer_key_), static_cast<uint64_t>(journey.entry)), static_cast<uint64_t>(pass));
  return {data::Combine(key, 1), data::Combine(key, 2)};
}

void CustomerRun::CountPass(Journey& journey, int32_t step) {
  for (auto& [at, passes] : journey.passes) {
    if (at == step) {
      ++passes;
      return;
    }
  }
  journey.passes.emplace_back(step, 1);
}

bool CustomerRun::WasEmitted(const MessageKey& key) const {
  return recorded_->emitted != nullptr && std::binary_search(recorded_->emitted->begin(), recorded_->emitted->end(), key);
}

void CustomerRun::SendRecorded(int32_t index, int32_t step, const MessageKey& key, bool due_now) {
  Journey& j = journeys_[index];
  Program& program = programs_[j.program];
  const SendPlan& plan = program.plan->sends[j.scenario][step];
  history_.push_back({now_, plan.channel, j.program});
  CountPass(j, step);
  uint8_t bits = 0;
  for (const RecordedOutcome& outcome : outcomes_) {
    if (outcome.key != key) continue;
    bits |= outcome.bit;
    if (outcome.bit == 16) {  // an unsubscribe from the message's channel
      if (outcome.time <= now_) revoked_[static_cast<size_t>(plan.channel)] = true;
      else Schedule({.kind = Event::Kind::Revoke, .time = outcome.time, .rank = kCustomerRank, .a = plan.channel});
    } else if (outcome.bit == static_cast<uint8_t>(ir::Outcome::Delivered) && outcome.time <= now_) {
      j.outcomes[step] |= outcome.bit;  // as a simulation's delivery, known at once
    } else {
      ScheduleJourneyEvent({.kind = Event::Kind::Response, .time = std::max(outcome.time, now_), .journey = index, .a = step, .bit = outcome.bit});
    }
  }
  auto count = [&](Counters& c) {
    ++c.sent;
    c.cost_cents += plan.rates.cost_cents + plan.offer_cost;
    c.delivered += (bits & 1) != 0, c.opened += (bits & 2) != 0, c.clicked += (bits & 4) != 0;
    c.converted += (bits & 8) != 0, c.unsubscribed += (bits & 16) != 0;
  };
  count(program.result->program);
  Credit(journeys_[index], step, count);
  Timeline& timeline = program.result->timeline;
  if (const int64_t day = Day(); day >= 0 && day < options_.days) {
    ++timeline.sent[static_cast<size_t>(day) * timeline.channels.size() + static_cast<size_t>(plan.channel)];
  }
  if (due_now) program.result->emitted.push_back({row_, now_, j.scenario, step, j.entry, key});
  Log(program, {.scenario = j.scenario, .step = step, .outcome = Outcome::Sent, .responses = static_cast<uint8_t>(bits & 0x1e), .entry = j.entry});
}

void CustomerRun::RecordEvent(CustomerEvent event) {
  if (!options_.record_events) return;
  event.customer = row_;
  programs_.front().result->events.push_back(event);
}

}  // namespace relc::simulate
