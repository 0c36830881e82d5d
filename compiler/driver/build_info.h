// What this build of relc is: `relc version`, SARIF's tool version, the language server's
// serverInfo. Written at build time by cmake/WriteBuildInfo.cmake.
#pragma once

#include <string>
#include <string_view>

namespace relc::driver {

struct BuildInfo {
  std::string_view version;       // the project's, as in CMakeLists.txt
  std::string_view commit;        // 12 hex digits, or "unknown" outside a git checkout
  bool modified;                  // the work tree had changes to tracked files
  std::string_view llvm_version;  // the LLVM the JIT was built against
};

const BuildInfo& ThisBuild();

// `relc 0.1.0 (commit 0123456789ab, LLVM 19.1.7)`, with `, modified` after a commit with changes.
std::string VersionLine();

}  // namespace relc::driver
