#include "BenchReport.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QSysInfo>
#include <QThread>

#include <algorithm>

namespace echw::bench {

BenchReport::BenchReport(QString scenario, QStringList columns)
    : m_scenario(std::move(scenario))
    , m_columns(columns.isEmpty() ? QStringList{QStringLiteral("value")} : std::move(columns))
{}

void BenchReport::addRow(const QString& what, double value, const QString& unit,
                         const QString& goal, const QString& note)
{
    addRow(what, QList<double>{value}, unit, goal, note);
}

void BenchReport::addRow(const QString& what, const QList<double>& values, const QString& unit,
                         const QString& goal, const QString& note)
{
    m_rows.append({what, values, unit, goal, note});
}

void BenchReport::addNote(const QString& note)
{
    m_notes.append(note);
}

QString BenchReport::table() const
{
    qsizetype width = 4;
    for (const Row& row : m_rows)
        width = std::max(width, row.what.size());
    QString out = QStringLiteral("what").leftJustified(width);
    for (const QString& column : m_columns)
        out += QStringLiteral(" | ") + column.right(14).rightJustified(14);
    out += QStringLiteral(" | %1 | note\n").arg(QStringLiteral("goal").leftJustified(12));
    for (const Row& row : m_rows) {
        out += row.what.leftJustified(width);
        for (const double value : row.values) {
            const bool whole = value == double(qint64(value));
            const int decimals = whole || value >= 1000 ? 0 : value < 10 ? 3 : 1;
            out += QStringLiteral(" | ") +
                   (QString::number(value, 'f', decimals) + u' ' + row.unit).rightJustified(14);
        }
        out += QStringLiteral(" | %1 | %2\n").arg(row.goal.leftJustified(12), row.note);
    }
    for (const QString& note : m_notes)
        out += QStringLiteral("note: %1\n").arg(note);
    return out;
}

QJsonObject BenchReport::json() const
{
    QJsonArray rows;
    for (const Row& row : m_rows) {
        QJsonObject values;
        for (qsizetype i = 0; i < row.values.size() && i < m_columns.size(); ++i)
            values.insert(m_columns[i], row.values[i]);
        rows.append(QJsonObject{{QStringLiteral("what"), row.what},
                                {QStringLiteral("value"), row.values.value(0)},
                                {QStringLiteral("values"), values},
                                {QStringLiteral("unit"), row.unit},
                                {QStringLiteral("goal"), row.goal},
                                {QStringLiteral("note"), row.note}});
    }
    return QJsonObject{
        {QStringLiteral("scenario"), m_scenario},
        {QStringLiteral("columns"), QJsonArray::fromStringList(m_columns)},
        {QStringLiteral("notes"), QJsonArray::fromStringList(m_notes)},
        {QStringLiteral("date"), QDateTime::currentDateTimeUtc().toString(Qt::ISODate)},
        {QStringLiteral("machine"), machine()},
        {QStringLiteral("results"), rows}};
}

QJsonObject BenchReport::machine()
{
    QString cpu;
    QFile info(QStringLiteral("/proc/cpuinfo"));
    if (info.open(QIODevice::ReadOnly)) {
        for (const QByteArray& line : info.readAll().split('\n')) {
            if (line.startsWith("model name")) {
                cpu = QString::fromUtf8(line.mid(line.indexOf(':') + 1)).trimmed();
                break;
            }
        }
    }
    return QJsonObject{
        {QStringLiteral("cores"), QThread::idealThreadCount()},
        {QStringLiteral("cpu"), cpu},
        {QStringLiteral("os"), QSysInfo::prettyProductName()},
#ifdef NDEBUG
        {QStringLiteral("build"), QStringLiteral("optimised")},
#else
        {QStringLiteral("build"), QStringLiteral("debug")},
#endif
    };
}

double median(QList<double>& samples)
{
    if (samples.isEmpty())
        return 0;
    std::sort(samples.begin(), samples.end());
    const qsizetype mid = samples.size() / 2;
    return samples.size() % 2 ? samples[mid] : (samples[mid - 1] + samples[mid]) / 2;
}

} // namespace echw::bench
