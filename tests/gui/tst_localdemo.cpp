// The local demo end to end: the real worker server and website as child processes, the
// engine tunnelling to them with ECH, curl and the demo traffic going through it.
#include "EngineController.h"
#include "demo/DemoTraffic.h"
#include "demo/LocalDemo.h"

#include <QProcess>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace echw;

namespace {
constexpr int kWaitMs = 20'000;
}

class TestLocalDemo : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_state.isValid());
        QSignalSpy ready(&m_demo, &LocalDemo::ready);
        m_demo.start({QStringLiteral(ECHW_SERVER_BIN), QStringLiteral(ECHW_ORIGIN_BIN)},
                     m_state.path());
        QVERIFY(ready.wait(kWaitMs));
        QVERIFY(m_demo.isReady());
    }

    void offersAValidProfile()
    {
        const ServerProfile& profile = m_demo.profile();
        QVERIFY2(profile.validate(0).isEmpty(), qPrintable(profile.validate(0).value(0).message()));
        QVERIFY(profile.address.startsWith(QStringLiteral("localhost:")));
        QVERIFY(!profile.token.isEmpty());
        QVERIFY(!profile.withoutEch);
        QVERIFY(QFile::exists(profile.caFile));
    }

    void curlGoesThroughTheTunnelWithEchAccepted()
    {
        startEngine();
        QProcess curl;
        curl.start(QStringLiteral(ECHW_CURL_BIN),
                   {QStringLiteral("-sS"), QStringLiteral("--max-time"), QStringLiteral("15"),
                    QStringLiteral("--socks5-hostname"), m_engine.listenAddress(),
                    QStringLiteral("http://localhost:%1/hello").arg(m_demo.originPort())});
        QVERIFY(curl.waitForFinished(kWaitMs));
        QCOMPARE(curl.exitCode(), 0);
        QCOMPARE(curl.readAllStandardOutput(), QByteArray("hello from localhost:") +
                                                   QByteArray::number(m_demo.originPort()) + '\n');
        QVERIFY(waitForSnapshot([](const EngineSnapshot& s) {
            return s.tunnel.state == TunnelStatus::State::EchAccepted;
        }));
    }

    void demoTrafficShowsUpInSnapshots()
    {
        startEngine();
        DemoTraffic traffic;
        const QString address = m_engine.listenAddress();
        traffic.start(address.section(u':', 0, 0), quint16(address.section(u':', 1).toUInt()),
                      m_demo.originPort());
        QVERIFY(waitForSnapshot([](const EngineSnapshot& s) {
            return s.tunnelConnections >= 1 && s.rateDown > 0 && s.bytesDown > 1'000'000;
        }));
        QVERIFY(QTest::qWaitFor([&] { return traffic.completed() >= 1; }, kWaitMs));
        traffic.stop();
        QVERIFY(waitForSnapshot([](const EngineSnapshot& s) { return s.connections.isEmpty(); }));
    }

    void reportsAMissingProgram()
    {
        LocalDemo demo;
        QSignalSpy failed(&demo, &LocalDemo::failed);
        demo.start({QString(), QStringLiteral(ECHW_ORIGIN_BIN)}, m_state.path());
        QVERIFY(failed.wait(kWaitMs));
        QVERIFY2(failed[0][0].toString().contains(QStringLiteral("ech-workers-server")),
                 qPrintable(failed[0][0].toString()));
        QVERIFY(!demo.isReady());
    }

    void stopEndsTheServer()
    {
        LocalDemo demo;
        QSignalSpy ready(&demo, &LocalDemo::ready);
        demo.start({QStringLiteral(ECHW_SERVER_BIN), QStringLiteral(ECHW_ORIGIN_BIN)},
                   m_state.path());
        QVERIFY(ready.wait(kWaitMs));
        const quint16 port = quint16(demo.profile().address.section(u':', 1).toUInt());
        demo.stop();
        QTcpSocket probe;
        probe.connectToHost(QHostAddress::LocalHost, port);
        QVERIFY(!probe.waitForConnected(5000));
    }

    void cleanupTestCase()
    {
        m_engine.stop();
        m_demo.stop();
    }

private:
    void startEngine()
    {
        if (m_engine.isRunning())
            return;
        AppSettings settings;
        settings.servers = {m_demo.profile()};
        settings.activeServerId = m_demo.profile().id;
        settings.routing = RoutingMode::Global;
        settings.listen = QStringLiteral("127.0.0.1:0");
        const auto proxy = settings.toProxySettings();
        QVERIFY(std::holds_alternative<ProxySettings>(proxy));
        m_engine.setSnapshotInterval(std::chrono::milliseconds(100));
        QSignalSpy started(&m_engine, &EngineController::started);
        m_engine.start(std::get<EngineConfig>(EngineConfig::parse(std::get<ProxySettings>(proxy))));
        QVERIFY(started.wait(kWaitMs));
    }

    template <typename Predicate> bool waitForSnapshot(Predicate predicate)
    {
        bool matched = false;
        auto connection =
            connect(&m_engine, &EngineController::snapshotReady, this,
                    [&](const EngineSnapshot& s) { matched = matched || predicate(s); });
        const bool ok = QTest::qWaitFor([&] { return matched; }, kWaitMs);
        disconnect(connection);
        return ok;
    }

    QTemporaryDir m_state;
    LocalDemo m_demo;
    EngineController m_engine;
};

QTEST_MAIN(TestLocalDemo)
#include "tst_localdemo.moc"
