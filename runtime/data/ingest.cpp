#include "data/ingest.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "data/values.h"

namespace relc::data {

namespace {

// Customer ids are short: compared a word at a time, with no call to memcmp (an event's
// customer is looked up by id for every row).
bool SameId(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  size_t i = 0;
  for (; i + 8 <= a.size(); i += 8) {
    uint64_t x, y;
    std::memcpy(&x, a.data() + i, 8);
    std::memcpy(&y, b.data() + i, 8);
    if (x != y) return false;
  }
  for (; i < a.size(); ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

}  // namespace

std::string FormatBadRow(const BadRow& row) {
  std::string where = fmt::format("{}:{}", row.file, row.line);
  if (row.column > 0) where += fmt::format(":{}", row.column);
  if (!row.column_name.empty()) return fmt::format("{}: column `{}`: {}", where, row.column_name, row.reason);
  return fmt::format("{}: {}", where, row.reason);
}

Ingester::Ingester(const DataSchema& schema, const LoadOptions& options, LoadResult& result)
    : schema_(schema), options_(options), result_(result) {
  store_.schema = schema;
  for (size_t i = 0; i < schema.customer.columns.size(); ++i) {
    const ColumnSpec& column = schema.customer.columns[i];
    store_.customers.columns.emplace_back(column.name, column.type, Kept(column.name) || column.key);
    if (column.key) key_column_ = store_.key_column = i;
    if (column.name == "timezone") timezone_column_ = static_cast<int>(i);
  }
  for (size_t e = 0; e < schema.events.size(); ++e) {
    if (schema.events[e].name == "purchase") purchase_type_ = static_cast<int>(e);
  }
  const auto& columns = schema.customer.columns;
  bool has_key = std::any_of(columns.begin(), columns.end(), [](const ColumnSpec& c) { return c.key; });
  if (!has_key || columns[key_column_].type != ColumnType::String) {
    failed_ = true;
    result_.error = "the schema's customer entity needs one `key` field of type string (the customer id)";
  }
  // Event fields: the union over event types; one name, one type.
  for (size_t e = 0; e < schema.events.size(); ++e) {
    for (const ColumnSpec& field : schema.events[e].columns) {
      auto it = std::find_if(event_columns_.begin(), event_columns_.end(), [&](const ColumnSpec& c) { return c.name == field.name; });
      if (it == event_columns_.end()) {
        event_columns_.push_back(field);
      } else if (it->type != field.type) {
        failed_ = true;
        result_.error = fmt::format("the schema gives field `{}` two types: {} and {} (in event `{}`)", field.name,
                                    ColumnTypeName(it->type), ColumnTypeName(field.type), schema.events[e].name);
      }
    }
  }
  for (const ColumnSpec& field : event_columns_) store_.event_fields.columns.emplace_back(field.name, field.type, Kept(field.name));
  for (size_t c = 0; c < event_columns_.size(); ++c) {
    if (store_.event_fields.columns[c].kept()) kept_event_columns_.push_back(c);
  }
  checked_fields_.resize(schema.events.size());
  for (size_t e = 0; e < schema.events.size(); ++e) {
    for (const ColumnSpec& field : schema.events[e].columns) {
      for (size_t c = 0; c < event_columns_.size(); ++c) {
        if (event_columns_[c].name == field.name && Checked(store_.event_fields.columns[c])) {
          checked_fields_[e].push_back({c, field.required});
        }
      }
    }
  }
}

bool Ingester::Checked(const Column& column) const { return column.kept() || options_.validate_all; }

bool Ingester::Kept(std::string_view column) const {
  const auto& kept = options_.kept_columns;
  return kept.empty() || std::find(kept.begin(), kept.end(), column) != kept.end();
}

// A row wider than its header would lose its last fields, or have them shifted: a decimal
// comma in a `,`-separated file (`12,34`) is the usual cause.
std::string Ingester::TooManyFields(size_t fields, size_t header) {
  return fmt::format("{} fields where the header has {}: a value holds the separator (a decimal comma in a `,`-separated "
                     "file? quote it, or separate the fields with `;`)",
                     fields, header);
}

// Empty fields past the header (`a,b,c,` under `a,b,c`) lose nothing.
bool Ingester::HasValuesBeyond(const std::vector<std::string_view>& fields, size_t header) {
  return std::any_of(fields.begin() + static_cast<std::ptrdiff_t>(header), fields.end(),
                     [](std::string_view field) { return !field.empty() && field != "\r"; });
}

bool Ingester::Reject(BadRow row) {
  if (derived_) row.column = 0;
  if (options_.on_bad_row == OnBadRow::Fail) {
    failed_ = true;
    result_.bad_row = true;
    result_.error = FormatBadRow(row);
    result_.stopped_at = {row.file, row.line};
    return false;
  }
  result_.rejected.push_back(std::move(row));
  return true;
}

bool Ingester::ReadError(std::string_view source, int64_t line, size_t column, std::string reason, std::string_view raw) {
  return Reject(BadRow{std::string(source), line, column, "", std::move(reason), std::string(raw)});
}

bool Ingester::MapHeader(const std::vector<std::string_view>& names, const std::vector<ColumnSpec>& columns,
                         std::string_view source, std::vector<int>& index,
                         const std::vector<std::string_view>& also_required) {
  auto find = [&](std::string_view name) {
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i] == name) return static_cast<int>(i);
    }
    return -1;
  };
  std::vector<std::string> missing;
  for (std::string_view name : also_required) {
    if (find(name) < 0) missing.emplace_back(name);
  }
  index.clear();
  for (const ColumnSpec& column : columns) {
    int at = find(column.name);
    index.push_back(at);
    // An event field is required of the rows of its type alone: an export without carts needs
    // no `value` column (EventRecord says so at a row that needs it).
    if (at < 0 && (column.required || column.key) && &columns != &event_columns_) missing.push_back(column.name);
  }
  if (!missing.empty()) {
    std::vector<std::string> found(names.begin(), names.end());
    failed_ = true;
    result_.error = fmt::format("{}: missing required column{} {}; the columns found are: {}", source,
                                missing.size() > 1 ? "s" : "", fmt::format("`{}`", fmt::join(missing, "`, `")),
                                fmt::join(found, ", "));
    return false;
  }
  for (std::string_view name : names) {
    bool known = std::any_of(columns.begin(), columns.end(), [&](const ColumnSpec& c) { return c.name == name; }) ||
                 std::find(also_required.begin(), also_required.end(), name) != also_required.end();
    if (!known) result_.ignored_columns.push_back(fmt::format("{}: {}", source, name));
  }
  return true;
}

