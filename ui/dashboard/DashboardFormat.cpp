#include "DashboardFormat.h"

#include "RoutingModes.h"

#include <QCoreApplication>

#include <algorithm>
#include <array>
#include <cmath>

namespace echw {

ByteUnit byteUnitFor(double bytes)
{
    static const std::array<QString, 5> kNames = {QStringLiteral("B"), QStringLiteral("KiB"),
                                                  QStringLiteral("MiB"), QStringLiteral("GiB"),
                                                  QStringLiteral("TiB")};
    double divisor = 1;
    std::size_t unit = 0;
    while (unit + 1 < kNames.size() && std::abs(bytes) >= divisor * 1024) {
        divisor *= 1024;
        ++unit;
    }
    return {divisor, kNames[unit]};
}

QString formatBytes(double bytes)
{
    const ByteUnit unit = byteUnitFor(bytes);
    const double scaled = bytes / unit.divisor;
    if (unit.divisor == 1)
        return QStringLiteral("%1 %2").arg(std::llround(scaled)).arg(unit.name);
    // Three significant digits at most: "1.23 MiB", "12.3 MiB", "123 MiB".
    const int decimals = scaled < 10 ? 2 : (scaled < 100 ? 1 : 0);
    return QStringLiteral("%1 %2").arg(scaled, 0, 'f', decimals).arg(unit.name);
}

QString formatRate(double bytesPerSecond)
{
    return formatBytes(bytesPerSecond) + QStringLiteral("/s");
}

QString routeActionText(RouteAction action)
{
    switch (action) {
    case RouteAction::Direct:
        return QCoreApplication::translate("echw::DashboardFormat", "direct");
    case RouteAction::Tunnel:
        return QCoreApplication::translate("echw::DashboardFormat", "tunnel");
    case RouteAction::Block:
        return QCoreApplication::translate("echw::DashboardFormat", "block");
    }
    return {};
}

QString routeReasonText(const RouteReason& reason)
{
    switch (reason.kind) {
    case RouteReason::Kind::UserRule:
        return QCoreApplication::translate("echw::DashboardFormat", "rule %1: %2")
            .arg(reason.ruleLine)
            .arg(reason.ruleText);
    case RouteReason::Kind::ChinaList:
        return QCoreApplication::translate("echw::DashboardFormat", "in China list %1")
            .arg(addressRangeText(reason.listFirst, reason.listLast));
    case RouteReason::Kind::NotInChinaList:
        return QCoreApplication::translate("echw::DashboardFormat", "not in China list");
    case RouteReason::Kind::Mode:
        return QCoreApplication::translate("echw::DashboardFormat", "routing: %1")
            .arg(routingModeLabel(reason.mode));
    case RouteReason::Kind::ResolveFailed:
        return QCoreApplication::translate("echw::DashboardFormat", "name did not resolve");
    }
    return {};
}

QString formatMicroseconds(qint64 nanoseconds)
{
    // Below 10 µs a tenth is worth showing: a cached lookup takes well under one.
    const double micro = double(std::max<qint64>(0, nanoseconds)) / 1000.0;
    return QStringLiteral("%1 µs").arg(micro, 0, 'f', micro < 10 ? 1 : 0);
}

QString formatDuration(qint64 milliseconds)
{
    const qint64 seconds = std::max<qint64>(0, milliseconds / 1000);
    const qint64 hours = seconds / 3600;
    const qint64 minutes = (seconds / 60) % 60;
    const qint64 secs = seconds % 60;
    if (hours > 0) {
        return QStringLiteral("%1:%2:%3")
            .arg(hours)
            .arg(minutes, 2, 10, QLatin1Char('0'))
            .arg(secs, 2, 10, QLatin1Char('0'));
    }
    return QStringLiteral("%1:%2").arg(minutes).arg(secs, 2, 10, QLatin1Char('0'));
}

} // namespace echw
