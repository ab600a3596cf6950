// The XDG autostart entry: toggling writes and removes it, the file on disk is the truth (an
// entry deleted or turned off by the desktop reads as off), and the Exec line is quoted as the
// Desktop Entry Specification asks and passes desktop-file-validate.
#include "desktop/XdgAutostartEntry.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace echw;

namespace {

constexpr int kWaitMs = 20'000;

LoginItem::Launch launchOf(const QString& program)
{
    return {program, {QStringLiteral("--autostart")}};
}

bool writeFile(const QString& path, const QByteArray& bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

QByteArray readFile(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class TestXdgAutostartEntry : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        m_path = m_dir->filePath(QStringLiteral("autostart/ech-workers.desktop"));
    }

    void togglingWritesAndRemovesTheEntry()
    {
        XdgAutostartEntry entry(m_path, launchOf(QStringLiteral("/usr/bin/ech-workers-gui")));
        QVERIFY(!entry.isEnabled());

        QCOMPARE(entry.setEnabled(true).value_or(QString()),
                 QString()); // the folder is made as well
        QVERIFY(QFile::exists(m_path));
        QVERIFY(entry.isEnabled());
        const QByteArray text = readFile(m_path);
        QVERIFY(text.startsWith("[Desktop Entry]\n"));
        QVERIFY(text.contains("\nExec=/usr/bin/ech-workers-gui --autostart\n"));
        QVERIFY(text.contains("\nType=Application\n"));
        // Written whole through a temporary file that is renamed: nothing else is left.
        QCOMPARE(QDir(m_dir->filePath(QStringLiteral("autostart"))).entryList(QDir::Files),
                 QStringList{QStringLiteral("ech-workers.desktop")});

        QCOMPARE(entry.setEnabled(false).value_or(QString()), QString());
        QVERIFY(!QFile::exists(m_path));
        QVERIFY(!entry.isEnabled());
        QCOMPARE(entry.setEnabled(false).value_or(QString()),
                 QString()); // already off: nothing to do
    }

    void turningOnReplacesAnEntryTheDesktopTurnedOff()
    {
        QVERIFY(QDir().mkpath(QFileInfo(m_path).absolutePath()));
        QVERIFY(writeFile(m_path, "[Desktop Entry]\nType=Application\nExec=/old/path\n"
                                  "Hidden=true\n"));
        XdgAutostartEntry entry(m_path, launchOf(QStringLiteral("/usr/bin/ech-workers-gui")));
        QVERIFY(!entry.isEnabled());
        QCOMPARE(entry.setEnabled(true).value_or(QString()), QString());
        QVERIFY(entry.isEnabled());
        QVERIFY(!readFile(m_path).contains("Hidden"));
    }

    void anEntryTheUserDeletedReadsAsOff()
    {
        XdgAutostartEntry entry(m_path, launchOf(QStringLiteral("/usr/bin/ech-workers-gui")));
        QCOMPARE(entry.setEnabled(true).value_or(QString()), QString());
        QVERIFY(QFile::remove(m_path));
        QVERIFY(!entry.isEnabled());
    }

    void whatTheFileSaysDecides_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<bool>("enabled");
        const QByteArray head = "[Desktop Entry]\nType=Application\nExec=/usr/bin/x\n";
        QTest::newRow("plain") << head << true;
        QTest::newRow("Hidden=true") << head + "Hidden=true\n" << false;
        QTest::newRow("Hidden=false") << head + "Hidden=false\n" << true;
        QTest::newRow("GNOME turned it off") << head + "X-GNOME-Autostart-enabled = false\n"
                                             << false;
        QTest::newRow("Hidden in another group") << head + "[Desktop Action x]\nHidden=true\n"
                                                 << true;
        QTest::newRow("no Desktop Entry group") << QByteArray("Exec=/usr/bin/x\n") << false;
        QTest::newRow("empty") << QByteArray() << false;
    }

    void whatTheFileSaysDecides()
    {
        QFETCH(QByteArray, text);
        QFETCH(bool, enabled);
        QVERIFY(QDir().mkpath(QFileInfo(m_path).absolutePath()));
        QVERIFY(writeFile(m_path, text));
        QCOMPARE(XdgAutostartEntry(m_path, launchOf(QStringLiteral("/x"))).isEnabled(), enabled);
    }