bool Ingester::CustomerHeader(const std::vector<std::string_view>& names, std::string_view source) {
  customer_source_ = source;
  customer_width_ = names.size();
  return !failed_ && MapHeader(names, schema_.customer.columns, source, customer_index_, {});
}

bool Ingester::KnownZone(std::string_view name) {
  auto it = zones_.find(name);
  if (it == zones_.end()) it = zones_.emplace(std::string(name), KnownTimeZone(name)).first;
  return it->second;
}

bool Ingester::CustomerRecord(const std::vector<std::string_view>& fields, int64_t line, std::string_view raw,
                              bool decimal_comma) {
  const auto& columns = schema_.customer.columns;
  // A row too short to hold an id goes to the process of the empty id, which rejects it.
  if (options_.ranks > 1) {
    const auto at = static_cast<size_t>(customer_index_[key_column_]);
    if (Elsewhere(at < fields.size() ? fields[at] : std::string_view{})) return true;
  }
  if (fields.size() > customer_width_ && HasValuesBeyond(fields, customer_width_)) {
    return Reject({customer_source_, line, customer_width_ + 1, "", TooManyFields(fields.size(), customer_width_), std::string(raw)});
  }
  values_.resize(columns.size());
  std::string reason;
  for (size_t c = 0; c < columns.size(); ++c) {
    int at = customer_index_[c];
    std::string_view text = at >= 0 && static_cast<size_t>(at) < fields.size() ? fields[at] : std::string_view{};
    if (at >= 0 && static_cast<size_t>(at) >= fields.size()) {
      return Reject({customer_source_, line, 0, "", fmt::format("{} fields where the header has more", fields.size()),
                     std::string(raw)});
    }
    if (!Checked(store_.customers.columns[c])) continue;
    if (!ParseValue(text, columns[c].type, decimal_comma, values_[c], reason)) {
      return Reject({customer_source_, line, static_cast<size_t>(at) + 1, columns[c].name,
                     fmt::format("{}: `{}`", reason, text), std::string(raw)});
    }
    if (text.empty() && (columns[c].required || columns[c].key)) {
      return Reject({customer_source_, line, static_cast<size_t>(at) + 1, columns[c].name, "a required value is empty",
                     std::string(raw)});
    }
    // Local times come from it: an unknown zone is a bad row, not UTC in silence.
    if (static_cast<int>(c) == timezone_column_ && !text.empty() && !KnownZone(text)) {
      return Reject({customer_source_, line, static_cast<size_t>(at) + 1, columns[c].name,
                     fmt::format("unknown time zone `{}`: an IANA name such as Europe/Paris is expected", text), std::string(raw)});
    }
  }
  std::string_view id = fields[customer_index_[key_column_]];
  Column& key = store_.customers.columns[key_column_];
  if (is_part()) {
    key.AppendUnchecked(id);  // a part: the whole file's ids are checked as parts are absorbed
  } else if (!key.AppendNewString(id)) {
    failed_ = true;
    result_.error = fmt::format("{}:{}: customer id `{}` is already used at line {}: ids must be unique", customer_source_,
                                line, id, customer_line_[*store_.RowOfId(id)]);
    return false;
  }
  customer_line_.push_back(line);
  for (size_t c = 0; c < columns.size(); ++c) {
    Column& column = store_.customers.columns[c];
    if (c != key_column_ && column.kept()) AppendValue(column, values_[c]);
  }
  ++store_.customers.rows;
  return true;
}

