#include "LogCollector.h"

#include "LogOutput.h"

#include <QMutexLocker>

#include <atomic>

namespace echw {

namespace {

std::atomic<LogCollector*> g_collector{nullptr};
QtMessageHandler g_previous = nullptr;
std::atomic<int> g_forwardSeverity{0};

void collectMessage(QtMsgType type, const QMessageLogContext& context, const QString& message)
{
    if (LogCollector* collector = g_collector.load())
        collector->add(LogLine{QDateTime::currentDateTime(), type,
                               QString::fromUtf8(context.category ? context.category : "default"),
                               message});
    if (g_previous && logSeverity(type) >= g_forwardSeverity.load(std::memory_order_relaxed))
        g_previous(type, context, message);
}

} // namespace

LogCollector::LogCollector(QtMsgType forwardFrom)
    : m_forwardFrom(forwardFrom)
{
    LogCollector* expected = nullptr;
    if (!g_collector.compare_exchange_strong(expected, this))
        qFatal("LogCollector: only one may be installed at a time");
    g_forwardSeverity.store(logSeverity(forwardFrom), std::memory_order_relaxed);
    g_previous = qInstallMessageHandler(collectMessage);
    collectFrom(QtInfoMsg);
}

LogCollector::~LogCollector()
{
    qInstallMessageHandler(g_previous);
    g_collector.store(nullptr);
}

void LogCollector::collectFrom(QtMsgType lowest)
{
    setLoggedLevel(logSeverity(lowest) < logSeverity(m_forwardFrom) ? lowest : m_forwardFrom);
}

void LogCollector::add(LogLine line)
{
    QMutexLocker lock(&m_mutex);
    if (m_lines.size() >= std::size_t(kCapacity)) {
        m_lines.pop_front();
        ++m_dropped;
    }
    m_lines.push_back(std::move(line));
}

QList<LogLine> LogCollector::take(quint64* dropped)
{
    QMutexLocker lock(&m_mutex);
    QList<LogLine> lines(std::make_move_iterator(m_lines.begin()),
                         std::make_move_iterator(m_lines.end()));
    m_lines.clear();
    if (dropped)
        *dropped = m_dropped;
    m_dropped = 0;
    return lines;
}

} // namespace echw
