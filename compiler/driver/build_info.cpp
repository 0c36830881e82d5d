#include "driver/build_info.h"

#include <fmt/format.h>

namespace relc::driver {

std::string VersionLine() {
  const BuildInfo& build = ThisBuild();
  return fmt::format("relc {} (commit {}{}, LLVM {})", build.version, build.commit, build.modified ? ", modified" : "",
                     build.llvm_version);
}

}  // namespace relc::driver