bool Ingester::EventHeader(const std::vector<std::string_view>& names, std::string_view source) {
  event_source_ = source;
  event_width_ = names.size();
  if (failed_ || !MapHeader(names, event_columns_, source, event_index_, {"customer_id", "event", "time"})) return false;
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == "customer_id") customer_id_field_ = static_cast<int>(i);
    if (names[i] == "event") event_field_ = static_cast<int>(i);
    if (names[i] == "time") time_field_ = static_cast<int>(i);
  }
  return true;
}

bool Ingester::EventRecord(const std::vector<std::string_view>& fields, int64_t line, std::string_view raw,
                           bool decimal_comma) {
  auto bad = [&](int field, std::string_view name, std::string reason) {
    return Reject({event_source_, line, field >= 0 ? static_cast<size_t>(field) + 1 : 0, std::string(name), std::move(reason),
                   std::string(raw)});
  };
  if (options_.ranks > 1) {
    const auto at = static_cast<size_t>(customer_id_field_);
    if (Elsewhere(at < fields.size() ? fields[at] : std::string_view{})) return true;
  }
  int widest = std::max({customer_id_field_, event_field_, time_field_});
  for (int at : event_index_) widest = std::max(widest, at);
  if (static_cast<int>(fields.size()) <= widest) {
    return bad(-1, "", fmt::format("{} fields where the header has {}", fields.size(), widest + 1));
  }
  if (fields.size() > event_width_ && HasValuesBeyond(fields, event_width_)) {
    return bad(static_cast<int>(event_width_), "", TooManyFields(fields.size(), event_width_));
  }
  std::string_view type_name = fields[event_field_];
  size_t type = schema_.events.size();
  for (size_t e = 0; e < schema_.events.size(); ++e) {
    // Most names differ in length or first letter: no call to compare the rest.
    const std::string& name = schema_.events[e].name;
    if (name.size() == type_name.size() && (name.empty() || name[0] == type_name[0]) && name == type_name) type = e;
  }
  if (type == schema_.events.size()) {
    std::vector<std::string> known;
    for (const auto& event : schema_.events) known.push_back(event.name);
    return bad(event_field_, "event", fmt::format("unknown event type `{}` (the schema has: {})", type_name, fmt::join(known, ", ")));
  }
  int64_t time = 0;
  if (!ParseDateTime(fields[time_field_], time)) {
    return bad(time_field_, "time", fmt::format("not a date and time: `{}`", fields[time_field_]));
  }
  // A placeholder such as 9999-12-31 is no event: loaded, it would move the default as-of date
  // (the day after the last event) thousands of years on.
  constexpr int64_t kYear2100 = 4102444800;
  if (time >= kYear2100) {
    return bad(time_field_, "time", fmt::format("`{}` is after 2100: a placeholder date, not an event's", fields[time_field_]));
  }
  values_.resize(event_columns_.size());
  // A kept column stores null where the row's type has no such field.
  for (size_t c : kept_event_columns_) values_[c] = Value{};
  std::string reason;
  for (const CheckedField& field : checked_fields_[type]) {
    const size_t c = field.column;
    const int at = event_index_[c];
    std::string_view text = at >= 0 ? fields[at] : std::string_view{};
    if (!ParseValue(text, event_columns_[c].type, decimal_comma, values_[c], reason)) {
      return bad(at, event_columns_[c].name, fmt::format("{}: `{}`", reason, text));
    }
    if (text.empty() && field.required) {
      return bad(at, event_columns_[c].name,
                 at < 0 ? fmt::format("required for a `{}` event, and {} has no such column", type_name, event_source_)
                        : fmt::format("required for a `{}` event, and empty", type_name));
    }
    // A purchase of a negative amount is a return or a cancellation, not a purchase: loaded as
    // one it would lower spend and monetary value in silence.
    if (static_cast<int>(type) == purchase_type_ && event_columns_[c].type == ColumnType::Money &&
        values_[c].kind == Value::Kind::Int && values_[c].int_value < 0) {
      return bad(at, event_columns_[c].name,
                 fmt::format("a purchase of a negative amount (`{}`): a return or a cancellation is not a purchase", text));
    }
  }
  std::string_view id = fields[customer_id_field_];
  // Exports list a customer's events together, and often customers in the order of their own
  // file: the previous row's customer is the likeliest, then the customer after them.
  std::optional<uint32_t> customer;
  if (last_event_customer_ && SameId(id, last_event_customer_id_)) {
    customer = last_event_customer_;
  } else {
    const Column& ids = customers_->customers.columns[customers_->key_column];
    const uint32_t next = last_event_customer_ ? *last_event_customer_ + 1 : 0;
    customer = next < ids.dictionary_size() && SameId(ids.DictionaryString(next), id) ? std::optional(next) : customers_->RowOfId(id);
    last_event_customer_ = customer;
    last_event_customer_id_.assign(id);
  }
  if (!customer) {
    if (result_.events_for_unknown_customers++ == 0) result_.first_unknown_customer = std::string(id);
    return true;
  }
  if (is_part()) {
    part_event_customers_.push_back(*customer);
  } else {
    store_.AddEventCustomers(&*customer, &time, 1);
  }
  store_.event_type.push_back(static_cast<uint8_t>(type));
  store_.event_time.push_back(time);
  for (size_t c : kept_event_columns_) AppendValue(store_.event_fields.columns[c], values_[c]);
  ++store_.event_fields.rows;
  return true;
}

