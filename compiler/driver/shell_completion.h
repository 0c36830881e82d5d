// Shell completions for relc, generated from the option tables the command line parses, so
// that they cannot drift from it: `relc completion bash|zsh` prints them, and the build
// installs them.
#pragma once

#include <ostream>
#include <span>

#include "driver/command_line.h"

namespace relc::driver {

void WriteBashCompletion(std::span<const Command* const> commands, std::ostream& out);
void WriteZshCompletion(std::span<const Command* const> commands, std::ostream& out);

}  // namespace relc::driver
