// Loading customer data, strictly: every source (a folder of CSV files, `sqlite:PATH`,
// `postgresql://...`) goes through one ingester that enforces the data contract. A bad row is
// never silent: it stops the load (the default) or is rejected with its file, line, column
// and reason (`OnBadRow::Skip`).
//
// A source holds two tables: `customers` (one row per customer, the schema's customer
// columns) and `events` (columns `customer_id`, `event`, `time`, then the events' fields; a
// field an event type does not have stays empty). In a folder they are `customers.csv` and
// `events.csv`; a single CSV file is read as customers alone.
#pragma once

#include <atomic>
#include <optional>
#include <utility>
#include <string>
#include <string_view>
#include <vector>

#include "data/random.h"
#include "data/store.h"
#include "data/source_description.h"

namespace relc::data {

enum class OnBadRow { Fail, Skip };

struct LoadOptions {
  OnBadRow on_bad_row = OnBadRow::Fail;
  // A large CSV file is read in parts of about `part_bytes` on `threads` cores (0: all); the
  // store, rejects and messages are the same as from one reader.
  unsigned threads = 0;
  size_t part_bytes = size_t{16} << 20;
  // When not empty, the only customer and event columns kept (with the customer id): a program
  // that never reads the others does not pay for storing them, nor for converting and checking
  // their values against the contract unless `validate_all` (their rows' fields are still
  // counted).
  std::vector<std::string> kept_columns;
  bool validate_all = false;
  // When set, counts the bytes of CSV read so far (for a progress line).
  std::atomic<size_t>* bytes_read = nullptr;
  // When not empty, the folder of snapshots (data/snapshot.h): a load reads the one of
  // unchanged data instead of the source, and writes one after reading the source.
  std::string snapshot_folder;
  // A run spread over `ranks` processes (distribute/): this load keeps the customers OwnerOf
  // gives to `rank`, with their events, and skips the others' rows before checking them. Each
  // row read is counted, and its bad values reported, by one process only.
  int rank = 0, ranks = 1;
  // Each process reads 1/N of a CSV file and sends each record to its customer's process
  // (csv_split.h); else each reads the whole file, skipping the others' rows.
  bool split_csv = true;
};

// The process that loads a customer when a run is spread over `ranks` processes: by a hash of
// the id, never by row order, so that any source splits the same way.
inline int OwnerOf(std::string_view id, int ranks) { return static_cast<int>(HashName(id) % static_cast<uint64_t>(ranks)); }

struct BadRow {
  std::string file;         // customers.csv, or a table name for databases
  int64_t line = 0;         // 1-based; for databases, the rowid (negative where rows were given their own)
  size_t column = 0;        // 1-based field number, 0 when the whole row is at fault
  std::string column_name;  // empty when the whole row is at fault
  std::string reason;
  std::string record;       // the row as read
};

std::string FormatBadRow(const BadRow& row);

// Where every row read went: read = loaded + left_out + without_customer + unknown_customer +
// rejected.
struct RowAccount {
  size_t read = 0;
  size_t loaded = 0;            // became a customer or an event, or part of one
  size_t left_out = 0;          // taken by no rule of a described source (its `when`s)
  size_t without_customer = 0;  // rows of events with no customer id
  size_t unknown_customer = 0;  // rows of events whose customer the data does not have
  size_t rejected = 0;          // bad rows skipped
};

struct LoadResult {
  std::optional<CustomerStore> store;  // empty when the load failed
  std::string error;                   // why it failed
  bool io_error = false;               // failed to read the source at all (exit code 2, not 1)
  bool bad_row = false;                // stopped at a bad row (skipping bad rows would go on)
  std::pair<std::string, int64_t> stopped_at;  // that row's file and line
  std::vector<BadRow> rejected;        // with OnBadRow::Skip
  size_t events_for_unknown_customers = 0;
  std::string first_unknown_customer;  // an example, for the report
  std::vector<std::string> ignored_columns;
  size_t bytes = 0;
  RowAccount rows;
  // Values a described source gives in place of columns the export lacks: `email_optin = true
  // for every customer`. Every report repeats them.
  std::vector<std::string> assumptions;
  bool from_snapshot = false;   // read from a snapshot of unchanged data, not from the source
  std::string snapshot_error;   // why the snapshot of this load could not be written
  // The snapshot read or written, and its key: what is computed from the store can be kept
  // beside it. Empty when there is none.
  std::string snapshot_path, snapshot_key;
};

LoadResult LoadData(const std::string& source, const DataSchema& schema, const LoadOptions& options);

// After each process of a run spread over several (LoadOptions::ranks) loaded its customers:
// the outcome one process loading them all would have had, on every process: a failure of any
// (the first failing process's), every row counted, every bad row skipped (by file, then line).
// The store stays this process's part. Every process calls it.
void MergeProcessLoads(LoadResult& result);

}  // namespace relc::data
