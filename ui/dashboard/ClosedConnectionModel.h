#pragma once

#include "NewestFirstModel.h"
#include "metrics/EngineSnapshot.h"

#include <QList>
#include <QTime>

namespace echw {

// The connections that finished, newest on top, with their final counts, at most `capacity` of
// them.
class ClosedConnectionModel final : public NewestFirstModel {
    Q_OBJECT
public:
    static constexpr int kDefaultCapacity = 1000;

    enum Column { Closed, Target, Via, Route, Matched, Up, Down, Duration, ColumnCount };

    explicit ClosedConnectionModel(int capacity = kDefaultCapacity, QObject* parent = nullptr);

    // `closed` oldest first, as the engine snapshot carries them; `at` is when they were
    // reported (within one snapshot interval of their end).
    void append(const QList<ConnectionSample>& closed, const QTime& at);

private:
    static Row makeRow(const ConnectionSample& sample, const QTime& at);
    QVariant toolTip(const Row& row, int column) const override;
};

} // namespace echw
