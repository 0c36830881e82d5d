#include "evaluate/bind.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <map>

#include "data/parallel.h"
#include "data/random.h"
#include "data/values.h"

namespace relc::evaluate {

void BoundData::AdvanceClock(int64_t seconds) {
  frame_.now += seconds;
  for (std::vector<double>* column : clock_columns_) {
    for (double& value : *column) value += static_cast<double>(seconds);
  }
}

int64_t BoundData::utc_offset_at(size_t row, int64_t time) const {
  if (zone_of_row_.empty() || zone_of_row_[row] < 0) return 0;
  return data::OffsetAt(zone_changes_[static_cast<size_t>(zone_of_row_[row])], time);
}

std::string ChannelName(std::string_view name) {
  while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
  while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
  std::string lowered(name);
  for (char& c : lowered) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lowered;
}

std::vector<std::string> ColumnsRead(const ir::Program& program) {
  // Ages, unsubscribes in the history, local times.
  std::vector<std::string> columns = {"birth_date", "from_channel", "timezone"};
  for (std::string_view name : measures::kMeasureColumns) columns.emplace_back(name);
  for (const ir::ColumnSlot& slot : program.customer_columns) columns.push_back(slot.name);
  for (const ir::ColumnSlot& slot : program.event_columns) columns.push_back(slot.name);
  return columns;
}
namespace {

constexpr double kDaySeconds = 86400;

// The channels `unsubscribed` (from everything) looks at: those of the standard consents.
constexpr std::array<std::string_view, 4> kMainChannels = {"email", "sms", "phone", "postal"};

std::vector<uint64_t> AllValid(size_t rows) {
  std::vector<uint64_t> bits((rows + 63) / 64, ~uint64_t{0});
  if (rows % 64 != 0) bits.back() = (uint64_t{1} << (rows % 64)) - 1;
  if (bits.empty()) bits.push_back(0);
  return bits;
}

bool StorageMatches(ir::Storage storage, data::ColumnType type) {
  switch (type) {
    case data::ColumnType::Bool: return storage == ir::Storage::Bits || storage == ir::Storage::Ints;
    case data::ColumnType::Decimal:
    case data::ColumnType::Percentage: return storage == ir::Storage::Doubles;
    case data::ColumnType::String: return storage == ir::Storage::Codes;
    default: return storage == ir::Storage::Ints;
  }
}

ir::ColumnView ViewOf(const data::Column& column) {
  return {column.ints().data(), column.doubles().data(), column.codes().data(), column.validity().data(), nullptr, nullptr};
}

// A bit per row from 0/1 values.
std::vector<uint64_t> BitsOf(const std::vector<int64_t>& values) {
  std::vector<uint64_t> bits(values.size() / 64 + 1, 0);
  for (size_t row = 0; row < values.size(); ++row) bits[row >> 6] |= static_cast<uint64_t>(values[row] != 0) << (row & 63);
  return bits;
}

// Completed years between a birth date and a day, both in days since the epoch.
int64_t AgeInYears(int64_t birth, int64_t day) {
  int64_t birth_year = relc_calendar(birth, 0), year = relc_calendar(day, 0);
  int64_t birth_month = relc_calendar(birth, 1), month = relc_calendar(day, 1);
  int64_t birth_day = relc_calendar(birth, 2), day_of_month = relc_calendar(day, 2);
  int64_t age = year - birth_year;
  if (month < birth_month || (month == birth_month && day_of_month < birth_day)) --age;
  return age;
}

}  // namespace

std::optional<BoundData> BoundData::Bind(const ir::Program& program, const data::CustomerStore& store,
                                         const measures::CustomerMeasures& measures,
                                         const measures::MeasureOptions& options, int64_t now, uint64_t seed,
                                         std::string& error) {
  BoundData bound;
  const size_t rows = store.customers.rows;
  auto owned_ints = [&](std::vector<int64_t> values, std::vector<uint64_t> validity) {
    bound.owned_validity_.push_back(std::move(validity));
    bound.owned_ints_.push_back(std::move(values));
    return ir::ColumnView{bound.owned_ints_.back().data(), nullptr, nullptr, bound.owned_validity_.back().data(), nullptr, nullptr};
  };
  auto owned_bits = [&](std::vector<uint64_t> bits) {
    bound.owned_validity_.push_back(AllValid(rows));
    const uint64_t* validity = bound.owned_validity_.back().data();
    bound.owned_validity_.push_back(std::move(bits));
    return ir::ColumnView{nullptr, nullptr, nullptr, validity, nullptr, bound.owned_validity_.back().data()};
  };
  auto owned_doubles = [&](std::vector<double> values) {
    bound.owned_validity_.push_back(AllValid(rows));
    bound.owned_doubles_.push_back(std::move(values));
    return ir::ColumnView{nullptr, bound.owned_doubles_.back().data(), nullptr, bound.owned_validity_.back().data(), nullptr, nullptr};
  };
  auto widen = [&](const auto& values, double scale = 1) {
    std::vector<int64_t> out(rows);
    for (size_t c = 0; c < rows; ++c) out[c] = static_cast<int64_t>(std::llround(static_cast<double>(values[c]) * scale));
    return owned_ints(std::move(out), AllValid(rows));
  };
  auto scaled = [&](const std::vector<double>& values, double scale) {
    std::vector<double> out(values);
    for (double& v : out) v *= scale;
    return owned_doubles(std::move(out));
  };

  // Consents revoked by an unsubscribe in the history: (customer, channel code) pairs, found in
  // one pass over the events, then per channel.
  int32_t unsubscribe_type = -1;
  for (size_t t = 0; t < store.schema.events.size(); ++t) {
    if (store.schema.events[t].name == "unsubscribe") unsubscribe_type = static_cast<int32_t>(t);
  }
  const data::Column* from_channel = store.event_fields.Find("from_channel");
  std::vector<std::pair<uint32_t, uint32_t>> unsubscribes;
  for (uint32_t c = 0; unsubscribe_type >= 0 && from_channel != nullptr && c < rows; ++c) {
    for (uint64_t e = store.event_offsets[c]; e < store.event_offsets[c + 1]; ++e) {
      if (store.event_type[e] == unsubscribe_type && store.event_time[e] < now && from_channel->IsValid(e)) {
        unsubscribes.emplace_back(c, from_channel->Code(e));
      }
    }
  }
  // A bit per customer (a bitmap, not a value per customer: at 10 million customers, a column
  // of values costs 80 MB to fault in, for each channel).
  // Channel names as exports write them: `Email` and ` email ` revoke `email` too (a consent
  // missed for a capital letter would be a message sent after an unsubscribe).
  auto revoked = [&](std::string_view channel) {
    std::vector<uint64_t> bits(rows / 64 + 1, 0);
    std::vector<bool> matches(from_channel ? from_channel->dictionary_size() : 0, false);
    const std::string wanted = ChannelName(channel);
    for (uint32_t code = 0; code < matches.size(); ++code) matches[code] = ChannelName(from_channel->DictionaryString(code)) == wanted;
    for (const auto& [customer, channel_code] : unsubscribes) {
      if (matches[channel_code]) bits[customer >> 6] |= uint64_t{1} << (customer & 63);
    }
    return bits;
  };

  if (const data::Column* zones = store.customers.Find("timezone"); zones != nullptr && zones->type() == data::ColumnType::String) {
    constexpr int64_t kThreeYears = 3 * 366 * 86400;
    std::vector<int32_t> zone_of_code(zones->dictionary_size(), -1);
    for (uint32_t code = 0; code < zone_of_code.size(); ++code) {
      std::string zone(zones->DictionaryString(code));
      if (!data::KnownTimeZone(zone)) continue;
      zone_of_code[code] = static_cast<int32_t>(bound.zone_changes_.size());
      bound.zone_changes_.push_back(data::TimeZoneChanges(zone, now - 86400, now + kThreeYears));
    }
    bound.zone_of_row_.assign(rows, -1);
    for (size_t c = 0; c < rows; ++c) {
      if (zones->IsValid(c)) bound.zone_of_row_[c] = zone_of_code[zones->Code(c)];
    }
  }
  // The offsets at the start, for waits that read them (the simulator keeps them current).
  bound.utc_offsets_.resize(rows);
  for (size_t c = 0; c < rows; ++c) bound.utc_offsets_[c] = bound.utc_offset_at(c, now);
  std::map<double, measures::CustomerMeasures> other_horizons;  // by horizon: `clv(30 days)` and `clv(1000 days)` differ
  for (const ir::ColumnSlot& slot : program.customer_columns) {
    const std::string& name = slot.name;
    ir::ColumnView view{};
    if (slot.source == ir::ColumnSlot::Source::Attribute) {
      const data::Column* column = store.customers.Find(name);
      if (column == nullptr || !StorageMatches(slot.storage, column->type())) {
        error = fmt::format("the data has no customer column `{}` of the type the program expects", name);
        return std::nullopt;
      }
      view = ViewOf(*column);
      if (slot.storage == ir::Storage::Bits) {
        bound.owned_validity_.push_back(BitsOf(column->ints()));
        view.bits = bound.owned_validity_.back().data();
      }
    } else if (slot.source == ir::ColumnSlot::Source::State) {
      if (name.starts_with("revoked:")) {
        view = owned_bits(revoked(name.substr(8)));
      } else if (name == "unsubscribed") {
        std::vector<uint64_t> all = revoked(kMainChannels[0]);
        for (size_t k = 1; k < kMainChannels.size(); ++k) {
          std::vector<uint64_t> one = revoked(kMainChannels[k]);
          for (size_t w = 0; w < all.size(); ++w) all[w] &= one[w];
        }
        view = owned_bits(std::move(all));
      } else {  // utc_offset
        view = owned_ints(bound.utc_offsets_, AllValid(rows));
      }
    } else if (name == "recency" || name == "tenure") {
      view = scaled(name == "recency" ? measures.recency_days : measures.tenure_days, kDaySeconds);
      bound.clock_columns_.push_back(&bound.owned_doubles_.back());
    } else if (measures::NeedsCustomerBaseModels(name) && measures.p_alive.size() != rows) {
      error = fmt::format("`{}` needs the customer-base models, which were not computed for this run", name);
      return std::nullopt;
    } else if (measures::NeedsRanks(name) && measures.revenue_rank.size() != rows) {
      error = fmt::format("`{}` needs the rank measures, which were not computed for this run", name);
      return std::nullopt;
    } else if (name == "p_alive") {
      view = owned_doubles(measures.p_alive);
    } else if (name == "frequency") {
      bound.owned_validity_.push_back(AllValid(rows));
      view = {nullptr, nullptr, nullptr, bound.owned_validity_.back().data(), measures.frequency.data(), nullptr};
    } else if (name == "monetary") {
      view = widen(measures.monetary_cents);
    } else if (name == "average_basket") {
      view = widen(measures.average_basket_cents);
    } else if (name == "rfm_recency") {
      view = widen(measures.rfm_recency);
    } else if (name == "rfm_frequency") {
      view = widen(measures.rfm_frequency);
    } else if (name == "rfm_monetary") {
      view = widen(measures.rfm_monetary);
    } else if (name == "rfm_score") {
      std::vector<int64_t> score(rows);
      for (size_t c = 0; c < rows; ++c) {
        score[c] = measures.rfm_recency[c] * 100 + measures.rfm_frequency[c] * 10 + measures.rfm_monetary[c];
      }
      view = owned_ints(std::move(score), AllValid(rows));
    } else if (name == "revenue_rank") {
      view = widen(measures.revenue_rank);
    } else if (name == "lifecycle") {
      std::vector<uint32_t> codes(rows);
      for (size_t c = 0; c < rows; ++c) codes[c] = static_cast<uint32_t>(measures.lifecycle[c]);
      bound.owned_codes_.push_back(std::move(codes));
      bound.owned_validity_.push_back(AllValid(rows));
      view = {nullptr, nullptr, bound.owned_codes_.back().data(), bound.owned_validity_.back().data(), nullptr, nullptr};
    } else if (name == "age") {
      const data::Column* birth = store.customers.Find("birth_date");
      std::vector<int64_t> ages(rows, 0);
      std::vector<uint64_t> validity((rows + 64) / 64, 0);
      int64_t today = now / 86400 - (now % 86400 < 0 ? 1 : 0);
      for (size_t c = 0; birth != nullptr && birth->type() == data::ColumnType::Date && c < rows; ++c) {
        if (!birth->IsValid(c)) continue;
        ages[c] = AgeInYears(birth->Int(c), today);
        validity[c >> 6] |= uint64_t{1} << (c & 63);
      }
      view = owned_ints(std::move(ages), std::move(validity));
    } else if (name == "clv" || name == "expected_purchases") {
      const measures::CustomerMeasures* source = &measures;
      if (slot.horizon_days != options.clv_horizon_days) {
        measures::MeasureOptions other = options;
        other.clv_horizon_days = slot.horizon_days;
        auto it = other_horizons.find(slot.horizon_days);
        if (it == other_horizons.end()) it = other_horizons.emplace(slot.horizon_days, measures::ComputeMeasures(store, other)).first;
        source = &it->second;
      }
      view = name == "clv" ? widen(source->clv, 100) : owned_doubles(source->expected_purchases);
    } else {
      error = fmt::format("relc does not compute the measure `{}`", name);
      return std::nullopt;
    }
    bound.customer_columns_.push_back(view);
  }

  for (const ir::ColumnSlot& slot : program.event_columns) {
    const data::Column* column = store.event_fields.Find(slot.name);
    if (column == nullptr || !StorageMatches(slot.storage, column->type())) {
      error = fmt::format("the data has no event field `{}` of the type the program expects", slot.name);
      return std::nullopt;
    }
    bound.event_columns_.push_back(ViewOf(*column));
  }
  for (const std::string& type : program.event_types) {
    int32_t code = -1;
    for (size_t t = 0; t < store.schema.events.size(); ++t) {
      if (store.schema.events[t].name == type) code = static_cast<int32_t>(t);
    }
    bound.event_type_codes_.push_back(code);
  }
  for (const ir::StringSlot& slot : program.strings) {
    int64_t code = -1;
    const ir::ColumnSlot& column = slot.event ? program.event_columns[slot.column] : program.customer_columns[slot.column];
    if (column.source == ir::ColumnSlot::Source::Measure && column.name == "lifecycle") {
      for (int stage = 0; stage < measures::kLifecycleStages; ++stage) {
        if (measures::LifecycleName(static_cast<measures::Lifecycle>(stage)) == slot.literal) code = stage;
      }
    } else {
      const data::Column* data_column = slot.event ? store.event_fields.Find(column.name) : store.customers.Find(column.name);
      if (data_column != nullptr) {
        if (auto found = data_column->FindString(slot.literal)) code = *found;
      }
    }
    bound.string_codes_.push_back(code);
  }
  bound.thresholds_.assign(static_cast<size_t>(program.thresholds), 0);
  bound.panel_pointers_.assign(program.panels.size(), nullptr);
  bound.metrics_.assign(program.metrics.size(), 0);
  bound.split_winners_.assign(static_cast<size_t>(program.splits), -1);

  bound.BuildLatestEventTimes(program, store);

  ir::Frame& frame = bound.frame_;
  frame.event_offsets = store.event_offsets.data();
  frame.event_types = store.event_type.data();
  frame.event_times = store.event_time.data();
  frame.customer_count = rows;
  frame.now = now;
  frame.seed = seed;
  bound.Refresh();
  return bound;
}

// For every event type a history aggregate reads, each customer's latest event of that type:
// one pass over the histories, on every core, each thread the first to touch its rows (faulting
// in 80 MB per type at 10 million customers costs more than the pass), in huge pages.
void BoundData::BuildLatestEventTimes(const ir::Program& program, const data::CustomerStore& store) {
  latest_event_times_.clear();
  latest_event_times_.resize(program.event_types.size());
  std::vector<int32_t> slot_of_type(store.schema.events.size(), -1);
  for (const ir::Node& node : program.nodes) {
    if (node.op != ir::Op::Aggregate || event_type_codes_[node.slot] < 0) continue;
    slot_of_type[event_type_codes_[node.slot]] = node.slot;
  }
  const size_t rows = store.customers.rows;
  std::vector<int64_t*> columns;
  for (int32_t slot : slot_of_type) {
    if (slot < 0) continue;
    // Not initialised: the pass below writes every row.
    latest_event_times_[slot].reset(new int64_t[std::max<size_t>(rows, 1)]);
    data::AdviseHugePages(latest_event_times_[slot].get(), rows * sizeof(int64_t));
    columns.push_back(latest_event_times_[slot].get());
  }
  std::vector<int32_t> column_of_type(slot_of_type.size(), -1);
  for (size_t t = 0, next = 0; t < slot_of_type.size(); ++t) {
    if (slot_of_type[t] >= 0) column_of_type[t] = static_cast<int32_t>(next++);
  }
  if (!columns.empty()) {
    constexpr size_t kChunk = size_t{1} << 16;
    data::ParallelFor((rows + kChunk - 1) / kChunk, data::ThreadCount(0), [&](size_t chunk, unsigned) {
      for (size_t c = chunk * kChunk; c < std::min(rows, (chunk + 1) * kChunk); ++c) {
        for (int64_t* column : columns) column[c] = ir::kNoEvent;
        // A history is in time order: the first event of a type seen from the end is its latest.
        size_t missing = columns.size();
        for (uint64_t e = store.event_offsets[c + 1]; e > store.event_offsets[c] && missing > 0; --e) {
          int32_t column = column_of_type[store.event_type[e - 1]];
          if (column < 0 || columns[column][c] != ir::kNoEvent) continue;
          columns[column][c] = store.event_time[e - 1];
          --missing;
        }
      }
    });
  }
  latest_event_pointers_.clear();
  for (const auto& times : latest_event_times_) latest_event_pointers_.push_back(times.get());
}

void BoundData::Refresh() {
  frame_.latest_event_times = latest_event_pointers_.data();
  frame_.customer_columns = customer_columns_.data();
  frame_.event_columns = event_columns_.data();
  frame_.event_type_codes = event_type_codes_.data();
  frame_.string_codes = string_codes_.data();
  frame_.thresholds = thresholds_.data();
  frame_.panels = panel_pointers_.data();
  frame_.metrics = metrics_.data();
  frame_.split_winners = split_winners_.data();
}

}  // namespace relc::evaluate
