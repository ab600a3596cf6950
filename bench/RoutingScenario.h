#pragma once

#include "BenchReport.h"

namespace echw::bench {

// The routing scenario of targets.md: both real China lists loaded, then 1M lookups with a
// hot cache (a small working set), a cold cache (every address new) and no cache at all.
BenchReport runRoutingScenario(int runs);

} // namespace echw::bench