    void theDefaultPathFollowsXdgConfigHome()
    {
        const QByteArray before = qgetenv("XDG_CONFIG_HOME");
        qputenv("XDG_CONFIG_HOME", QFile::encodeName(m_dir->path()));
        const QString path = XdgAutostartEntry::defaultPath();
        qputenv("XDG_CONFIG_HOME", before);
        QCOMPARE(path, m_dir->filePath(QStringLiteral("autostart/ech-workers.desktop")));
    }

    void theExecValueQuotesAsTheSpecAsks_data()
    {
        QTest::addColumn<QString>("program");
        QTest::addColumn<QString>("exec");
        QTest::newRow("plain") << QStringLiteral("/usr/bin/ech-workers-gui")
                               << QStringLiteral("/usr/bin/ech-workers-gui --autostart");
        QTest::newRow("space") << QStringLiteral("/opt/ECH Workers/gui")
                               << QStringLiteral("\"/opt/ECH Workers/gui\" --autostart");
        // Inside quotes '"', '`', '$' and '\' take a backslash; the value's string escaping
        // then doubles every backslash.
        QTest::newRow("dollar and quote")
            << QStringLiteral("/home/a$b\"c/gui")
            << QStringLiteral("\"/home/a\\\\$b\\\\\"c/gui\" --autostart");
        QTest::newRow("backslash") << QStringLiteral("/opt/a\\b/gui")
                                   << QStringLiteral("\"/opt/a\\\\\\\\b/gui\" --autostart");
        QTest::newRow("percent") << QStringLiteral("/opt/100%/gui")
                                 << QStringLiteral("/opt/100%%/gui --autostart");
        QTest::newRow("quote and percent") << QStringLiteral("/opt/it's 100%/gui")
                                           << QStringLiteral("\"/opt/it's 100%%/gui\" --autostart");
        QTest::newRow("control character") << QStringLiteral("/opt/a\nb/gui") << QString();
    }

    void theExecValueQuotesAsTheSpecAsks()
    {
        QFETCH(QString, program);
        QFETCH(QString, exec);
        QCOMPARE(XdgAutostartEntry::execValue(launchOf(program)), exec);
    }

    void aProgramThatCannotBeWrittenIsAnError()
    {
        XdgAutostartEntry entry(m_path, launchOf(QStringLiteral("/opt/a\nb/gui")));
        const auto error = entry.setEnabled(true);
        QVERIFY(error);
        QVERIFY(error->contains(m_path));
        QVERIFY(!QFile::exists(m_path));
    }

    void theWrittenEntryPassesDesktopFileValidate_data()
    {
        QTest::addColumn<QString>("program");
        QTest::newRow("plain") << QStringLiteral("/usr/bin/ech-workers-gui");
        QTest::newRow("space") << QStringLiteral("/opt/ECH Workers/gui");
        QTest::newRow("dollar and quote") << QStringLiteral("/home/a$b\"c/gui");
        QTest::newRow("backslash") << QStringLiteral("/opt/a\\b/gui");
        QTest::newRow("percent") << QStringLiteral("/opt/100%/gui");
        QTest::newRow("reserved characters") << QStringLiteral("/opt/x;y|z&(w)*?#~<>`/gui");
    }

    void theWrittenEntryPassesDesktopFileValidate()
    {
        QFETCH(QString, program);
        const QString validator =
            QStandardPaths::findExecutable(QStringLiteral("desktop-file-validate"));
        if (validator.isEmpty())
            QSKIP("desktop-file-validate (desktop-file-utils) is not installed");
        XdgAutostartEntry entry(m_path, launchOf(program));
        QCOMPARE(entry.setEnabled(true).value_or(QString()), QString());
        QProcess validate;
        validate.setProcessChannelMode(QProcess::MergedChannels);
        validate.start(validator, {m_path});
        QVERIFY(validate.waitForFinished(kWaitMs));
        const QByteArray output = validate.readAll();
        QVERIFY2(validate.exitStatus() == QProcess::NormalExit && validate.exitCode() == 0,
                 output.constData());
        QVERIFY2(!output.contains("error"), output.constData());
        QVERIFY2(!output.contains("warning"), output.constData());
    }

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_path;
};

QTEST_GUILESS_MAIN(TestXdgAutostartEntry)
#include "tst_xdgautostartentry.moc"
