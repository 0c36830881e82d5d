// relc(1), the man page, generated from the option tables the command line parses and from
// command_reference.h, so that it lists every command, option, exit code and environment
// variable relc has: `relc help --man` prints it, and the build installs it.
#pragma once

#include <ostream>
#include <span>

#include "driver/command_line.h"

namespace relc::driver {

void WriteManPage(std::span<const Command* const> commands, std::ostream& out);

}  // namespace relc::driver
