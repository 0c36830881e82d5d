// Customer measures kept beside the data snapshot they were computed from (data/snapshot.h): a
// rerun as of the same date reads them back instead of computing them again (the customer-base
// models' figures are most of a run's work besides loading).
#pragma once

#include <optional>
#include <string>

#include "measures/customer_measures.h"

namespace relc::measures {

// The key of the measures, with `options`, of the data snapshotted under `store_key`.
std::string MeasuresKey(const std::string& store_key, const MeasureOptions& options);

// Their file, beside the data's snapshot at `store_path`.
std::string MeasuresPath(const std::string& store_path, const std::string& key);

// Writes them whole or not at all; keeps the folder's newest few measures files. False, with
// `error`, when they cannot be written.
bool WriteMeasures(const std::string& path, const std::string& key, const CustomerMeasures& measures, std::string& error);

// The measures of `customers` customers kept at `path` under `key`; empty when there are none,
// they were kept under another key, or the file is not whole.
std::optional<CustomerMeasures> ReadMeasures(const std::string& path, const std::string& key, size_t customers);

}  // namespace relc::measures
