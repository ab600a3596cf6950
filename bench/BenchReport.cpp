#include "BenchReport.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QSysInfo>
#include <QThread>

#include <algorithm>

namespace echw::bench {

BenchReport::BenchReport(QString scenario)
    : m_scenario(std::move(scenario))
{}

void BenchReport::addRow(const QString& what, double value, const QString& unit,
                         const QString& goal, const QString& note)
{
    m_rows.append({what, value, unit, goal, note});
}

QString BenchReport::table() const
{
    QString out = QStringLiteral("%1 | %2 | %3 | %4\n")
                      .arg(QStringLiteral("what").leftJustified(44),
                           QStringLiteral("value").rightJustified(12),
                           QStringLiteral("goal").leftJustified(12), QStringLiteral("note"));
    for (const Row& row : m_rows) {
        out += QStringLiteral("%1 | %2 | %3 | %4\n")
                   .arg(row.what.leftJustified(44),
                        (QString::number(row.value, 'f', row.value < 100 ? 2 : 0) + u' ' + row.unit)
                            .rightJustified(12),
                        row.goal.leftJustified(12), row.note);
    }
    return out;
}

QJsonObject BenchReport::json() const
{
    QJsonArray rows;
    for (const Row& row : m_rows) {
        rows.append(QJsonObject{{QStringLiteral("what"), row.what},
                                {QStringLiteral("value"), row.value},
                                {QStringLiteral("unit"), row.unit},
                                {QStringLiteral("goal"), row.goal},
                                {QStringLiteral("note"), row.note}});
    }
    return QJsonObject{
        {QStringLiteral("scenario"), m_scenario},
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