// Spread over processes, a process keeps about 1/N of the rows it reads: room for that, and a
// margin for the hash's unevenness (beyond it, columns grow as they must).
size_t Ingester::ExpectedKept(size_t rows) const {
  if (options_.ranks <= 1) return rows;
  const size_t share = rows / static_cast<size_t>(options_.ranks);
  return std::min(rows, share + share / 8 + 64);
}

ReservedArrays Ingester::ExpectCustomers(size_t rows) {
  rows = ExpectedKept(rows);
  for (auto& column : store_.customers.columns) column.Reserve(rows);
  if (!is_part()) store_.customers.columns[key_column_].ReserveDistinct(rows);  // a part's ids are not looked up
  customer_line_.reserve(rows);
  ReservedArrays arrays = store_.ReservedCustomerArrays();
  arrays.Add(customer_line_);
  return arrays;
}

ReservedArrays Ingester::ExpectEvents(size_t rows) {
  rows = ExpectedKept(rows);
  if (is_part()) ReserveLarge(part_event_customers_, rows);
  ReserveLarge(store_.event_type, rows);
  ReserveLarge(store_.event_time, rows);
  for (auto& column : store_.event_fields.columns) column.Reserve(rows);
  return store_.ReservedEventArrays();
}

Ingester::Ingester(const Ingester& parent, LoadResult& result)
    : schema_(parent.schema_),
      options_(parent.options_),
      result_(result),
      customers_(&parent.store_),
      customer_source_(parent.customer_source_),
      event_source_(parent.event_source_),
      customer_index_(parent.customer_index_),
      key_column_(parent.key_column_),
      timezone_column_(parent.timezone_column_),
      purchase_type_(parent.purchase_type_),
      event_columns_(parent.event_columns_),
      event_index_(parent.event_index_),
      customer_id_field_(parent.customer_id_field_),
      event_field_(parent.event_field_),
      time_field_(parent.time_field_),
      customer_width_(parent.customer_width_),
      event_width_(parent.event_width_),
      kept_event_columns_(parent.kept_event_columns_),
      checked_fields_(parent.checked_fields_) {
  store_.schema = schema_;
  for (const Column& column : parent.store_.customers.columns) {
    store_.customers.columns.emplace_back(column.name(), column.type(), column.kept());
  }
  for (const Column& column : parent.store_.event_fields.columns) {
    store_.event_fields.columns.emplace_back(column.name(), column.type(), column.kept());
  }
}

