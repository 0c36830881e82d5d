// A binary copy of a load, for reruns over unchanged data. Marketers rerun the same data many
// times while they edit a program; reading the store back costs a fraction of parsing the CSV.
//
// A snapshot is found by its key: the text of everything the load depends on (each source
// file's size, modification time and a hash of its head and tail; the data contract and the
// export's description; the columns kept; how bad rows are handled; the snapshot format). The
// file holds its whole key and is read only when the key matches exactly, so a changed file, a
// program reading other columns or a newer relc never reads a stale store.
#pragma once

#include <optional>
#include <string>

#include "data/load.h"

namespace relc::data {

// The key of a load of `source`, or empty when the source is not one a snapshot can follow (a
// database, whose tables change without a file changing).
std::string SnapshotKey(const std::string& source, const DataSchema& schema, const LoadOptions& options);

// Where the snapshots of `source` go when no folder is given: `.relc-cache` in the data folder
// (for a single file, in its folder).
std::string DefaultSnapshotFolder(const std::string& source);

// The file in `folder` for `key`.
std::string SnapshotPath(const std::string& folder, const std::string& key);

// Writes a successful load under `key`, whole or not at all (a temporary file renamed), then
// removes the folder's oldest snapshots beyond the newest few. False, with `error`, when it
// cannot be written.
bool WriteSnapshot(const std::string& path, const std::string& key, const LoadResult& result, std::string& error);

// The load stored at `path` under `key`, with `schema`; empty when there is none, it was
// written under another key, or it is not a whole snapshot of this format.
std::optional<LoadResult> ReadSnapshot(const std::string& path, const std::string& key, const DataSchema& schema);

}  // namespace relc::data
