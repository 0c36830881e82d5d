// Every `relc` command, one per file, registered in driver.cpp.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "driver/command_line.h"

namespace relc::driver {

// Every command, in the order `relc help` lists them.
std::span<const Command* const> AllCommands();

// For a command without operands: no words to complete.
std::vector<std::string> NoOperands();

extern const Command kCheckCommand;
extern const Command kFmtCommand;
extern const Command kAstCommand;
extern const Command kExplainCommand;
extern const Command kGraphCommand;
extern const Command kDataGenerateCommand;
extern const Command kDataInspectCommand;
extern const Command kDataDescribeCommand;
extern const Command kPanelsCommand;
extern const Command kRunCommand;
extern const Command kTestCommand;
extern const Command kPlanCommand;
extern const Command kApplyCommand;
extern const Command kEmitLlvmCommand;
extern const Command kLspCommand;
extern const Command kCalibrateCommand;
extern const Command kCompletionCommand;

}  // namespace relc::driver
