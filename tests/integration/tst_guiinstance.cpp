// The desktop app launched twice, as a user clicking its icon again: the real ech-workers-gui
// (offscreen, scratch HOME and XDG folders). The second launch hands its request to the first
// and exits 0; an instance killed with SIGKILL leaves its lock and socket behind and the next
// start takes them over; the socket is reachable by this user alone. And started at login
// (--autostart), the app stays minimized with the proxy running.
#include "ProcessFixture.h"
#include "config/AppSettings.h"
#include "config/SettingsStore.h"
#include "desktop/XdgAutostartEntry.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <memory>
#include <sys/stat.h>
#include <unistd.h>

using namespace echw;
using namespace echw::test;
using namespace std::chrono_literals;

namespace {

constexpr auto kWait = 30s;
constexpr QLatin1StringView kRaised("a second launch: the dashboard comes to the front");
constexpr QLatin1StringView kListening("later launches reach it at");

mode_t modeOf(const QString& path)
{
    struct stat info {};
    if (::lstat(QFile::encodeName(path).constData(), &info) != 0)
        return 0;
    return info.st_mode;
}

} // namespace

class TestGuiInstance : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        m_home = std::make_unique<QTemporaryDir>();
        QVERIFY(m_home->isValid());
        m_runtime = m_home->filePath(QStringLiteral("runtime"));
        QVERIFY(QDir().mkdir(m_runtime, QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                            QFileDevice::ExeOwner));
        saveSettings({});
        m_detachedApp = 0;
    }

    // An app gio started is not our child: it is stopped here when a test failed before.
    void cleanup()
    {
        if (m_detachedApp > 0 && echw::test::processAlive(m_detachedApp))
            ::kill(pid_t(m_detachedApp), SIGKILL);
    }

    void aSecondLaunchRaisesTheFirstAndExitsZero()
    {
        ServiceProcess first(QStringLiteral(ECHW_GUI_BIN), {}, environment());
        QVERIFY2(first.waitForOutput(kListening, kWait), qPrintable(first.output()));
        const QString socket = socketPath();
        QVERIFY(S_ISSOCK(modeOf(socket)));
        QCOMPARE(modeOf(socket) & 077, mode_t(0)); // this user alone
        QCOMPARE(modeOf(m_runtime) & 07777, mode_t(0700));

        const RunResult second = runProcess(QStringLiteral(ECHW_GUI_BIN), {}, kWait, environment());
        QVERIFY2(second.exitCode == 0, second.err.constData());
        QVERIFY(second.err.contains("already running"));
        QVERIFY2(first.waitForOutput(kRaised, kWait), qPrintable(first.output()));
        QVERIFY(first.isRunning());

        QCOMPARE(first.stop(kWait), 0);
        // A clean exit takes its socket and lock along.
        QVERIFY(!QFile::exists(socket));
        QVERIFY(!QFile::exists(m_runtime + QStringLiteral("/ech-workers-gui.lock")));
    }

    void aLaunchAtLoginDoesNotRaiseTheRunningApp()
    {
        ServiceProcess first(QStringLiteral(ECHW_GUI_BIN), {}, environment());
        QVERIFY2(first.waitForOutput(kListening, kWait), qPrintable(first.output()));
        const RunResult second = runProcess(QStringLiteral(ECHW_GUI_BIN),
                                            {QStringLiteral("--autostart")}, kWait, environment());
        QVERIFY2(second.exitCode == 0, second.err.constData());
        QVERIFY(!first.output().contains(kRaised));
        QCOMPARE(first.stop(kWait), 0);
    }

    void twoLaunchesAtOnceLeaveOneRunning()
    {
        ServiceProcess one(QStringLiteral(ECHW_GUI_BIN), {}, environment());
        ServiceProcess other(QStringLiteral(ECHW_GUI_BIN), {}, environment());
        // The lock decides: one of them listens, the other hands over and ends.
        const auto waitMs = int(std::chrono::milliseconds(kWait).count());
        QVERIFY(QTest::qWaitFor(
            [&] {
                return one.output().contains(kListening) || other.output().contains(kListening);
            },
            waitMs));
        const bool oneListens = one.output().contains(kListening);
        ServiceProcess& running = oneListens ? one : other;
        ServiceProcess& ended = oneListens ? other : one;
        QVERIFY2(ended.waitForOutput(QStringLiteral("already running"), kWait),
                 qPrintable(ended.output()));
        QVERIFY(QTest::qWaitFor([&] { return !ended.isRunning(); }, waitMs));
        QCOMPARE(ended.stop(kWait), 0);
        QVERIFY(!ended.output().contains(kListening));
        QVERIFY2(running.waitForOutput(kRaised, kWait), qPrintable(running.output()));
        QVERIFY(running.isRunning());
        QCOMPARE(running.stop(kWait), 0);
    }

    void aKilledInstanceDoesNotBlockTheNextStart()
    {
        {
            ServiceProcess killed(QStringLiteral(ECHW_GUI_BIN), {}, environment());
            QVERIFY2(killed.waitForOutput(kListening, kWait), qPrintable(killed.output()));
            QCOMPARE(killed.stopWith(SIGKILL, 1, kWait), -1);
        }
        // What SIGKILL leaves behind: a lock whose owner is gone and a socket nobody serves.
        QVERIFY(S_ISSOCK(modeOf(socketPath())));
        QVERIFY(QFile::exists(m_runtime + QStringLiteral("/ech-workers-gui.lock")));

        ServiceProcess next(QStringLiteral(ECHW_GUI_BIN), {}, environment());
        QVERIFY2(next.waitForOutput(kListening, kWait), qPrintable(next.output()));
        const RunResult again = runProcess(QStringLiteral(ECHW_GUI_BIN), {}, kWait, environment());
        QVERIFY2(again.exitCode == 0, again.err.constData());
        QVERIFY2(next.waitForOutput(kRaised, kWait), qPrintable(next.output()));
        QCOMPARE(next.stop(kWait), 0);
    }

    void withoutXdgRuntimeDirAPrivateFolderInTempIsUsed()
    {
        const QString temp = m_home->filePath(QStringLiteral("tmp"));
        QVERIFY(QDir().mkdir(temp));
        const QStringList withoutRuntime = environment(QString(), temp);
        ServiceProcess first(QStringLiteral(ECHW_GUI_BIN), {}, withoutRuntime);
        QVERIFY2(first.waitForOutput(kListening, kWait), qPrintable(first.output()));
        const QString folder = temp + QStringLiteral("/ech-workers-%1").arg(::geteuid());
        QCOMPARE(modeOf(folder) & 07777, mode_t(0700));
        QCOMPARE(modeOf(folder + QStringLiteral("/ech-workers-gui.socket")) & 077, mode_t(0));

        const RunResult second =
            runProcess(QStringLiteral(ECHW_GUI_BIN), {}, kWait, withoutRuntime);
        QVERIFY2(second.exitCode == 0, second.err.constData());
        QVERIFY2(first.waitForOutput(kRaised, kWait), qPrintable(first.output()));
        QCOMPARE(first.stop(kWait), 0);
    }

    void startedAtLoginItStaysMinimizedWithTheProxyRunning()
    {
        saveSettings({unreachableServer()});

        ServiceProcess app(QStringLiteral(ECHW_GUI_BIN), {QStringLiteral("--autostart")},
                           environment());
        const quint16 port = app.waitForPort(kWait);
        QVERIFY2(port != 0, qPrintable(app.output()));
        QVERIFY(app.output().contains(QStringLiteral("started at login: the window stays "
                                                     "minimized")));
        QTcpSocket client;
        client.connectToHost(QHostAddress::LocalHost, port);
        QVERIFY(client.waitForConnected(int(std::chrono::milliseconds(kWait).count())));
        QCOMPARE(app.stop(kWait), 0);
    }

    // The entry as a desktop session runs it: GLib's desktop entry launcher (gnome-session's)
    // reads its Exec line, here with a program path that needs every kind of quoting.
    void theAutostartEntryStartsTheAppAsTheDesktopWould()
    {
        const QString gio = QStandardPaths::findExecutable(QStringLiteral("gio"));
        if (gio.isEmpty())
            QSKIP("gio (GLib's desktop entry launcher) is not installed");
        saveSettings({unreachableServer()});
        // No '%' here: GLib checks that the program exists with shell quoting rules, which
        // leave the Exec key's "%%" doubled (unit.desktop.xdgautostartentry covers '%').
        const QString folder = m_home->filePath(QStringLiteral("odd $folder \"it's\" `x`"));
        QVERIFY(QDir().mkpath(folder));
        const QString program = folder + QStringLiteral("/ech-workers-gui");
        QVERIFY(QFile::link(QStringLiteral(ECHW_GUI_BIN), program));
        const QString entryPath =
            m_home->filePath(QStringLiteral("config/autostart/ech-workers.desktop"));
        XdgAutostartEntry entry(entryPath, {program, {QStringLiteral("--autostart")}});
        QCOMPARE(entry.setEnabled(true).value_or(QString()), QString());

        // gio starts the app and ends; the app writes to the log gio was given.
        ServiceProcess launcher(gio, {QStringLiteral("launch"), entryPath}, environment());
        QVERIFY2(launcher.waitForOutput(kListening, kWait), qPrintable(launcher.output()));
        const auto pid = QRegularExpression(QStringLiteral("the one instance \\(process (\\d+)\\)"))
                             .match(launcher.output())
                             .captured(1)
                             .toLongLong();
        QVERIFY(pid > 0);
        m_detachedApp = pid;
        // waitForPort ends with gio; the app goes on.
        QVERIFY2(launcher.waitForOutput(QStringLiteral("the proxy is listening on"), kWait),
                 qPrintable(launcher.output()));
        const auto port =
            quint16(QRegularExpression(QStringLiteral("the proxy is listening on \\S*:(\\d+)"))
                        .match(launcher.output())
                        .captured(1)
                        .toUInt());
        QVERIFY(port != 0);
        QVERIFY(launcher.output().contains(QStringLiteral("started at login")));
        QTcpSocket client;
        client.connectToHost(QHostAddress::LocalHost, port);
        QVERIFY(client.waitForConnected(int(std::chrono::milliseconds(kWait).count())));

        ::kill(pid_t(pid), SIGTERM);
        QTRY_VERIFY_WITH_TIMEOUT(!echw::test::processAlive(pid),
                                 int(std::chrono::milliseconds(kWait).count()));
    }

