// The user rules file as the engine and Settings read it: parsed, its first bad rule named,
// and bounded whatever the path is.
#include "config/EngineConfig.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace echw;

namespace {

QString writeFile(const QTemporaryDir& dir, const QByteArray& bytes)
{
    const QString path = dir.filePath(QStringLiteral("rules.txt"));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(bytes) != bytes.size())
        return QString();
    return path;
}

} // namespace

class TestEngineConfig : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void readsTheRules()
    {
        QTemporaryDir dir;
        const auto rules = readRulesFile(
            writeFile(dir, "# work\nsuffix:example.com direct\ncidr:10.0.0.0/8 block\n"));
        QVERIFY(std::holds_alternative<UserRules>(rules));
        QCOMPARE(std::get<UserRules>(rules).rules().size(), 2);
    }

    void namesTheFirstBadRule()
    {
        QTemporaryDir dir;
        const auto rules = readRulesFile(
            writeFile(dir, "suffix:example.com direct\nsuffix:exa mple.com tunnel\n"));
        QVERIFY(std::holds_alternative<ConfigError>(rules));
        QVERIFY2(std::get<ConfigError>(rules).text().contains(QStringLiteral("line 2")),
                 qPrintable(std::get<ConfigError>(rules).text()));
    }

    void aFileThatCannotBeReadIsAnErrorOfTheRulesFile()
    {
        const auto rules = readRulesFile(QStringLiteral("/nonexistent/rules.txt"));
        QVERIFY(std::holds_alternative<ConfigError>(rules));
        QCOMPARE(QByteArray(std::get<ConfigError>(rules).field), QByteArray("rules file"));
    }

    void aDeviceIsReadBounded()
    {
        // /dev/zero reports size 0 and never ends: read whole it would take all memory.
        const auto rules = readRulesFile(QStringLiteral("/dev/zero"));
        QVERIFY(std::holds_alternative<ConfigError>(rules));
        QVERIFY2(std::get<ConfigError>(rules).text().contains(QStringLiteral("larger")),
                 qPrintable(std::get<ConfigError>(rules).text()));
    }

    void aFileOverTheLimitIsRefused()
    {
        QTemporaryDir dir;
        QByteArray big;
        while (big.size() <= kMaxRulesFileBytes)
            big += "# a comment line to fill the file up past its limit\n";
        const auto rules = readRulesFile(writeFile(dir, big));
        QVERIFY(std::holds_alternative<ConfigError>(rules));
    }
};

QTEST_GUILESS_MAIN(TestEngineConfig)
#include "tst_engineconfig.moc"
