#pragma once

#include <QTest>

namespace echw::test {

// Qt Test rows for payload checks through a WebSocket: column `size`, and `frameSize` for the
// sender's largest frame (0: its default). The sizes sit on both sides of the frame header's
// length forms (RFC 6455 section 5.2: 7-bit up to 125, 16-bit up to 65535, 64-bit beyond);
// `fragmented` adds one message split into continuation frames of such sizes (section 5.4).
inline void addWebSocketPayloadRows(bool fragmented)
{
    QTest::addColumn<qsizetype>("size");
    QTest::addColumn<quint64>("frameSize");
    for (const qsizetype size : {0, 1, 125, 126, 65535, 65536, 1024 * 1024})
        QTest::addRow("%lld bytes", qlonglong(size)) << size << quint64(0);
    if (!fragmented)
        return;
    for (const quint64 frameSize : {1, 125, 126, 65535, 65536})
        QTest::addRow("200000 bytes in frames of %llu", frameSize)
            << qsizetype(200000) << frameSize;
}

} // namespace echw::test
