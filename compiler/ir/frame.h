// The data a compiled program reads, as plain C structs: the layout generated code is compiled
// against (codegen takes field offsets from here), the interpreter reads, and the runtime fills
// from a dataset. Nothing here owns memory.
#pragma once

#include <cstdint>

namespace relc::ir {

// One column: the array its slot's Storage names is set.
struct ColumnView {
  const int64_t* ints;
  const double* doubles;
  const uint32_t* codes;
  const uint64_t* validity;  // a bit per row, 1 = present
  const int32_t* int32s;
  const uint64_t* bits;      // Bits: a bit per row, 1 = true
};

struct Frame {
  const ColumnView* customer_columns;  // Program::customer_columns, by slot
  const ColumnView* event_columns;     // Program::event_columns, by slot
  const uint64_t* event_offsets;       // customer c's events: [offsets[c], offsets[c + 1])
  const uint8_t* event_types;          // per event, its type in the dataset's schema
  const int32_t* event_type_codes;     // Program::event_types, by slot: the dataset's type (-1: none)
  const int64_t* event_times;          // per event, seconds since the epoch; a customer's in order
  // Program::event_types, by slot: each customer's latest event of that type (kNoEvent: none),
  // or null where it was not built. Lets a history aggregate skip a customer whose recent past
  // holds none of the events it counts, without reading the history.
  const int64_t* const* latest_event_times;
  const int64_t* string_codes;         // Program::strings, by slot
  const double* thresholds;            // ranking thresholds, by slot
  const uint64_t* const* panels;       // selection bitmaps of the panels evaluated so far
  const int64_t* metrics;              // Program::metrics, by slot: counts, and money in cents
  const int32_t* split_winners;        // per split, the winning arm, or -1 while it is open
  uint64_t customer_count;
  int64_t now;                         // seconds since the epoch
  uint64_t seed;
};

// One customer's journey through a scenario.
struct Instance {
  const uint8_t* outcomes;  // per step: Outcome bits of the message sent there
  int64_t entered_at;       // seconds since the epoch
};

enum class InputKind : int32_t {
  Start,     // the trigger fired: `step` is the scenario's entry
  Continue,  // the action at `step` (send, set, tag, untag, enter) was carried out
  Timeout,   // the wait at `step` ran out
  Event,     // the wait at `step` saw the event of its route `route`
};

struct Input {
  InputKind kind;
  int32_t step;
  int32_t route;
};

enum class ActionKind : int32_t {
  Send, Wait, Set, Tag, Untag, Enter,  // carry out the step at `step`
  Exit,                                // `exit`, or the end of the steps
  Stuck,                               // steps looped without an action (checked programs never do)
};

struct Action {
  ActionKind kind;
  int32_t step;
  int64_t deadline;   // Wait: when it times out, seconds since the epoch; kNever for no timeout
  int64_t value;      // Set: the value (a Float's bits for Float attributes)
  uint8_t value_valid;
};

inline constexpr int64_t kNever = INT64_MAX;
inline constexpr int64_t kNoEvent = INT64_MIN;  // Frame::latest_event_times of a customer without one

}  // namespace relc::ir

// Kernels the generated code calls, shared with the interpreter so that both compute the same
// thing. Calendar fields from days since 1970-01-01 (proleptic Gregorian).
extern "C" {
int64_t relc_calendar(int64_t days, uint8_t field);
int64_t relc_days_from_civil(int64_t year, int64_t month, int64_t day);
// A uniform number in [0, 1) from a counter-based generator: the same keys give the same
// number, whatever the thread or order of evaluation.
// When a wait of WaitKind `kind` on `value` (a Float's bits for a duration) started at `now`
// times out, in seconds since the epoch; kNever for a null value or one out of range.
int64_t relc_wait_deadline(uint8_t kind, int64_t value, uint8_t valid, int64_t now, int64_t utc_offset);
double relc_random_unit(uint64_t seed, uint64_t customer, uint64_t scenario, uint64_t step, int64_t time);
}
