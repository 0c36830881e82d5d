#include "calibrate/history.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "data/csv.h"

namespace relc::calibrate {
namespace {

constexpr size_t kMaxErrors = 20;  // then "and N more"

uint64_t Fnv1a(std::string_view text) {
  uint64_t hash = 0xcbf29ce484222325ull;
  for (unsigned char c : text) hash = (hash ^ c) * 0x100000001b3ull;
  return hash;
}

// 0/1, true/false, yes/no; empty is "not recorded" where `optional`.
bool ParseFlag(std::string_view text, int8_t& value) {
  if (text == "1" || text == "true" || text == "TRUE" || text == "yes") return value = 1, true;
  if (text == "0" || text == "false" || text == "FALSE" || text == "no") return value = 0, true;
  return false;
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

std::optional<History> LoadHistory(const std::string& path, const HistoryOptions& options, std::vector<std::string>& errors) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    errors.push_back(fmt::format("{}: cannot read the history file", path));
    return std::nullopt;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();

  History history;
  history.path = path;
  history.by = options.by;
  history.segment_values.resize(options.by.size());
  data::CsvReader reader(text);
  std::vector<std::string_view> fields;
  std::string error;
  size_t skipped_errors = 0;
  auto fail = [&](size_t line, size_t column, std::string reason) {
    if (errors.size() < kMaxErrors) {
      errors.push_back(fmt::format("{}:{}:{}: {}", path, line, column, reason));
    } else {
      ++skipped_errors;
    }
  };

  if (!reader.Next(fields, error)) {
    errors.push_back(fmt::format("{}: {}", path, error.empty() ? "the history is empty: it needs a header line" : error));
    return std::nullopt;
  }
  std::map<std::string, size_t, std::less<>> columns;
  for (size_t i = 0; i < fields.size(); ++i) columns.emplace(std::string(fields[i]), i);
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
  for (const std::string& name : options.by) {
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
    errors.push_back(fmt::format("{}:1:1: the history has no column {}; its columns are: {}", path,
                                 fmt::join(missing, ", "), have));
    return std::nullopt;
  }
  size_t id_at = *column("customer_id"), arm_at = *column("arm"), converted_at = *column("converted");
  std::optional<size_t> channel_at = column("channel"), message_at = column("message"), opened_at = column("opened"),
                        clicked_at = column("clicked"), amount_at = column("amount");
  history.has_opened = opened_at.has_value();
  history.has_clicked = clicked_at.has_value();
  history.has_amount = amount_at.has_value();

  std::map<std::string, int32_t, std::less<>> arm_index;
  std::vector<size_t> arm_first_line;
  std::set<std::string, std::less<>> seen_customers;
  std::vector<std::map<std::string, int32_t, std::less<>>> value_index(options.by.size());
  std::set<std::string, std::less<>> known(options.known_channels.begin(), options.known_channels.end());

  while (true) {
    bool more = reader.Next(fields, error);
    if (!error.empty()) {
      fail(reader.line(), reader.error_field(), error);
      break;
    }
    if (!more) break;
    size_t line = reader.line();
    if (fields.size() == 1 && fields[0].empty()) continue;  // a blank line
    if (fields.size() != columns.size()) {
      fail(line, std::min(fields.size(), columns.size()) + 1,
           fmt::format("{} fields where the header has {}", fields.size(), columns.size()));
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
      arm_first_line.push_back(line);
      if (control) history.control = it->second;
    } else {
      const Arm& arm = history.arms[static_cast<size_t>(it->second)];
      if (arm.channel != channel || arm.message != message) {
        fail(line, arm_at + 1, fmt::format("arm `{}` was sent on {} \"{}\" at line {}, and here on {} \"{}\": an arm is one "
                                           "channel and message", arm_name, arm.channel, arm.message,
                                           arm_first_line[static_cast<size_t>(it->second)], channel, message));
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
    flag(converted_at, "converted", converted, false);
    if (bad) continue;
    row.converted = converted == 1;
    if (control && (row.opened == 1 || row.clicked == 1)) {
      fail(line, (row.opened == 1 ? *opened_at : *clicked_at) + 1, "the control received nothing, so it cannot have opened or clicked");
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
    bool known_customer = true;
    for (size_t b = 0; b < by_columns.size(); ++b) {
      std::string value;
      if (by_panels[b] == nullptr) {
        value = fields[by_columns[b]];
      } else if (std::optional<bool> member = by_panels[b]->member(id)) {
        value = *member ? "true" : "false";
      } else {
        fail(line, id_at + 1, fmt::format("customer `{}` is not in the customer data, so whether they were in panel `{}` "
                                          "is unknown", id, by_panels[b]->name));
        known_customer = false;
        break;
      }
      auto [slot, added] = value_index[b].emplace(value, static_cast<int32_t>(history.segment_values[b].size()));
      if (added) history.segment_values[b].push_back(value);
      row.segment.push_back(slot->second);
    }
    if (known_customer) history.rows.push_back(std::move(row));
  }
  if (skipped_errors > 0) errors.push_back(fmt::format("{}: and {} more bad rows", path, skipped_errors));
  if (!errors.empty()) return std::nullopt;
  if (history.rows.empty()) {
    errors.push_back(fmt::format("{}: the history has a header but no rows", path));
    return std::nullopt;
  }
  return history;
}

}  // namespace relc::calibrate
