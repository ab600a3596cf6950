#pragma once

#include <QDateTime>
#include <QList>
#include <QMutex>
#include <QString>

#include <deque>

namespace echw {

// One log message as the dashboard's log view shows it.
struct LogLine {
    QDateTime time;
    QtMsgType level = QtInfoMsg;
    QString category; // e.g. "echw.tunnel"
    QString message;
};

// Collects Qt log messages from every thread (the engine's included) for the GUI, which takes
// them in batches on a timer instead of one signal per line. Bounded: when nobody takes them,
// the oldest are dropped and counted. Messages from `forwardFrom` up still go to the previous
// handler (stderr), so the terminal keeps its level while the log view collects more.
class LogCollector {
public:
    static constexpr int kCapacity = 10'000;

    // Installs the collector as the Qt message handler for the process; one at a time. It
    // collects from Info up until collectFrom() asks for more or less.
    explicit LogCollector(QtMsgType forwardFrom = QtDebugMsg);
    ~LogCollector();
    LogCollector(const LogCollector&) = delete;
    LogCollector& operator=(const LogCollector&) = delete;

    // Everything collected since the last call, oldest first; `dropped` (if given) receives
    // how many lines were lost to the capacity since then.
    QList<LogLine> take(quint64* dropped = nullptr);

    // The project's categories produce messages from `lowest` up (or from forwardFrom, when
    // that is lower). Debug messages cost time on every connection: the log view asks for
    // them only while it shows them.
    void collectFrom(QtMsgType lowest);
    QtMsgType forwardFrom() const { return m_forwardFrom; }

    // For the handler.
    void add(LogLine line);

private:
    const QtMsgType m_forwardFrom;
    QMutex m_mutex;
    std::deque<LogLine> m_lines;
    quint64 m_dropped = 0;
};

} // namespace echw
