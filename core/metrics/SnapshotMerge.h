#pragma once

#include "metrics/EngineSnapshot.h"

namespace echw {

// Puts connections in the order the dashboard lists them: by `sort.key`, ties in start order
// (connection id, ascending), so equal rows keep their places between snapshots; Started is id
// order itself. One registry and a merge of several engines' lists sort alike through this.
void sortConnections(QList<ConnectionSample>& rows, const ConnectionSort& sort);

// One dashboard snapshot of several engines, each taken on its own thread with its connections
// sorted by `sort`; connection ids must be unique across the engines (the caller's part).
// Counts, byte totals and rates are summed; the connections are listed together in the order
// one registry holding them all would give them; `running` is true when any engine runs and
// `intervalMs` is the longest. A routing decision carries no time, so the decisions follow
// each other engine by engine in the list's order, each engine's oldest first; past
// EngineSnapshot::kMaxDecisions the front of that list goes and counts in droppedDecisions with
// what each engine dropped itself. `sequence`, `listenAddress` and `tunnel` describe the group,
// not an engine: they are left at their defaults for the caller to set. No engines: an empty,
// stopped snapshot.
EngineSnapshot mergeSnapshots(QList<EngineSnapshot> perEngine, const ConnectionSort& sort);

} // namespace echw
