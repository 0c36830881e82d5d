// A past campaign's results, one row per customer: the arm they were in (a channel and message,
// or the control that received nothing), their outcomes over the campaign's window, and their
// attributes at send time. From a CSV file, or a table of a SQLite or PostgreSQL database.
// Read strictly: a bad row is an error at its file (or table), line (or rowid) and column,
// never skipped. Several campaigns may be pooled into one history (pool.h), each row keeping
// its campaign, so that each arm is measured against its own campaign's control.
//
//   customer_id,arm,channel,message,opened,clicked,converted,amount,unsubscribed,loyalty_member,...
//   C0000001,winback-1,email,winback-1,1,0,0,0,0,true,...
//   C0000002,control,,,,,0,0,,false,...
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "data/store.h"

namespace relc::calibrate {

// A panel a `by` name may be, when the history has no column of that name: whether a customer
// was in it at send time (nullopt: a customer the panel's data does not have).
struct PanelSegment {
  std::string name;
  std::function<std::optional<bool>(std::string_view customer_id)> member;
};

struct HistoryOptions {
  std::string table = "history";           // the table, when the source is a database
  std::vector<std::string> by;              // columns (or panels) to break the rates down by
  std::vector<PanelSegment> panels;         // what a `by` name that is no column may be
  std::string control = "control";          // the arm that received nothing
  std::vector<std::string> known_channels;  // an arm's channel must be one of them
  // The customer columns of the data contract: a `by` column among them must hold values of
  // its type, and booleans are written `true`/`false` whatever the source wrote (`t`, `oui`).
  std::vector<data::ColumnSpec> attributes;
};

struct Arm {
  std::string name;
  std::string channel;  // empty for the control
  std::string message;  // may be empty: the whole channel
  bool control = false;
};

struct HistoryRow {
  int32_t arm = 0;
  int8_t opened = -1;   // -1: not recorded
  int8_t clicked = -1;
  int8_t unsubscribed = -1;  // from the arm's channel, over the window
  bool converted = false;
  double amount = 0;    // spent over the window
  double spend_before = 0;  // spent over a period before the campaign (`spend_before`), for CUPED
  std::vector<int32_t> segment;  // per `by` column, the index of its value
  uint64_t customer_hash = 0;    // for reproducible splits
  int32_t campaign = 0;          // index into History::campaigns
};

struct History {
  std::string source;  // as it may be printed: `sqlite:crm.db, table spring`, a password left out
  std::vector<std::string> campaigns;  // each pooled campaign's source; one for a single campaign
  std::vector<Arm> arms;
  std::vector<HistoryRow> rows;
  bool has_opened = false, has_clicked = false, has_unsubscribed = false, has_amount = false, has_spend_before = false;
  std::vector<std::string> by;                          // as asked
  std::vector<bool> by_panel;                           // per `by` name: a panel (values true, false)
  std::vector<std::vector<std::string>> segment_values;  // per `by` column, in first-seen order
  int32_t control = -1;                                 // the control arm, if the history has one
};

struct HistoryLoad {
  std::optional<History> history;   // empty when any row is bad
  std::vector<std::string> errors;  // "FILE:LINE:COLUMN: reason", or "DB:TABLE:ROWID:COLUMN: reason"
  std::vector<std::string> warnings;
  bool io_error = false;            // the source itself could not be read
};

// `source`: a CSV file, `sqlite:PATH` or `postgresql://...` (the table `options.table`).
HistoryLoad LoadHistory(const std::string& source, const HistoryOptions& options);

}  // namespace relc::calibrate
