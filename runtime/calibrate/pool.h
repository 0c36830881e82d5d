// Several campaigns' histories as one to fit, and arms the simulator cannot tell apart united.
#pragma once

#include <string>
#include <vector>

#include "calibrate/history.h"

namespace relc::calibrate {

// One or several campaigns' histories, loaded with the same options, as one history to fit: an
// arm of the same name is one arm (the same channel and message in each), a customer may be in
// several campaigns, and a segment value is one value whichever campaign has it. Either every
// campaign has a control or none has: an arm's lift is measured against its own campaign's
// control. An outcome column (opened, clicked, unsubscribed, amount) is kept only if every
// campaign recorded it. Arms of other names that sent the same message on the same channel are
// one arm (`a + b`), since the simulator cannot tell them apart. Each of these is warned of.
HistoryLoad PoolHistories(std::vector<History> campaigns, const std::string& control);

}  // namespace relc::calibrate
