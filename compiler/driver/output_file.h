// Output files are written whole or not at all: into a temporary file beside the target, then
// renamed over it, so that an interrupted or failed run never leaves half a file (nor, on
// SIGINT or SIGTERM, the temporary). A symbolic link is written through to its file, which keeps
// its permissions and group; a device or a pipe (`--log /dev/null`) is written to directly.
#pragma once

#include <string>
#include <string_view>

namespace relc::driver {

// Returns an empty string on success, else why it failed (the target is then untouched). In a
// run spread over processes, every process calls it and the first alone writes `contents`.
std::string WriteFileAtomically(const std::string& path, std::string_view contents);

}  // namespace relc::driver
