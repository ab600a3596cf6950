// The desktop app's lifecycle as the system drives it: the real ech-workers-gui (offscreen)
// with the local demo running, then a signal (log-out, kill, Ctrl+C) or a kill -9. A signal
// quits as the tray's Quit does (exit code 0, the demo's server and website gone); after a
// kill -9 the demo's processes end all the same.
#include "ProcessFixture.h"
#include "config/AppSettings.h"
#include "config/SettingsStore.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <memory>
#include <sys/types.h>

using namespace echw;

namespace {

constexpr int kWaitMs = 30000;

// The live (not zombie) processes whose parent is `pid`, from /proc/<pid>/stat (proc(5): the
// state and the parent follow the command name in parentheses).
QList<qint64> childrenOf(qint64 pid)
{
    QList<qint64> children;
    const QStringList entries = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs);
    for (const QString& entry : entries) {
        bool numeric = false;
        const qint64 candidate = entry.toLongLong(&numeric);
        if (!numeric)
            continue;
        QFile stat(QStringLiteral("/proc/%1/stat").arg(entry));
        if (!stat.open(QIODevice::ReadOnly))
            continue;
        const QByteArray line = stat.readAll();
        const QList<QByteArray> fields = line.mid(line.lastIndexOf(')') + 2).split(' ');
        if (fields.size() >= 2 && fields[0] != "Z" && fields[1].toLongLong() == pid)
            children.append(candidate);
    }
    return children;
}

} // namespace

class TestGuiLifecycle : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void aSignalQuitsLikeQuit_data();
    void aSignalQuitsLikeQuit();
    void theDemoEndsWhenTheAppIsKilled();
    void theDemoServersTokenIsNotOnItsCommandLine();

private:
    // The app with the demo running: its server and website are up and the engine tunnels to
    // them. Returns their process ids.
    QList<qint64> startAppWithDemo();

    std::unique_ptr<QTemporaryDir> m_home;
    std::unique_ptr<QProcess> m_app;
    QByteArray m_output;
};

void TestGuiLifecycle::init()
{
    m_home = std::make_unique<QTemporaryDir>();
    QVERIFY(m_home->isValid());
    AppSettings settings;
    settings.listen = QStringLiteral("127.0.0.1:0");
    const QString config = m_home->filePath(QStringLiteral("config/ech-workers"));
    QVERIFY(QDir().mkpath(config));
    QVERIFY(!SettingsStore(config + QStringLiteral("/settings.json")).save(settings));
    m_output.clear();
}

void TestGuiLifecycle::cleanup()
{
    if (m_app && m_app->state() != QProcess::NotRunning) {
        m_app->kill();
        m_app->waitForFinished(kWaitMs);
    }
    m_app.reset();
}

QList<qint64> TestGuiLifecycle::startAppWithDemo()
{
    m_app = std::make_unique<QProcess>();
    m_app->setProcessChannelMode(QProcess::MergedChannels);
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    environment.insert(QStringLiteral("XDG_CONFIG_HOME"),
                       m_home->filePath(QStringLiteral("config")));
    environment.insert(QStringLiteral("XDG_DATA_HOME"), m_home->filePath(QStringLiteral("data")));
    environment.insert(QStringLiteral("XDG_CACHE_HOME"), m_home->filePath(QStringLiteral("cache")));
    environment.insert(QStringLiteral("ECHW_SERVER_BIN"), QStringLiteral(ECHW_SERVER_BIN));
    environment.insert(QStringLiteral("ECHW_ORIGIN_BIN"), QStringLiteral(ECHW_ORIGIN_BIN));
    m_app->setProcessEnvironment(environment);
    connect(m_app.get(), &QProcess::readyRead, this, [this] { m_output += m_app->readAll(); });
    m_app->start(QStringLiteral(ECHW_GUI_BIN), {QStringLiteral("--demo")});
    if (!m_app->waitForStarted(kWaitMs))
        return {};
    // The engine's first ECH fetch is answered by the demo server: both children are up.
    if (!QTest::qWaitFor([this] { return m_output.contains("ECH config for ech-demo.test ready"); },
                         kWaitMs))
        return {};
    return childrenOf(m_app->processId());
}

void TestGuiLifecycle::aSignalQuitsLikeQuit_data()
{
    QTest::addColumn<int>("signalNumber");
    QTest::newRow("SIGTERM") << SIGTERM;
    QTest::newRow("SIGINT") << SIGINT;
    QTest::newRow("SIGHUP") << SIGHUP;
}

void TestGuiLifecycle::aSignalQuitsLikeQuit()
{
    QFETCH(int, signalNumber);
    const QList<qint64> demo = startAppWithDemo();
    QVERIFY2(demo.size() == 2, m_output.constData());

    ::kill(pid_t(m_app->processId()), signalNumber);
    // A second one while it stops changes nothing.
    ::kill(pid_t(m_app->processId()), signalNumber);
    QVERIFY(m_app->waitForFinished(kWaitMs));
    m_output += m_app->readAll();
    QVERIFY2(m_app->exitStatus() == QProcess::NormalExit && m_app->exitCode() == 0,
             qPrintable(QStringLiteral("exit status %1, code %2\n%3")
                            .arg(int(m_app->exitStatus()))
                            .arg(m_app->exitCode())
                            .arg(QString::fromUtf8(m_output.right(6000)))));
    for (qint64 pid : demo)
        QVERIFY2(!echw::test::processAlive(pid),
                 qPrintable(QStringLiteral("demo process %1 still runs").arg(pid)));
}

void TestGuiLifecycle::theDemoEndsWhenTheAppIsKilled()
{
    const QList<qint64> demo = startAppWithDemo();
    QVERIFY2(demo.size() == 2, m_output.constData());

    m_app->kill(); // SIGKILL: the app runs no code of its own
    QVERIFY(m_app->waitForFinished(kWaitMs));
    for (qint64 pid : demo)
        QTRY_VERIFY_WITH_TIMEOUT(!echw::test::processAlive(pid), kWaitMs);
}

void TestGuiLifecycle::theDemoServersTokenIsNotOnItsCommandLine()
{
    const QList<qint64> demo = startAppWithDemo();
    QVERIFY2(demo.size() == 2, m_output.constData());
    for (qint64 pid : demo) {
        QFile commandLine(QStringLiteral("/proc/%1/cmdline").arg(pid));
        QVERIFY(commandLine.open(QIODevice::ReadOnly));
        // Every local user can read this file; the token goes through the environment.
        QVERIFY(!commandLine.readAll().split('\0').contains("-token"));
    }
}

QTEST_GUILESS_MAIN(TestGuiLifecycle)
#include "tst_guilifecycle.moc"
