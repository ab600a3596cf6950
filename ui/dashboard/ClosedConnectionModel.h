#pragma once

#include "NewestFirstModel.h"
#include "metrics/EngineSnapshot.h"

#include <QList>
#include <QTime>

namespace echw {

// A finished connection with its final counts, and when the engine reported it (within one
// snapshot interval of its end).
struct ClosedConnection {
    ConnectionSample sample;
    QTime closedAt;
};

// The connections that finished, newest on top, with their final counts, at most `capacity` of
// them.
class ClosedConnectionModel final : public NewestFirstModel {
    Q_OBJECT
public:
    static constexpr int kDefaultCapacity = 1000;

    enum Column { Closed, Target, Via, Route, Matched, Up, Down, Duration, ColumnCount };

    explicit ClosedConnectionModel(int capacity = kDefaultCapacity, QObject* parent = nullptr);

    // `closed` oldest first, as the engine snapshots carry them.
    void append(const QList<ClosedConnection>& closed);

private:
    static Row makeRow(const ClosedConnection& closed);
    QVariant toolTip(const Row& row, int column) const override;
};

} // namespace echw