private:
    static ServerProfile unreachableServer()
    {
        ServerProfile server;
        server.id = ServerProfile::newId();
        server.name = QStringLiteral("nowhere");
        // Nothing answers there: the engine starts (it listens at once), tunnels would fail.
        server.address = QStringLiteral("localhost:1");
        server.dohServer = QStringLiteral("https://127.0.0.1:1/dns-query");
        return server;
    }

    QString socketPath() const { return m_runtime + QStringLiteral("/ech-workers-gui.socket"); }

    // The app's environment: everything it writes stays in the scratch home.
    QStringList environment(const QString& runtime, const QString& temp = {}) const
    {
        QStringList variables{
            QStringLiteral("QT_QPA_PLATFORM=offscreen"),
            QStringLiteral("HOME=") + m_home->path(),
            QStringLiteral("XDG_CONFIG_HOME=") + m_home->filePath(QStringLiteral("config")),
            QStringLiteral("XDG_DATA_HOME=") + m_home->filePath(QStringLiteral("data")),
            QStringLiteral("XDG_CACHE_HOME=") + m_home->filePath(QStringLiteral("cache")),
            QStringLiteral("XDG_RUNTIME_DIR=") + runtime,
        };
        if (!temp.isEmpty())
            variables.append(QStringLiteral("TMPDIR=") + temp);
        return variables;
    }
    QStringList environment() const { return environment(m_runtime); }

    void saveSettings(const QList<ServerProfile>& servers)
    {
        AppSettings settings;
        settings.listen = QStringLiteral("127.0.0.1:0");
        settings.servers = servers;
        if (!servers.isEmpty())
            settings.activeServerId = servers.first().id;
        const QString config = m_home->filePath(QStringLiteral("config/ech-workers"));
        QVERIFY(QDir().mkpath(config));
        QVERIFY(!SettingsStore(config + QStringLiteral("/settings.json")).save(settings));
    }

    std::unique_ptr<QTemporaryDir> m_home;
    QString m_runtime;
    qint64 m_detachedApp = 0;
};

QTEST_GUILESS_MAIN(TestGuiInstance)
#include "tst_guiinstance.moc"
