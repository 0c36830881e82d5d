// What a simulation's customers did, written as the CRM's events (`relc run --events FILE`):
// rows in the data contract's events.csv shape, to append to the data a run started from.
// A sending pipeline can be tested end to end on them, and `relc apply` replayed over them
// sends what the simulation sent (tests/cli/apply_cli_test.cpp).
#pragma once

#include <string>
#include <vector>

#include "data/store.h"
#include "simulate/simulate.h"

namespace relc::driver {

// The header (customer_id, event, time, then every event field of the store's schema) and a
// row per event, by customer (a loader sorts each customer's by time). `channels`: the run's
// (Timeline::channels).
std::string CrmEventsCsv(const std::vector<simulate::CustomerEvent>& events, const std::vector<std::string>& channels,
                         const data::CustomerStore& store);

}  // namespace relc::driver
