// Customer data in memory, column by column: the layout the simulator and the JIT read.
//
// Values are typed arrays with a validity bitmap (a bit per row, 1 = present); strings are
// dictionary codes; dates are days since 1970-01-01; date-times are seconds since the epoch
// (UTC); money is in cents (hundredths of the currency unit). Events are sorted by customer,
// then time, and `event_offsets` gives each customer's slice, so one history is contiguous.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "data/source_description.h"

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
  // How the export is written, when a `source` describes it; else the contract's own tables.
  std::optional<SourceDescription> source;
};

// Asks the kernel to back a large buffer with huge pages: a column of ten million values
// otherwise costs a page fault every 4 KB as it fills.
void AdviseHugePages(const void* data, size_t bytes);

// Applies madvise's `advice` to the pages wholly inside [begin, end) of a mapped text: to map
// a range in one call before it is read (a page fault per 4 KB costs more than the reading on a
// virtual machine), and to give it back once read.
void AdvisePages(std::string_view text, size_t begin, size_t end, int advice);

template <typename T>
void ReserveLarge(std::vector<T>& values, size_t count) {
  values.reserve(count);
  AdviseHugePages(values.data(), values.capacity() * sizeof(T));
}

// Room for `count` values, growing geometrically (as push_back does) but with huge pages.
template <typename T>
void GrowLarge(std::vector<T>& values, size_t count) {
  if (count <= values.capacity()) return;
  std::vector<T> grown;
  ReserveLarge(grown, std::max(count, 2 * values.capacity()));
  grown.insert(grown.end(), values.begin(), values.end());
  values.swap(grown);
}

// `count` copies of `value`, in huge pages when large.
template <typename T, typename V>
void AssignLarge(std::vector<T>& values, size_t count, V value) {
  values.clear();
  ReserveLarge(values, count);
  values.resize(count, static_cast<T>(value));
}

// Arrays reserved for a load, whose pages can be faulted in ahead of the rows written to them:
// fresh memory costs the kernel a zeroing per page, and rows are copied into the store one part
// at a time, in order, while those of later parts are read on other cores. Faulting the pages
// of a part's rows in on the core that read it takes that zeroing out of the ordered copy.
// Holds the arrays' addresses as reserved: a load that outgrows a reservation (the rows were
// counted) only loses the head start, as madvise leaves memory as it is.
class ReservedArrays {
 public:
  template <typename T>
  void Add(const std::vector<T>& values, bool bits = false) {
    if (values.capacity() > 0) arrays_.push_back({reinterpret_cast<uintptr_t>(values.data()), sizeof(T), values.capacity(), bits});
  }
  // Faults in, writable, the pages of rows [first, first + rows) of every array.
  void Prefault(size_t first, size_t rows) const;

 private:
  struct Array {
    uintptr_t data;
    size_t element_bytes;
    size_t capacity;  // elements
    bool bits;        // a bitmap: 64 rows a word
  };
  std::vector<Array> arrays_;
};

class Column {
 public:
  // A column that is not `kept` is checked as it loads but holds no values: nothing reads it.
  Column(std::string name, ColumnType type, bool kept = true) : name_(std::move(name)), type_(type), kept_(kept) {}

  const std::string& name() const { return name_; }
  ColumnType type() const { return type_; }
  bool kept() const { return kept_; }
  size_t size() const { return size_; }

  // Appends one value; strings go through the dictionary.
  void AppendNull();
  void AppendInt(int64_t value);      // Bool, Integer, Money (cents), Date (days), DateTime (s)
  void AppendDouble(double value);    // Decimal, Percentage
  void AppendString(std::string_view value);
  // Appends `value` only if the dictionary does not have it yet; returns whether it did.
  bool AppendNewString(std::string_view value);

  bool IsValid(size_t row) const { return (validity_[row >> 6] >> (row & 63)) & 1; }
  int64_t Int(size_t row) const { return ints_[row]; }
  double Double(size_t row) const { return doubles_[row]; }
  uint32_t Code(size_t row) const { return codes_[row]; }
  std::string_view String(size_t row) const { return DictionaryString(codes_[row]); }
  size_t null_count() const { return nulls_; }

  // The string dictionary: distinct values in order of first appearance.
  size_t dictionary_size() const { return string_offsets_.size() - 1; }
  std::string_view DictionaryString(uint32_t code) const {
    return {string_bytes_.data() + string_offsets_[code], string_offsets_[code + 1] - string_offsets_[code]};
  }
  // The code of a string already in the dictionary.
  std::optional<uint32_t> FindString(std::string_view value) const;

