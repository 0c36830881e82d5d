// The one place where rows become a CustomerStore, whatever their source: it maps the
// source's columns onto the data contract, parses and checks every value, rejects or stops on
// bad rows, and refuses duplicate customer ids.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "data/load.h"
#include "data/values.h"

namespace relc::data {

class Ingester {
 public:
  Ingester(const DataSchema& schema, const LoadOptions& options, LoadResult& result);

  // Each returns false when the load must stop (`result.error` says why).
  bool CustomerHeader(const std::vector<std::string_view>& names, std::string_view source);
  bool CustomerRecord(const std::vector<std::string_view>& fields, int64_t line, std::string_view raw, bool decimal_comma);
  bool EventHeader(const std::vector<std::string_view>& names, std::string_view source);
  bool EventRecord(const std::vector<std::string_view>& fields, int64_t line, std::string_view raw, bool decimal_comma);
  // Stops the load with `error`: the source is not a table at all (no header), whatever the
  // choice for bad rows. Returns false.
  bool Fail(std::string error) {
    failed_ = true;
    result_.error = std::move(error);
    return false;
  }
  // A row the source itself could not read (an unclosed quote).
  bool ReadError(std::string_view source, int64_t line, size_t column, std::string reason, std::string_view raw);

  // Records built from a described source's rows (`location`'s): a bad row names the field at
  // fault and the source's line, not a position in the built record.
  void RecordsFrom(std::string_view location) {
    customer_source_ = event_source_ = location;
    derived_ = true;
  }

  // Room for about this many rows, so that columns never grow by copying; returns the arrays
  // reserved.
  ReservedArrays ExpectCustomers(size_t rows);
  // The customers' id column, as the contract names it.
  std::string_view CustomerIdColumn() const { return schema_.customer.columns[key_column_].name; }
  // Of `rows` read, about how many this process keeps (LoadOptions::ranks), with a margin.
  size_t ExpectedKept(size_t rows) const;
  ReservedArrays ExpectEvents(size_t rows);

  // An ingester for a later part of a file whose header this one has read, so that parts load
  // on several cores: the part's rows go to a store of their own (its events find their
  // customers in this one's), and its outcome to `part_result`.
  std::unique_ptr<Ingester> Part(LoadResult& part_result) const;
  // Appends a part's rows, then its rejects or the error it stopped on, as if this ingester had
  // read them itself; parts must come in file order. False when the load must stop.
  bool AbsorbCustomers(Ingester& part);
  bool AbsorbEvents(Ingester& part);
  // After every part of the customers is absorbed: checks that the ids are unique (and
  // indexes them), on `threads` cores. False when one repeats.
  bool IndexCustomerIds(unsigned threads);
  // Makes an absorbed part ready for another part of the file, keeping its memory (a fresh
  // part would fault its pages in again).
  void ClearPart();

  CustomerStore Finish();
  bool failed() const { return failed_; }

 private:
  Ingester(const Ingester& parent, LoadResult& result);
  // A part of a file, whose events find their customers in the parent's store.
  bool is_part() const { return customers_ != &store_; }
  bool AbsorbOutcome(Ingester& part);
  bool Reject(BadRow row);
  static std::string TooManyFields(size_t fields, size_t header);
  static bool HasValuesBeyond(const std::vector<std::string_view>& fields, size_t header);
  bool KnownZone(std::string_view name);  // KnownTimeZone, remembered
  bool Kept(std::string_view column) const;
  // A customer another process of the run loads (LoadOptions::ranks).
  bool Elsewhere(std::string_view id) const { return options_.ranks > 1 && OwnerOf(id, options_.ranks) != options_.rank; }
  // Whether a column's values are converted and checked: those kept, or every one with
  // `validate_all`. A column nothing reads costs no work but the split of its field.
  bool Checked(const Column& column) const;
  bool MapHeader(const std::vector<std::string_view>& names, const std::vector<ColumnSpec>& columns,
                 std::string_view source, std::vector<int>& index, const std::vector<std::string_view>& also_required);

  const DataSchema& schema_;
  const LoadOptions& options_;
  LoadResult& result_;
  CustomerStore store_;
  const CustomerStore* customers_ = &store_;  // where events find their customer (a part: the parent's)
  bool failed_ = false;
  bool derived_ = false;

  std::string customer_source_, event_source_;
  std::vector<int> customer_index_;      // schema customer column -> source field
  size_t key_column_ = 0;                // the customer id column, in the schema
  std::vector<int64_t> customer_line_;   // where each customer came from, for duplicate reports
  std::map<std::string, bool, std::less<>> zones_;  // time zone names seen, and whether tzdata has them
  int timezone_column_ = -1;             // the customer column `timezone`, checked against tzdata
  int purchase_type_ = -1;               // the event type `purchase`, whose amounts cannot be negative

  std::vector<ColumnSpec> event_columns_;  // the union of every event type's fields
  std::vector<int> event_index_;           // event_columns_ -> source field
  int customer_id_field_ = -1, event_field_ = -1, time_field_ = -1;
  size_t customer_width_ = SIZE_MAX, event_width_ = SIZE_MAX;  // the headers' fields
  std::vector<size_t> kept_event_columns_;         // event columns whose values are stored
  // Per event type, the fields whose values are converted and checked (Checked), so that a row
  // visits those alone.
  struct CheckedField {
    size_t column;  // in event_columns_
    bool required;  // for this type
  };
  std::vector<std::vector<CheckedField>> checked_fields_;
  std::vector<Value> values_;                      // one row's values, before they are appended
  std::optional<uint32_t> last_event_customer_;    // the previous event's customer row
  std::vector<uint32_t> part_event_customers_;      // a part's: each event's customer row, for AbsorbEvents
  std::string last_event_customer_id_;
};

}  // namespace relc::data