std::unique_ptr<Ingester> Ingester::Part(LoadResult& part_result) const {
  return std::unique_ptr<Ingester>(new Ingester(*this, part_result));
}

void Ingester::ClearPart() {
  for (Column& column : store_.customers.columns) column.Clear();
  for (Column& column : store_.event_fields.columns) column.Clear();
  store_.customers.rows = store_.event_fields.rows = 0;
  part_event_customers_.clear();
  store_.event_type.clear();
  store_.event_time.clear();
  customer_line_.clear();
  last_event_customer_.reset();
  last_event_customer_id_.clear();
  failed_ = false;
  result_ = LoadResult{};
}

bool Ingester::AbsorbOutcome(Ingester& part) {
  LoadResult& from = part.result_;
  for (BadRow& row : from.rejected) result_.rejected.push_back(std::move(row));
  if (from.events_for_unknown_customers > 0 && result_.events_for_unknown_customers == 0) {
    result_.first_unknown_customer = from.first_unknown_customer;
  }
  result_.events_for_unknown_customers += from.events_for_unknown_customers;
  if (!part.failed_) return true;
  failed_ = true;
  result_.error = from.error;
  result_.bad_row = from.bad_row;
  result_.stopped_at = from.stopped_at;
  return false;
}

bool Ingester::AbsorbCustomers(Ingester& part) {
  // The ids join unchecked: IndexCustomerIds checks them all at once, on every core.
  store_.customers.columns[key_column_].AppendUncheckedFrom(part.store_.customers.columns[key_column_]);
  customer_line_.insert(customer_line_.end(), part.customer_line_.begin(), part.customer_line_.end());
  for (size_t c = 0; c < store_.customers.columns.size(); ++c) {
    if (c != key_column_) store_.customers.columns[c].Append(part.store_.customers.columns[c]);
  }
  store_.customers.rows += part.store_.customers.rows;
  return AbsorbOutcome(part);
}

bool Ingester::IndexCustomerIds(unsigned threads) {
  Column& key = store_.customers.columns[key_column_];
  const std::optional<uint32_t> repeat = key.IndexDistinct(threads);
  if (!repeat) return true;
  const std::string_view id = key.DictionaryString(*repeat);
  failed_ = true;
  result_.error = fmt::format("{}:{}: customer id `{}` is already used at line {}: ids must be unique", customer_source_,
                              customer_line_[*repeat], id, customer_line_[*store_.RowOfId(id)]);
  return false;
}

bool Ingester::AbsorbEvents(Ingester& part) {
  auto append = [](auto& to, const auto& from) { to.insert(to.end(), from.begin(), from.end()); };
  store_.AddEventCustomers(part.part_event_customers_.data(), part.store_.event_time.data(), part.part_event_customers_.size());
  append(store_.event_type, part.store_.event_type);
  append(store_.event_time, part.store_.event_time);
  for (size_t c = 0; c < store_.event_fields.columns.size(); ++c) {
    store_.event_fields.columns[c].Append(part.store_.event_fields.columns[c]);
  }
  store_.event_fields.rows += part.store_.event_fields.rows;
  return AbsorbOutcome(part);
}

CustomerStore Ingester::Finish() {
  store_.IndexEvents();
  if (options_.ranks > 1) store_.source_lines = std::move(customer_line_);
  return std::move(store_);
}

}  // namespace relc::data
