#include "ProcessStats.h"

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QList>

#include <sys/resource.h>
#include <unistd.h>

namespace echw::bench {

namespace {

QByteArray readProcFile(qint64 pid, const char* name)
{
    QFile file(QStringLiteral("/proc/%1/%2").arg(pid).arg(QLatin1StringView(name)));
    // /proc files report size 0: readAll() reads until EOF.
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

ProcessSample sampleProcess(qint64 pid)
{
    ProcessSample sample;
    // proc(5): the command name in field 2 may hold spaces and parentheses, so fields are
    // counted from the last ')'. utime and stime are fields 14 and 15.
    const QByteArray stat = readProcFile(pid, "stat");
    const qsizetype end = stat.lastIndexOf(')');
    if (end >= 0) {
        const QList<QByteArray> fields = stat.mid(end + 2).split(' ');
        if (fields.size() > 12) {
            const double ticks = double(sysconf(_SC_CLK_TCK));
            sample.cpuSeconds = (fields[11].toDouble() + fields[12].toDouble()) / ticks;
        }
    }
    const QByteArray status = readProcFile(pid, "status");
    const qsizetype rss = status.indexOf("VmRSS:");
    if (rss >= 0) {
        const QByteArray line = status.mid(rss + 6, status.indexOf('\n', rss) - rss - 6);
        sample.rssBytes = line.trimmed().split(' ').front().toLongLong() * 1024;
    }
    sample.openFiles = int(QDir(QStringLiteral("/proc/%1/fd").arg(pid))
                               .entryList(QDir::AllEntries | QDir::System | QDir::NoDotAndDotDot)
                               .size());
    return sample;
}

double ownCpuSeconds()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

qint64 raiseOpenFileLimit()
{
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return -1;
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    getrlimit(RLIMIT_NOFILE, &limit);
    return qint64(limit.rlim_cur);
}

} // namespace echw::bench
