#pragma once

#include "DashboardTableModel.h"
#include "RingBuffer.h"
#include "system/LogCollector.h"

#include <QList>

namespace echw {

// The dashboard's log, oldest on top, in a capped ring buffer: each batch is one removal of the
// oldest rows (when full) and one insertion at the bottom, so a million lines never freeze the
// view and memory stays bounded.
class LogModel final : public DashboardTableModel {
    Q_OBJECT
public:
    static constexpr int kDefaultCapacity = 20'000;

    enum Column { Time, Level, Category, Message, ColumnCount };

    explicit LogModel(int capacity = kDefaultCapacity, QObject* parent = nullptr);

    void append(const QList<LogLine>& lines);
    int capacity() const { return int(m_lines.capacity()); }
    const LogLine& line(int row) const { return m_lines.at(std::size_t(row)); }

    // Severity in increasing order (QtMsgType's values are not): Debug 0, Info 1, Warning 2,
    // Critical 3, Fatal 4.
    static int severity(QtMsgType level);
    static QString levelName(QtMsgType level);

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;

private:
    RingBuffer<LogLine> m_lines;
};

} // namespace echw
