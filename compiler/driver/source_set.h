// The .rel files a command works on: paths as the user gave them, directories walked.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "diagnostics/diagnostic.h"

namespace relc::driver {

struct SourceSet {
  std::vector<std::shared_ptr<const SourceFile>> files;
  // Paths that could not be read, as diagnostics (REL0900, REL0901).
  std::vector<Diagnostic> problems;
};

// A directory stands for every `*.rel` below it, in sorted order, skipping hidden directories;
// a file is taken whatever its extension.
SourceSet LoadSources(std::span<const std::string> paths);

}  // namespace relc::driver
