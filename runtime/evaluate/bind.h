// Binding a lowered program to a dataset: each of its slots (columns, event types, string
// literals) is matched with the store's arrays, and the measures it reads are laid out as
// columns, so that an Engine can run over them through an ir::Frame.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "data/store.h"
#include "ir/frame.h"
#include "ir/ir.h"
#include "measures/customer_measures.h"

namespace relc::evaluate {

// Every customer and event column that binding `program` (and computing the measures) reads:
// a load may leave the others out of the store.
std::vector<std::string> ColumnsRead(const ir::Program& program);

// A channel as exports write it, made the program's: `Email` and ` email ` are `email`.
std::string ChannelName(std::string_view name);

class BoundData {
 public:
  // `measures` were computed from `store` with `options`; `now` is the simulation's clock.
  // nullopt, with `error` set, if the dataset lacks something the program reads.
  static std::optional<BoundData> Bind(const ir::Program& program, const data::CustomerStore& store,
                                       const measures::CustomerMeasures& measures,
                                       const measures::MeasureOptions& options, int64_t now, uint64_t seed,
                                       std::string& error);

  // The frame points into arrays this object owns (on the heap: moving the object keeps them).
  ir::Frame& frame() { return frame_; }
  const ir::Frame& frame() const { return frame_; }
  std::vector<int64_t>& metrics() { return metrics_; }
  // Moves the clock by `seconds` as if no customer bought meanwhile: `now`, and recency and
  // tenure with it (to see who would enter a panel later in the run).
  void AdvanceClock(int64_t seconds);
  // Seconds to add to UTC at `time` for the customer's local time (their `timezone`, an IANA
  // name such as Europe/Paris; UTC when absent): daylight-saving changes within three years of
  // the start are followed.
  int64_t utc_offset_at(size_t row, int64_t time) const;
  size_t customer_count() const { return frame_.customer_count; }

  BoundData(BoundData&&) = default;

 private:
  BoundData() = default;
  void Refresh();
  void BuildLatestEventTimes(const ir::Program& program, const data::CustomerStore& store);

  ir::Frame frame_{};
  std::vector<ir::ColumnView> customer_columns_, event_columns_;
  std::vector<int32_t> event_type_codes_;
  std::vector<int64_t> string_codes_;
  std::vector<double> thresholds_;
  std::vector<const uint64_t*> panel_pointers_;
  std::vector<int64_t> metrics_;
  std::vector<int32_t> split_winners_;
  std::vector<int64_t> utc_offsets_;  // at the start, per customer: the column waits read
  // Each customer's zone (an index in zone_changes_; -1: UTC), and each zone's changes of offset:
  // (from when, the new offset), in time order.
  std::vector<int32_t> zone_of_row_;
  std::vector<std::vector<std::pair<int64_t, int64_t>>> zone_changes_;
  std::vector<std::unique_ptr<int64_t[]>> latest_event_times_;  // per event type slot (null: not built)
  std::vector<const int64_t*> latest_event_pointers_;
  std::vector<double> rank_values_;  // scratch of the panels' rankings
  std::vector<uint8_t> rank_valid_;
  std::vector<std::vector<double>*> clock_columns_;  // recency and tenure, in seconds
  // Columns relc computes (measures, state), kept alive here.
  std::deque<std::vector<int64_t>> owned_ints_;
  std::deque<std::vector<double>> owned_doubles_;
  std::deque<std::vector<uint32_t>> owned_codes_;
  std::deque<std::vector<uint64_t>> owned_validity_;

  friend class PanelEvaluator;
};

}  // namespace relc::evaluate
