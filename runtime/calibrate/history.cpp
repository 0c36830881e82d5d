#include "calibrate/history.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "data/table_reader.h"
#include "data/values.h"

namespace relc::calibrate {
namespace {

constexpr size_t kMaxErrors = 20;  // then "and N more"

uint64_t Fnv1a(std::string_view text) {
  uint64_t hash = 0xcbf29ce484222325ull;
  for (unsigned char c : text) hash = (hash ^ c) * 0x100000001b3ull;
  return hash;
}

// As the data contract reads booleans (1/0, true/false, yes/no, oui/non, t/f); empty is "not
// recorded" where the caller allows it.
bool ParseFlag(std::string_view text, int8_t& value) {
  data::Value parsed;
  std::string reason;
  if (text.empty() || !data::ParseValue(text, data::ColumnType::Bool, false, parsed, reason)) return false;
  value = static_cast<int8_t>(parsed.int_value);
  return true;
}

// A `by` value as the language writes a value of its contract type (`true`, not `t` or `oui`),
// so that the model's segment conditions check; false, with `reason`, for a value not of it.
bool CanonicalValue(data::ColumnType type, std::string& value, std::string& reason) {
  data::Value parsed;
  if (!data::ParseValue(value, type, false, parsed, reason)) return false;
  if (parsed.kind == data::Value::Kind::Null) return true;
  if (type == data::ColumnType::Bool) value = parsed.int_value == 1 ? "true" : "false";
  if (type == data::ColumnType::Integer) value = std::to_string(parsed.int_value);
  return true;
}

bool ParseAmount(std::string_view text, double& value) {
  std::string copy(text);
  for (char& c : copy) {
    if (c == ',') c = '.';  // French exports write 12,50
  }
  char* end = nullptr;
  value = std::strtod(copy.c_str(), &end);
  return !copy.empty() && end == copy.c_str() + copy.size() && std::isfinite(value);
}

}  // namespace

HistoryLoad LoadHistory(const std::string& source, const HistoryOptions& options) {
  HistoryLoad load;
  std::vector<std::string>& errors = load.errors;
  std::string error;
  std::unique_ptr<data::TableReader> reader = data::TableReader::Open(source, options.table, error, load.io_error);
  if (reader == nullptr) {
    errors.push_back(error);
    return load;
  }
  const std::string& where = reader->location();
  History history;
  history.source = data::TableForDisplay(source, options.table);
  history.campaigns = {history.source};
  history.by = options.by;
  history.segment_values.resize(options.by.size());
  std::vector<std::string_view> fields;
  size_t skipped_errors = 0;
  auto fail = [&](int64_t row, size_t column, std::string reason) {
    if (errors.size() < kMaxErrors) {
      errors.push_back(fmt::format("{}:{}:{}: {}", where, row, column, reason));
    } else {
      ++skipped_errors;
    }
  };

  const std::vector<std::string>& header = reader->header();
  std::map<std::string, size_t, std::less<>> columns;
  for (size_t i = 0; i < header.size(); ++i) {
    auto [it, inserted] = columns.emplace(header[i], i);
    if (!inserted) {
      // Which of the two would be read is a guess, and rows are counted against the header.
      std::string at = reader->row_kind() == "line" ? fmt::format("{}:1:{}", where, i + 1) : where;
      errors.push_back(fmt::format("{}: column `{}` appears twice in the header (columns {} and {})", at, header[i],
                                   it->second + 1, i + 1));
      return load;
    }
  }
  auto column = [&](std::string_view name) -> std::optional<size_t> {
    auto it = columns.find(name);
    return it == columns.end() ? std::nullopt : std::optional<size_t>(it->second);
  };
  std::vector<std::string> missing;
  for (const char* required : {"customer_id", "arm", "converted"}) {
    if (!column(required)) missing.push_back(fmt::format("`{}`", required));
  }
  // Per `by` name, its column, or else the panel it names (its column then unused).
  std::vector<size_t> by_columns;
  std::vector<const PanelSegment*> by_panels;
  std::vector<const data::ColumnSpec*> by_types;  // the contract's column, if it has one of that name
  for (const std::string& name : options.by) {
    auto typed = std::find_if(options.attributes.begin(), options.attributes.end(),
                              [&](const data::ColumnSpec& spec) { return spec.name == name; });
    by_types.push_back(typed == options.attributes.end() ? nullptr : &*typed);
    auto panel = std::find_if(options.panels.begin(), options.panels.end(),
                              [&](const PanelSegment& candidate) { return candidate.name == name; });
    auto at = column(name);
    by_columns.push_back(at.value_or(0));
    by_panels.push_back(!at && panel != options.panels.end() ? &*panel : nullptr);
    history.by_panel.push_back(by_panels.back() != nullptr);
    if (!at && !by_panels.back()) {
      std::string panels;
      for (const PanelSegment& known : options.panels) panels += (panels.empty() ? "" : ", ") + known.name;
      std::string nor = options.panels.empty() ? "" : fmt::format("; nor has the program such a panel: it has {}", panels);
      missing.push_back(fmt::format("`{}` (asked for by --by{})", name, nor));
    }
  }
  if (!missing.empty()) {
    std::string have;
    for (const auto& [name, at] : columns) have += (have.empty() ? "" : ", ") + name;
    // A file's header is its line 1; a database's column names are on no row.
    std::string at = reader->row_kind() == "line" ? where + ":1:1" : where;
    errors.push_back(fmt::format("{}: the history has no column {}; its columns are: {}", at, fmt::join(missing, ", "), have));
    return load;
  }
  size_t id_at = *column("customer_id"), arm_at = *column("arm"), converted_at = *column("converted");
  std::optional<size_t> channel_at = column("channel"), message_at = column("message"), opened_at = column("opened"),
                        clicked_at = column("clicked"), unsubscribed_at = column("unsubscribed"), amount_at = column("amount"),
                        before_at = column("spend_before");
  history.has_opened = opened_at.has_value();
  history.has_clicked = clicked_at.has_value();
  history.has_unsubscribed = unsubscribed_at.has_value();
  history.has_amount = amount_at.has_value();
  history.has_spend_before = before_at.has_value() && amount_at.has_value();

  std::map<std::string, int32_t, std::less<>> arm_index;
  std::vector<int64_t> arm_first_row;
  std::set<std::string, std::less<>> seen_customers;
  std::vector<std::map<std::string, int32_t, std::less<>>> value_index(options.by.size());
  std::set<std::string, std::less<>> known(options.known_channels.begin(), options.known_channels.end());

  while (true) {
    bool more = reader->Next(fields, error);
    if (!error.empty()) {
      fail(reader->row(), reader->error_field(), error);
      break;
    }
    if (!more) break;
    const int64_t line = reader->row();
    if (fields.size() != header.size()) {
      fail(line, std::min(fields.size(), header.size()) + 1,
           fmt::format("{} fields where the header has {}", fields.size(), header.size()));
      continue;
    }
    HistoryRow row;
    std::string_view id = fields[id_at];
    if (id.empty()) {
      fail(line, id_at + 1, "`customer_id` is empty");
      continue;
    }
    if (!seen_customers.emplace(id).second) {
      fail(line, id_at + 1, fmt::format("customer `{}` appears twice: a customer is in one arm of a campaign", id));
      continue;
    }
    row.customer_hash = Fnv1a(id);

    std::string arm_name(fields[arm_at]);
    std::string channel = channel_at ? std::string(fields[*channel_at]) : "";
    std::string message = message_at ? std::string(fields[*message_at]) : "";
    bool control = arm_name == options.control;
    if (arm_name.empty()) {
      fail(line, arm_at + 1, "`arm` is empty");
      continue;
    }
    if (control && !channel.empty()) {
      fail(line, *channel_at + 1, fmt::format("the control arm `{}` receives nothing, yet this row names channel `{}`",
                                              options.control, channel));
      continue;
    }
    if (!control && channel.empty()) {
      fail(line, channel_at ? *channel_at + 1 : arm_at + 1,
           fmt::format("arm `{}` has no channel: name the channel it was sent on, or call the control arm `{}` "
                       "(--control)", arm_name, options.control));
      continue;
    }
    if (!control && !known.empty() && !known.contains(channel)) {
      fail(line, *channel_at + 1, fmt::format("unknown channel `{}` for arm `{}`: relc knows {}", channel, arm_name,
                                              fmt::join(options.known_channels, ", ")));
      continue;
    }
    auto [it, inserted] = arm_index.emplace(arm_name, static_cast<int32_t>(history.arms.size()));
    if (inserted) {
      history.arms.push_back({arm_name, channel, message, control});
      arm_first_row.push_back(line);
      if (control) history.control = it->second;
    } else {
      const Arm& arm = history.arms[static_cast<size_t>(it->second)];
      if (arm.channel != channel || arm.message != message) {
        fail(line, arm_at + 1, fmt::format("arm `{}` was sent on {} \"{}\" at {} {}, and here on {} \"{}\": an arm is one "
                                           "channel and message", arm_name, arm.channel, arm.message, reader->row_kind(),
                                           arm_first_row[static_cast<size_t>(it->second)], channel, message));
        continue;
      }
    }
    row.arm = it->second;

    bool bad = false;
    auto flag = [&](std::optional<size_t> at, const char* name, int8_t& value, bool optional) {
      if (!at || bad) return;
      std::string_view field = fields[*at];
      if (field.empty() && optional) return;
      if (!ParseFlag(field, value)) {
        fail(line, *at + 1, fmt::format("`{}` must be 0 or 1 (or true/false), not `{}`", name, field));
        bad = true;
      }
    };
    int8_t converted = 0;
    flag(opened_at, "opened", row.opened, true);
    flag(clicked_at, "clicked", row.clicked, true);
    flag(unsubscribed_at, "unsubscribed", row.unsubscribed, true);
    flag(converted_at, "converted", converted, false);
    if (bad) continue;
    row.converted = converted == 1;
    if (control && (row.opened == 1 || row.clicked == 1)) {
      fail(line, (row.opened == 1 ? *opened_at : *clicked_at) + 1, "the control received nothing, so it cannot have opened or clicked");
      continue;
    }
    if (control && row.unsubscribed == 1) {
      fail(line, *unsubscribed_at + 1, "the control received nothing, so it cannot have unsubscribed from it");
      continue;
    }
    if (row.clicked == 1 && row.opened == 0) {
      fail(line, *clicked_at + 1, "clicked without opening: `clicked` is 1 where `opened` is 0");
      continue;
    }
    if (amount_at && !fields[*amount_at].empty()) {
      if (!ParseAmount(fields[*amount_at], row.amount) || row.amount < 0) {
        fail(line, *amount_at + 1, fmt::format("`amount` must be a number of 0 or more, not `{}`", fields[*amount_at]));
        continue;
      }
      if (row.amount > 0 && !row.converted) {
        fail(line, *amount_at + 1, fmt::format("an amount of {} for a customer who did not convert", fields[*amount_at]));
        continue;
      }
    }
    if (before_at && (!ParseAmount(fields[*before_at], row.spend_before) || row.spend_before < 0)) {
      fail(line, *before_at + 1, fmt::format("`spend_before` must be a number of 0 or more, not `{}`", fields[*before_at]));
      continue;
    }
    bool segmented = true;
    for (size_t b = 0; b < by_columns.size(); ++b) {
      std::string value;
      if (by_panels[b] == nullptr) {
        value = fields[by_columns[b]];
        std::string reason;
        if (by_types[b] != nullptr && !CanonicalValue(by_types[b]->type, value, reason)) {
          fail(line, by_columns[b] + 1, fmt::format("`{}` is a {} in the data contract: `{}` is {}", history.by[b],
                                                    data::ColumnTypeName(by_types[b]->type), value, reason));
          segmented = false;
          break;
        }
      } else if (std::optional<bool> member = by_panels[b]->member(id)) {
        value = *member ? "true" : "false";
      } else {
        fail(line, id_at + 1, fmt::format("customer `{}` is not in the customer data, so whether they were in panel `{}` "
                                          "is unknown", id, by_panels[b]->name));
        segmented = false;
        break;
      }
      auto [slot, added] = value_index[b].emplace(value, static_cast<int32_t>(history.segment_values[b].size()));
      if (added) history.segment_values[b].push_back(value);
      row.segment.push_back(slot->second);
    }
    if (segmented) history.rows.push_back(std::move(row));
  }
  if (skipped_errors > 0) errors.push_back(fmt::format("{}: and {} more bad rows", where, skipped_errors));
  if (!errors.empty()) return load;
  if (history.rows.empty()) {
    errors.push_back(fmt::format("{}: the history has a header but no rows", where));
    return load;
  }
  load.history = std::move(history);
  return load;
}

}  // namespace relc::calibrate
