#include "driver/crm_events.h"

#include <fmt/format.h>

#include <algorithm>

#include "data/values.h"
#include "distribute/distribute.h"

namespace relc::driver {
namespace {

std::string CsvField(std::string_view text) {
  if (text.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(text);
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + '"';
}

std::string Cents(int64_t cents) {
  return fmt::format("{}{}.{:02}", cents < 0 ? "-" : "", (cents < 0 ? -cents : cents) / 100, (cents < 0 ? -cents : cents) % 100);
}

// A stored value as the loader reads it back.
std::string FormatField(const data::Column& column, size_t row) {
  if (!column.kept() || !column.IsValid(row)) return "";
  switch (column.type()) {
    case data::ColumnType::Bool: return column.Int(row) != 0 ? "true" : "false";
    case data::ColumnType::Integer: return std::to_string(column.Int(row));
    case data::ColumnType::Money: return Cents(column.Int(row));
    case data::ColumnType::Date: return data::FormatDate(static_cast<int32_t>(column.Int(row)));
    case data::ColumnType::DateTime: return data::FormatDateTime(column.Int(row));
    case data::ColumnType::String: return CsvField(column.String(row));
    case data::ColumnType::Decimal:
    case data::ColumnType::Percentage: return fmt::format("{}", column.Double(row));
  }
  return "";
}

}  // namespace

std::string CrmEventsCsv(const std::vector<simulate::CustomerEvent>& events, const std::vector<std::string>& channels,
                         const data::CustomerStore& store) {
  std::vector<std::string> fields;
  for (const data::EntitySpec& event : store.schema.events) {
    for (const data::ColumnSpec& column : event.columns) {
      if (std::find(fields.begin(), fields.end(), column.name) == fields.end()) fields.push_back(column.name);
    }
  }
  std::vector<const data::Column*> columns;
  for (const std::string& name : fields) columns.push_back(store.event_fields.Find(name));
  auto index_of = [&](std::string_view name) { return static_cast<size_t>(std::find(fields.begin(), fields.end(), name) - fields.begin()); };
  const size_t amount = index_of("amount"), cart_id = index_of("cart_id"), from_channel = index_of("from_channel"),
               message_key = index_of("message_key");
  std::string csv = "customer_id,event,time";
  for (const std::string& name : fields) csv += "," + name;
  csv += '\n';
  // Customer by customer: each process writes its own, merged in the source's order.
  std::string body;
  std::vector<distribute::Run> runs;
  const data::Column& ids = store.customers.columns[store.key_column];
  static constexpr std::string_view kMessageEvents[] = {"message_delivered", "message_opened", "message_clicked", "message_converted",
                                                        "unsubscribe"};
  std::vector<std::string> values(fields.size());
  for (size_t i = 0; i < events.size(); ++i) {
    const simulate::CustomerEvent& event = events[i];
    if (i > 0 && event.customer != events[i - 1].customer) distribute::EndRun(runs, store.SourceOrder(events[i - 1].customer), body.size());
    std::fill(values.begin(), values.end(), std::string());
    std::string_view type;
    auto set = [&](size_t field, std::string value) {
      if (field < values.size()) values[field] = std::move(value);
    };
    switch (event.kind) {
      case simulate::CustomerEvent::Kind::Purchase:
        type = "purchase";
        set(amount, Cents(event.amount_cents));
        break;
      case simulate::CustomerEvent::Kind::Replayed:
        if (event.type < 0) continue;  // a goal event of a type the data does not have
        type = store.schema.events[static_cast<size_t>(event.type)].name;
        for (size_t f = 0; event.copied_from >= 0 && f < fields.size(); ++f) {
          if (columns[f] != nullptr) values[f] = FormatField(*columns[f], static_cast<size_t>(event.copied_from));
        }
        break;
      default:
        type = kMessageEvents[static_cast<int>(event.kind) - static_cast<int>(simulate::CustomerEvent::Kind::Delivered)];
        set(message_key, event.message.Text());
        if (event.kind == simulate::CustomerEvent::Kind::Unsubscribed) set(from_channel, channels[static_cast<size_t>(event.channel)]);
        break;
    }
    // The simulation's carts are its own: an id of their own, which their checkouts share.
    if (event.key > 0 && event.key < (int64_t{1} << 32)) set(cart_id, fmt::format("S{}", event.key));
    body += fmt::format("{},{},{}", CsvField(ids.String(event.customer)), type, data::FormatDateTime(event.time));
    for (const std::string& value : values) body += "," + value;
    body += '\n';
  }
  if (!events.empty()) distribute::EndRun(runs, store.SourceOrder(events.back().customer), body.size());
  return csv + distribute::MergeRuns(std::move(body), runs);
}

}  // namespace relc::driver
