// The system proxy against the desktop's real settings tools: gsettings over dconf and KDE's
// kreadconfig5/kwriteconfig5, in the private session tests/support/desktop-session.sh makes.
#include "desktop/GSettingsProxyBackend.h"
#include "desktop/KioProxyBackend.h"
#include "desktop/SystemProxy.h"

#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace echw;

namespace {

// The tools are read and written here on their own, not through the code under test.
QString run(const QString& program, const QStringList& arguments)
{
    QProcess process;
    process.start(program, arguments);
    if (!process.waitForFinished(10000) || process.exitCode() != 0) {
        qWarning() << program << arguments << process.readAllStandardError();
        return QStringLiteral("<failed>");
    }
    return QString::fromUtf8(process.readAllStandardOutput()).trimmed();
}

QString gsettingsGet(const QString& schema, const QString& key)
{
    return run(QStringLiteral("gsettings"), {QStringLiteral("get"), schema, key});
}

void gsettingsSet(const QString& schema, const QString& key, const QString& value)
{
    QCOMPARE(run(QStringLiteral("gsettings"), {QStringLiteral("set"), schema, key, value}),
             QString());
}

QString kioGet(const QString& key)
{
    return run(QStringLiteral("kreadconfig5"),
               {QStringLiteral("--file"), QStringLiteral("kioslaverc"), QStringLiteral("--group"),
                QStringLiteral("Proxy Settings"), QStringLiteral("--key"), key,
                QStringLiteral("--default"), QStringLiteral("(absent)")});
}

const QString kProxy = QStringLiteral("org.gnome.system.proxy");
const QString kHttp = QStringLiteral("org.gnome.system.proxy.http");
const QString kHttps = QStringLiteral("org.gnome.system.proxy.https");
const QString kSocks = QStringLiteral("org.gnome.system.proxy.socks");

SystemProxyTarget localProxy(quint16 port = 30000)
{
    return {QStringLiteral("127.0.0.1"), port, defaultProxyBypass()};
}

std::unique_ptr<ProxySettingsBackend> gsettings()
{
    const QString tool = GSettingsProxyBackend::availableTool();
    if (tool.isEmpty())
        return nullptr;
    return std::make_unique<GSettingsProxyBackend>(tool);
}

std::unique_ptr<SystemProxy> gnomeProxy(const QString& recoveryPath)
{
    std::vector<std::unique_ptr<ProxySettingsBackend>> backends;
    backends.push_back(gsettings());
    return std::make_unique<SystemProxy>(std::move(backends), QStringLiteral("GNOME"),
                                         recoveryPath);
}

} // namespace