  // Appends every row of `other` (a column of the same name and type, loaded from a later part
  // of the same file): its strings join this dictionary in their order of first appearance.
  void Append(const Column& other);
  // Appends `value` as a new dictionary entry without looking it up: for a part of a key
  // column, whose ids the whole column checks once (IndexDistinct). Until then the part cannot
  // be searched.
  void AppendUnchecked(std::string_view value);
  // Appends every string of `other` (a later part of a key column, filled by AppendUnchecked)
  // as new dictionary entries, without looking them up: IndexDistinct then builds the lookup
  // table of the whole column at once, on every core.
  void AppendUncheckedFrom(const Column& other);
  // Builds the lookup table of a column whose strings were all appended unchecked, on
  // `threads` cores (ids far apart in memory: a table of ten million is a cache miss an id).
  // Returns the first code, in order, whose string an earlier code has; the table then finds
  // the strings of the codes before it, as one reader checking each in turn would have left it.
  std::optional<uint32_t> IndexDistinct(unsigned threads);

  // Reorders rows: row i becomes old row order[i].
  void Permute(const std::vector<uint32_t>& order);
  void Reserve(size_t rows);
  // Adds the arrays Reserve reserved.
  void AddReserved(ReservedArrays& arrays) const;
  // Room for about this many distinct strings, so that the dictionary never grows by rehashing
  // (a key column, whose every value is distinct).
  void ReserveDistinct(size_t strings);
  // Empties the column, values and dictionary, keeping its memory for the next rows.
  void Clear();

  const std::vector<int64_t>& ints() const { return ints_; }
  const std::vector<double>& doubles() const { return doubles_; }
  const std::vector<uint32_t>& codes() const { return codes_; }
  const std::vector<uint64_t>& validity() const { return validity_; }

 private:
  friend struct ColumnSnapshot;  // writes and reads the arrays below as they are

  void MarkValid(bool valid);
  // Rebuilds the table of dictionary slots with `slots` slots (a power of two).
  void Rehash(size_t slots);
  bool AppendString(std::string_view value, bool only_if_new);
  // The code of `value` (whose hash is `hash`), added to the dictionary if new; `added` says
  // whether it was.
  uint32_t Intern(std::string_view value, uint64_t hash, bool& added);
  // Adds `value` to the dictionary's strings (not to its slots) and returns its code.
  uint32_t AddString(std::string_view value, uint64_t hash);

  std::string name_;
  ColumnType type_;
  bool kept_ = true;
  size_t size_ = 0;
  size_t nulls_ = 0;
  std::vector<uint64_t> validity_;
  std::vector<int64_t> ints_;
  std::vector<double> doubles_;
  std::vector<uint32_t> codes_;
  // Dictionary strings end to end in one buffer (no allocation per string), found through an
  // open-addressing table with linear probing. A slot holds code + 1 in its low half (0: empty)
  // and the high half of the string's hash in its high half, so that a probe touches one
  // cache line unless the hashes agree.
  std::vector<char> string_bytes_;
  std::vector<uint32_t> string_offsets_ = {0};
  std::vector<uint64_t> slots_;
  std::vector<uint64_t> hashes_;  // per code, to grow the table without rehashing strings
  uint32_t previous_code_ = UINT32_MAX;  // the code AppendString gave last
};

struct Table {
  std::vector<Column> columns;
  size_t rows = 0;

  // The kept column of that name, or null.
  const Column* Find(std::string_view name) const;
};

struct CustomerStore {
  DataSchema schema;
  Table customers;        // one row per customer
  size_t key_column = 0;  // the column of customer ids: unique, so its codes are the rows

  std::optional<uint32_t> RowOfId(std::string_view id) const { return customers.columns[key_column].FindString(id); }
  // In a run spread over processes (LoadOptions::ranks), where each customer's row was in the
  // source (its line, or rowid): one process's customers come in this order, and the
  // processes' outputs merge by it into the order of a run of one. Empty otherwise.
  std::vector<int64_t> source_lines;
  int64_t SourceOrder(uint32_t row) const { return source_lines.empty() ? row : source_lines[row]; }

  // Every event of every type, sorted by (customer, time).
  std::vector<uint8_t> event_type;       // index into schema.events
  std::vector<int64_t> event_time;       // seconds since the epoch, UTC
  Table event_fields;                    // the union of the event types' fields; null where absent
  std::vector<uint64_t> event_offsets;   // customer c's events: [offsets[c], offsets[c + 1])

  // While loading, after the customers: the next events' customers (rows) and times.
  void AddEventCustomers(const uint32_t* rows, const int64_t* times, size_t count);
  // Sorts the events and builds the offsets; call once after loading.
  void IndexEvents();

  // The arrays reserved for loading customers, or events.
  ReservedArrays ReservedCustomerArrays() const;
  ReservedArrays ReservedEventArrays() const;

  // The day after the last event (days since 1970-01-01): the default as-of date, when the
  // data ends. Day 1 when there is no event.
  int32_t DayAfterLastEvent() const;

 private:
  // Exports list each customer's events together, in time order: while the events come so,
  // each customer's are only counted (in event_offsets, shifted by one), and the offsets are
  // all IndexEvents needs. The first event out of that order lists the customers of those
  // before it (the counts say them), and of every event after, for IndexEvents to sort.
  bool events_grouped_ = true;
  uint32_t last_event_customer_ = 0;
  int64_t last_event_time_ = 0;
  size_t events_added_ = 0;
  std::vector<uint32_t> event_customer_;  // once not grouped: each event's customer row
};

}  // namespace relc::data
