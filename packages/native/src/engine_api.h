// Access to the process-wide, immutable fa_engine_api table (see engine_api.cc).
#pragma once

#include "fasterapi/engine_abi.h"

namespace fasterapi {

const fa_engine_api* engine_api();

}  // namespace fasterapi