class TestSystemProxy : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        QVERIFY2(qEnvironmentVariable("GSETTINGS_BACKEND") == QStringLiteral("dconf"),
                 "run through tests/support/desktop-session.sh");
        QVERIFY2(gsettings() != nullptr, "gsettings with the org.gnome.system.proxy schema");
        QVERIFY2(KioProxyBackend::availableTools().has_value(), "kreadconfig5/kwriteconfig5");
        QVERIFY(m_dir.isValid());
        m_recovery = m_dir.filePath(QStringLiteral("state/system-proxy.json"));
        // The user's own settings, as a company network might have them.
        for (const QString& schema : {kProxy, kHttp, kHttps, kSocks})
            run(QStringLiteral("gsettings"), {QStringLiteral("reset-recursively"), schema});
        gsettingsSet(kProxy, QStringLiteral("mode"), QStringLiteral("'auto'"));
        gsettingsSet(kProxy, QStringLiteral("ignore-hosts"),
                     QStringLiteral("['intranet.example']"));
        gsettingsSet(kHttp, QStringLiteral("host"), QStringLiteral("'proxy.corp.example'"));
        gsettingsSet(kHttp, QStringLiteral("port"), QStringLiteral("3128"));
    }

    void cleanup() { QFile::remove(m_recovery); }

    void gsettingsPointAtTheProxyAndBack()
    {
        auto proxy = gnomeProxy(m_recovery);
        QVERIFY(!proxy->isSet());
        const auto error = proxy->set(localProxy());
        QVERIFY2(!error, qPrintable(error ? error->text() : QString()));

        QCOMPARE(gsettingsGet(kProxy, QStringLiteral("mode")), QStringLiteral("'manual'"));
        for (const QString& schema : {kHttp, kHttps, kSocks}) {
            QCOMPARE(gsettingsGet(schema, QStringLiteral("host")), QStringLiteral("'127.0.0.1'"));
            QCOMPARE(gsettingsGet(schema, QStringLiteral("port")), QStringLiteral("30000"));
        }
        const QString ignore = gsettingsGet(kProxy, QStringLiteral("ignore-hosts"));
        for (const char* host :
             {"'localhost'", "'127.0.0.0/8'", "'::1'", "'169.254.0.0/16'", "'fe80::/10'",
              "'10.0.0.0/8'", "'172.16.0.0/12'", "'192.168.0.0/16'", "'fc00::/7'"})
            QVERIFY2(ignore.contains(QLatin1String(host)), host);

        QVERIFY(proxy->isSet());
        QCOMPARE(QFile::permissions(m_recovery) & ~(QFile::ReadUser | QFile::WriteUser),
                 QFile::ReadOwner | QFile::WriteOwner);

        const SystemProxy::Outcome outcome = proxy->restore();
        QVERIFY2(!outcome.error, qPrintable(outcome.error ? outcome.error->text() : QString()));
        QCOMPARE(outcome.restored, QStringList{QStringLiteral("gsettings")});
        QCOMPARE(gsettingsGet(kProxy, QStringLiteral("mode")), QStringLiteral("'auto'"));
        QCOMPARE(gsettingsGet(kProxy, QStringLiteral("ignore-hosts")),
                 QStringLiteral("['intranet.example']"));
        QCOMPARE(gsettingsGet(kHttp, QStringLiteral("host")),
                 QStringLiteral("'proxy.corp.example'"));
        QCOMPARE(gsettingsGet(kHttp, QStringLiteral("port")), QStringLiteral("3128"));
        QCOMPARE(gsettingsGet(kSocks, QStringLiteral("host")), QStringLiteral("''"));
        QVERIFY(!QFile::exists(m_recovery));
    }

    void aCrashedRunIsPutBackByTheNextStart()
    {
        // The first run ends without restore(), as after kill -9: only the file remains.
        QVERIFY(!gnomeProxy(m_recovery)->set(localProxy()));
        QCOMPARE(gsettingsGet(kProxy, QStringLiteral("mode")), QStringLiteral("'manual'"));

        auto next = gnomeProxy(m_recovery);
        QVERIFY(next->isSet());
        const SystemProxy::Outcome outcome = next->restore();
        QCOMPARE(outcome.restored, QStringList{QStringLiteral("gsettings")});
        QCOMPARE(gsettingsGet(kProxy, QStringLiteral("mode")), QStringLiteral("'auto'"));
        QCOMPARE(gsettingsGet(kHttp, QStringLiteral("host")),
                 QStringLiteral("'proxy.corp.example'"));
        QVERIFY(!QFile::exists(m_recovery));
    }

    void aLaterChangeByAnotherProgramIsLeftAlone()
    {
        QVERIFY(!gnomeProxy(m_recovery)->set(localProxy()));
        // Meanwhile the user (or another program) points the desktop somewhere else.
        gsettingsSet(kHttp, QStringLiteral("host"), QStringLiteral("'other.example'"));

        const SystemProxy::Outcome outcome = gnomeProxy(m_recovery)->restore();
        QVERIFY(!outcome.error);
        QCOMPARE(outcome.leftAlone, QStringList{QStringLiteral("gsettings")});
        QVERIFY(outcome.restored.isEmpty());
        QCOMPARE(gsettingsGet(kProxy, QStringLiteral("mode")), QStringLiteral("'manual'"));
        QCOMPARE(gsettingsGet(kHttp, QStringLiteral("host")), QStringLiteral("'other.example'"));
        QVERIFY(!QFile::exists(m_recovery));
    }

    void settingAgainKeepsWhatWasFoundFirst()
    {
        auto proxy = gnomeProxy(m_recovery);
        QVERIFY(!proxy->set(localProxy(30000)));
        QVERIFY(!proxy->set(localProxy(31000)));
        QCOMPARE(gsettingsGet(kHttp, QStringLiteral("port")), QStringLiteral("31000"));
        QCOMPARE(proxy->restore().restored, QStringList{QStringLiteral("gsettings")});
        QCOMPARE(gsettingsGet(kProxy, QStringLiteral("mode")), QStringLiteral("'auto'"));
        QCOMPARE(gsettingsGet(kHttp, QStringLiteral("port")), QStringLiteral("3128"));
    }

    void kioslavercAndGSettingsOnKde()
    {
        // Another key of the group, and the ones we set absent or different beforehand.
        run(QStringLiteral("kwriteconfig5"),
            {QStringLiteral("--file"), QStringLiteral("kioslaverc"), QStringLiteral("--group"),
             QStringLiteral("Proxy Settings"), QStringLiteral("--key"), QStringLiteral("ProxyType"),
             QStringLiteral("2")});
        run(QStringLiteral("kwriteconfig5"),
            {QStringLiteral("--file"), QStringLiteral("kioslaverc"), QStringLiteral("--group"),
             QStringLiteral("Proxy Settings"), QStringLiteral("--key"),
             QStringLiteral("Proxy Config Script"),
             QStringLiteral("http://wpad.example/wpad.dat")});
        QCOMPARE(kioGet(QStringLiteral("httpProxy")), QStringLiteral("(absent)"));

        std::vector<std::unique_ptr<ProxySettingsBackend>> backends;
        backends.push_back(std::make_unique<KioProxyBackend>(*KioProxyBackend::availableTools()));
        backends.push_back(gsettings());
        SystemProxy proxy(std::move(backends), QStringLiteral("KDE"), m_recovery);
        const auto error = proxy.set(localProxy());
        QVERIFY2(!error, qPrintable(error ? error->text() : QString()));

        QCOMPARE(kioGet(QStringLiteral("ProxyType")), QStringLiteral("1"));
        QCOMPARE(kioGet(QStringLiteral("httpProxy")), QStringLiteral("http://127.0.0.1 30000"));
        QCOMPARE(kioGet(QStringLiteral("httpsProxy")), QStringLiteral("http://127.0.0.1 30000"));
        QCOMPARE(kioGet(QStringLiteral("socksProxy")), QStringLiteral("socks://127.0.0.1 30000"));
        QVERIFY(kioGet(QStringLiteral("NoProxyFor")).startsWith(QStringLiteral("localhost,")));
        QCOMPARE(gsettingsGet(kProxy, QStringLiteral("mode")), QStringLiteral("'manual'"));

        const SystemProxy::Outcome outcome = proxy.restore();
        QCOMPARE(outcome.restored,
                 (QStringList{QStringLiteral("kioslaverc"), QStringLiteral("gsettings")}));
        QCOMPARE(kioGet(QStringLiteral("ProxyType")), QStringLiteral("2"));
        QCOMPARE(kioGet(QStringLiteral("httpProxy")), QStringLiteral("(absent)"));
        QCOMPARE(kioGet(QStringLiteral("NoProxyFor")), QStringLiteral("(absent)"));
        QCOMPARE(kioGet(QStringLiteral("Proxy Config Script")),
                 QStringLiteral("http://wpad.example/wpad.dat"));
        QCOMPARE(gsettingsGet(kProxy, QStringLiteral("mode")), QStringLiteral("'auto'"));
    }

    void aStoreThatFailsPutsEveryStoreBack()
    {
        // GSettings is written first, then a KDE store whose writer fails (a real program
        // that exits 1): GSettings must be put back and nothing left to recover.
        const QString falseTool = QStandardPaths::findExecutable(QStringLiteral("false"));
        QVERIFY(!falseTool.isEmpty());
        std::vector<std::unique_ptr<ProxySettingsBackend>> backends;
        backends.push_back(gsettings());
        backends.push_back(std::make_unique<KioProxyBackend>(
            KioProxyBackend::Tools{KioProxyBackend::availableTools()->read, falseTool, QString()}));
        SystemProxy proxy(std::move(backends), QStringLiteral("KDE"), m_recovery);

        const auto error = proxy.set(localProxy());
        QVERIFY(error.has_value());
        QCOMPARE(error->code, SystemProxyError::Code::ToolFailed);
        QCOMPARE(gsettingsGet(kProxy, QStringLiteral("mode")), QStringLiteral("'auto'"));
        QCOMPARE(gsettingsGet(kHttp, QStringLiteral("host")),
                 QStringLiteral("'proxy.corp.example'"));
        QVERIFY(!proxy.isSet());
    }

    void aDamagedRecoveryFileDoesNotBlockTheNextStart()
    {
        QDir().mkpath(QFileInfo(m_recovery).absolutePath());
        QFile file(m_recovery);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("{\"version\": 1, \"stores\": [{\"id\": 5}]");
        file.close();

        auto proxy = gnomeProxy(m_recovery);
        const SystemProxy::Outcome outcome = proxy->restore();
        QVERIFY(outcome.error.has_value());
        QCOMPARE(outcome.error->code, SystemProxyError::Code::RecoveryFile);
        QVERIFY(!QFile::exists(m_recovery));
        QVERIFY(!proxy->set(localProxy()));
        QCOMPARE(gsettingsGet(kProxy, QStringLiteral("mode")), QStringLiteral("'manual'"));
        QVERIFY(proxy->restore().restored.size() == 1);
    }

    void theDesktopChoosesTheStores()
    {
        qputenv("XDG_CURRENT_DESKTOP", "KDE");
        auto kde = SystemProxy::forThisDesktop(m_recovery);
        QCOMPARE(kde->storeIds(),
                 (QStringList{QStringLiteral("kioslaverc"), QStringLiteral("gsettings")}));
        qputenv("XDG_CURRENT_DESKTOP", "ubuntu:GNOME");
        QCOMPARE(SystemProxy::forThisDesktop(m_recovery)->storeIds(),
                 QStringList{QStringLiteral("gsettings")});
        qputenv("XDG_CURRENT_DESKTOP", "XFCE");
        auto other = SystemProxy::forThisDesktop(m_recovery);
        QVERIFY(!other->supported());
        const auto error = other->set(localProxy());
        QVERIFY(error.has_value());
        QCOMPARE(error->code, SystemProxyError::Code::Unsupported);
        QVERIFY(error->text().contains(QStringLiteral("XFCE")));
        QCOMPARE(gsettingsGet(kProxy, QStringLiteral("mode")), QStringLiteral("'auto'"));
        qputenv("XDG_CURRENT_DESKTOP", "GNOME");
    }

    void environmentForTerminals()
    {
        const QString lines = proxyEnvironmentCommands(localProxy());
        QVERIFY(lines.startsWith(QStringLiteral("export ")));
        QVERIFY(lines.contains(QStringLiteral("http_proxy=http://127.0.0.1:30000 ")));
        QVERIFY(lines.contains(QStringLiteral("https_proxy=http://127.0.0.1:30000 ")));
        QVERIFY(lines.contains(QStringLiteral("all_proxy=socks5h://127.0.0.1:30000 ")));
        QVERIFY(lines.contains(QStringLiteral("no_proxy=localhost,127.0.0.0/8,")));
        const QString v6 = proxyEnvironmentCommands({QStringLiteral("::1"), 1080, {}});
        QVERIFY(v6.contains(QStringLiteral("http_proxy=http://[::1]:1080 ")));
    }

private:
    QTemporaryDir m_dir;
    QString m_recovery;
};

QTEST_GUILESS_MAIN(TestSystemProxy)
#include "tst_systemproxy.moc"
