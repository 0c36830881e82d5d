// Customer data in memory, column by column: the layout the simulator and the JIT read.
//
// Values are typed arrays with a validity bitmap (a bit per row, 1 = present); strings are
// dictionary codes; dates are days since 1970-01-01; date-times are seconds since the epoch
// (UTC); money is in cents (hundredths of the currency unit). Events are sorted by customer,
// then time, and `event_offsets` gives each customer's slice, so one history is contiguous.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace relc::data {

enum class ColumnType : uint8_t { Bool, Integer, Decimal, Percentage, Money, Date, DateTime, String };

std::string_view ColumnTypeName(ColumnType type);

struct ColumnSpec {
  std::string name;
  ColumnType type = ColumnType::String;
  bool required = false;
  bool key = false;
};

// An entity of the data contract: the customer, or one event type.
struct EntitySpec {
  std::string name;
  std::vector<ColumnSpec> columns;
};

struct DataSchema {
  EntitySpec customer;
  std::vector<EntitySpec> events;
};

class Column {
 public:
  Column(std::string name, ColumnType type) : name_(std::move(name)), type_(type) {}

  const std::string& name() const { return name_; }
  ColumnType type() const { return type_; }
  size_t size() const { return size_; }

  // Appends one value; strings go through the dictionary.
  void AppendNull();
  void AppendInt(int64_t value);      // Bool, Integer, Money (cents), Date (days), DateTime (s)
  void AppendDouble(double value);    // Decimal, Percentage
  void AppendString(std::string_view value);

  bool IsValid(size_t row) const { return (validity_[row >> 6] >> (row & 63)) & 1; }
  int64_t Int(size_t row) const { return ints_[row]; }
  double Double(size_t row) const { return doubles_[row]; }
  uint32_t Code(size_t row) const { return codes_[row]; }
  const std::string& String(size_t row) const { return dictionary_[codes_[row]]; }
  const std::deque<std::string>& dictionary() const { return dictionary_; }
  size_t null_count() const { return nulls_; }

  // Reorders rows: row i becomes old row order[i].
  void Permute(const std::vector<uint32_t>& order);
  void Reserve(size_t rows);

  const std::vector<int64_t>& ints() const { return ints_; }
  const std::vector<double>& doubles() const { return doubles_; }
  const std::vector<uint32_t>& codes() const { return codes_; }
  const std::vector<uint64_t>& validity() const { return validity_; }

 private:
  void MarkValid(bool valid);

  std::string name_;
  ColumnType type_;
  size_t size_ = 0;
  size_t nulls_ = 0;
  std::vector<uint64_t> validity_;
  std::vector<int64_t> ints_;
  std::vector<double> doubles_;
  std::vector<uint32_t> codes_;
  std::deque<std::string> dictionary_;  // a deque: the map's views stay valid as it grows
  std::unordered_map<std::string_view, uint32_t> codes_by_string_;
};

struct Table {
  std::vector<Column> columns;
  size_t rows = 0;

  const Column* Find(std::string_view name) const;
  Column* Find(std::string_view name);
};

// Lets a map keyed by std::string be searched with a string_view, without a copy.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view text) const noexcept { return std::hash<std::string_view>{}(text); }
};

struct CustomerStore {
  DataSchema schema;
  Table customers;                      // one row per customer; its key column holds the ids
  std::unordered_map<std::string, uint32_t, StringHash, std::equal_to<>> row_of_id;

  // Every event of every type, sorted by (customer, time).
  std::vector<uint32_t> event_customer;  // customer row
  std::vector<uint8_t> event_type;       // index into schema.events
  std::vector<int64_t> event_time;       // seconds since the epoch, UTC
  Table event_fields;                    // the union of the event types' fields; null where absent
  std::vector<uint64_t> event_offsets;   // customer c's events: [offsets[c], offsets[c + 1])

  // Sorts the events and builds the offsets; call once after loading.
  void IndexEvents();
};

}  // namespace relc::data
