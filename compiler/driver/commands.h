// Every `relc` command, one per file, registered in driver.cpp.
#pragma once

#include "driver/command_line.h"

namespace relc::driver {

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
extern const Command kEmitLlvmCommand;
extern const Command kLspCommand;
extern const Command kCalibrateCommand;

}  // namespace relc::driver
