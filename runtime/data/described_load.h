// Loading an export through its `source` description (schema.source): see
// source_description.h. The same sources as LoadData: a folder of files, SQLite, PostgreSQL.
#pragma once

#include <string>

#include "data/load.h"

namespace relc::data {

LoadResult LoadDescribed(const std::string& source, const DataSchema& schema, const LoadOptions& options);

}  // namespace relc::data
