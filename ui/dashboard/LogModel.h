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
    void clear();
    int capacity() const { return int(m_lines.capacity()); }
    const LogLine& line(int row) const { return m_lines.at(std::size_t(row)); }

    static QString levelName(QtMsgType level);
    // One line as copied or saved: "2026-12-04 05:47:41.123 Warning [echw.inbound] message".
    static QString lineText(const LogLine& line);

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;

private:
    RingBuffer<LogLine> m_lines;
};

} // namespace echw
