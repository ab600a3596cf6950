#include "RunningProxy.h"
#include "system/LogCollector.h"
#include "system/LogOutput.h"

#include <QLoggingCategory>
#include <QMutex>
#include <QMutexLocker>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

namespace {

Q_LOGGING_CATEGORY(lcSample, "echw.sample")

constexpr int kWaitMs = 10'000;

// What reached the handler installed before the collector (stderr in the programs).
QMutex g_forwardedMutex;
QStringList g_forwarded;

void recordForwarded(QtMsgType, const QMessageLogContext&, const QString& message)
{
    QMutexLocker lock(&g_forwardedMutex);
    g_forwarded.append(message);
}

QStringList takeForwarded()
{
    QMutexLocker lock(&g_forwardedMutex);
    return std::exchange(g_forwarded, {});
}

QStringList messagesOf(const QList<echw::LogLine>& lines, QtMsgType level)
{
    QStringList messages;
    for (const echw::LogLine& line : lines) {
        if (line.level == level)
            messages.append(line.message);
    }
    return messages;
}

} // namespace

class TestLogCollector : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        m_previous = qInstallMessageHandler(recordForwarded);
        takeForwarded();
    }

    void cleanup() { qInstallMessageHandler(m_previous); }

    void collectsDebugOnlyWhileAskedFor()
    {
        echw::LogCollector collector(QtInfoMsg);
        qCDebug(lcSample, "before");
        qCInfo(lcSample, "info line");
        collector.collectFrom(QtDebugMsg);
        qCDebug(lcSample, "asked for");
        collector.collectFrom(QtInfoMsg);
        qCDebug(lcSample, "after");

        const QList<echw::LogLine> lines = collector.take();
        QCOMPARE(messagesOf(lines, QtDebugMsg), QStringList{QStringLiteral("asked for")});
        QCOMPARE(messagesOf(lines, QtInfoMsg), QStringList{QStringLiteral("info line")});
    }

    void forwardsOnlyFromTheTerminalsLevel()
    {
        echw::LogCollector collector(QtWarningMsg);
        qCInfo(lcSample, "for the view only");
        qCWarning(lcSample, "for both");

        QCOMPARE(takeForwarded(), QStringList{QStringLiteral("for both")});
        QCOMPARE(collector.take().size(), 2);
    }

    void aTerminalAtDebugKeepsDebugWhateverTheViewAsks()
    {
        echw::LogCollector collector(QtDebugMsg);
        collector.collectFrom(QtWarningMsg);
        qCDebug(lcSample, "still wanted");
        QCOMPARE(takeForwarded(), QStringList{QStringLiteral("still wanted")});
    }

    void aFailedRequestIsAWarning()
    {
        // A port nobody listens on: the proxy answers 502 and says so at Warning.
        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress::LocalHost));
        const quint16 deadPort = closed.serverPort();
        closed.close();

        echw::LogCollector collector(QtCriticalMsg);
        echw::EngineRuntime runtime;
        QCOMPARE(echw::test::startProxy(
                     runtime, echw::test::directSettings(QStringLiteral("127.0.0.1:0")), 1),
                 std::nullopt);
        QTcpSocket client;
        client.connectToHost(QHostAddress::LocalHost, echw::test::proxyPort(runtime));
        QVERIFY(client.waitForConnected(kWaitMs));
        client.write(
            QStringLiteral("GET http://127.0.0.1:%1/ HTTP/1.1\r\nHost: 127.0.0.1:%1\r\n\r\n")
                .arg(deadPort)
                .toLatin1());
        QByteArray reply;
        QTRY_VERIFY_WITH_TIMEOUT((reply += client.readAll()).contains("\r\n\r\n"), kWaitMs);
        QVERIFY2(reply.startsWith("HTTP/1.1 502"), reply.constData());

        QStringList warnings;
        QTRY_VERIFY_WITH_TIMEOUT(
            !(warnings += messagesOf(collector.take(), QtWarningMsg)).isEmpty(), kWaitMs);
        QVERIFY2(warnings.first().contains(QStringLiteral("failed")), qPrintable(warnings.first()));
        runtime.stop();
    }

private:
    QtMessageHandler m_previous = nullptr;
};

QTEST_GUILESS_MAIN(TestLogCollector)
#include "tst_logcollector.moc"
