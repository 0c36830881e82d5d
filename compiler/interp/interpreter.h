// The reference interpreter: walks the lowered program's nodes, one row at a time. It is the
// definition the JIT is tested against (`--engine interp`), so it favours being obviously
// right over being fast.
#pragma once

#include <memory>

#include "ir/engine.h"

namespace relc::interp {

std::unique_ptr<ir::Engine> MakeInterpreter(const ir::Program& program);

}  // namespace relc::interp
