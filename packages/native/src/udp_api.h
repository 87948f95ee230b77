// Access to the process-wide, immutable fa_udp_api table (see udp_api.cc).
#pragma once

#include "fasterapi/engine_abi.h"

namespace fasterapi {

const fa_udp_api* udp_api();

}  // namespace fasterapi
