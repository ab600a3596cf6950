// The Go-style flag syntax both programs share; their own tests cover what each does with the
// values.
#include "config/FlagParser.h"

#include <QTest>

using namespace echw;

namespace {

constexpr FlagSpec kFlags[] = {
    {"name", "VALUE", "a flag with a value"},
    {"on", nullptr, "a boolean flag"},
};

struct Run {
    FlagParseResult result;
    QStringList seen; // "name=value" in the order the handler got them
};

Run parse(const QString& arguments, const QString& refuse = {})
{
    Run run;
    run.result =
        parseFlags(kFlags, arguments.split(u' ', Qt::SkipEmptyParts),
                   [&](const QString& name, const QString& value) {
                       run.seen << name + u'=' + value;
                       return name == refuse ? QStringLiteral("refused -%1").arg(name) : QString();
                   });
    return run;
}

} // namespace

class TestFlagParser : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void passesValuesInOrder();
    void stopsAtHelpAndVersion();
    void reportsTheFirstProblemInOrder_data();
    void reportsTheFirstProblemInOrder();
    void tablesFlagsAtTheColumn();
};

void TestFlagParser::passesValuesInOrder()
{
    const Run run = parse(QStringLiteral("-name a --name=b=c -on -on=false --on=true -name -x"));
    QCOMPARE(run.result.action, FlagAction::Run);
    QCOMPARE(run.seen, QStringList({QStringLiteral("name=a"), QStringLiteral("name=b=c"),
                                    QStringLiteral("on=true"), QStringLiteral("on=false"),
                                    QStringLiteral("on=true"), QStringLiteral("name=-x")}));
}

void TestFlagParser::stopsAtHelpAndVersion()
{
    for (const QString& help :
         {QStringLiteral("-h"), QStringLiteral("-help"), QStringLiteral("--help")}) {
        const Run run = parse(QStringLiteral("-name a ") + help + QStringLiteral(" -bogus"));
        QCOMPARE(run.result.action, FlagAction::Help);
        QCOMPARE(run.seen.size(), 1);
    }
    for (const QString& version : {QStringLiteral("-version"), QStringLiteral("--version")})
        QCOMPARE(parse(version + QStringLiteral(" -bogus")).result.action, FlagAction::Version);
}

void TestFlagParser::reportsTheFirstProblemInOrder_data()
{
    QTest::addColumn<QString>("arguments");
    QTest::addColumn<QString>("error");

    QTest::newRow("positional") << "-on extra -bogus"
                                << "unexpected argument \"extra\" (flags start with -)";
    QTest::newRow("lone dash") << "-"
                               << "unexpected argument \"-\" (flags start with -)";
    QTest::newRow("double dash") << "--"
                                 << "unexpected argument \"--\" (flags start with -)";
    QTest::newRow("unknown") << "--bogus=1 -name"
                             << "flag provided but not defined: -bogus (see --help)";
    QTest::newRow("missing value") << "-on -name"
                                   << "flag needs an argument: -name";
    QTest::newRow("bad boolean") << "-on=yes -bogus"
                                 << "invalid value \"yes\" for flag -on: must be true or false";
    QTest::newRow("refused by the handler") << "-name refuse -bogus"
                                            << "refused -name";
}

void TestFlagParser::reportsTheFirstProblemInOrder()
{
    QFETCH(QString, arguments);
    QFETCH(QString, error);
    const Run run = parse(arguments, QStringLiteral("name"));
    QCOMPARE(run.result.action, FlagAction::Error);
    QCOMPARE(run.result.error, error);
}

void TestFlagParser::tablesFlagsAtTheColumn()
{
    QCOMPARE(flagTable(kFlags, 14), QStringLiteral("  -name VALUE a flag with a value\n"
                                                   "  -on         a boolean flag\n"));
    QCOMPARE(invalidFlagValue(QStringLiteral("f"), QStringLiteral("v"), QStringLiteral("why")),
             QStringLiteral("invalid value \"v\" for flag -f: why"));
}

QTEST_APPLESS_MAIN(TestFlagParser)
#include "tst_flagparser.moc"
