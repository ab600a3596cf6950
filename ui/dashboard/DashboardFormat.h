#pragma once

#include "routing/RoutingDecision.h"

#include <QString>

namespace echw {

// Human units for the dashboard, binary multiples: "512 B", "1.5 KiB", "12.3 MiB".
QString formatBytes(double bytes);
// "1.5 MiB/s".
QString formatRate(double bytesPerSecond);
// The route column's word for an action ("direct", "tunnel", "block"), translated.
QString routeActionText(RouteAction action);
// Why a connection took its route, translated: "in China list 1.2.0.0/16", "rule 3: ...".
QString routeReasonText(const RouteReason& reason);
// "0.4 µs", "425 µs".
QString formatMicroseconds(qint64 nanoseconds);
// "m:ss" below an hour, "h:mm:ss" from there.
QString formatDuration(qint64 milliseconds);

// The binary unit a value is best shown in: divisor (1, 1024, 1024^2, ...) and its name ("B",
// "KiB", ...), so a chart axis can scale a whole series at once.
struct ByteUnit {
    double divisor = 1;
    QString name;
};
ByteUnit byteUnitFor(double bytes);

} // namespace echw
