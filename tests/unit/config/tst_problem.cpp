#include "config/Problem.h"

#include <QCoreApplication>
#include <QTest>
#include <QTranslator>

using echw::Problem;

namespace {

// A catalogue of two entries, as lrelease would build from a .ts file: QTranslator's lookup is
// virtual, which is what lets the test stand in for a .qm file.
class TwoEntryCatalogue final : public QTranslator {
public:
    bool isEmpty() const override { return false; }
    QString translate(const char* context, const char* source, const char*, int) const override
    {
        if (QLatin1StringView(context) != QLatin1StringView(Problem::kContext))
            return {};
        if (QLatin1StringView(source) == QLatin1StringView("\"%1\" is not a domain name"))
            return QStringLiteral("« %1 » n'est pas un nom de domaine");
        if (QLatin1StringView(source) == QLatin1StringView("line %1: %2"))
            return QStringLiteral("ligne %1 : %2");
        return {};
    }
};

const char* const kNotADomain = QT_TRANSLATE_NOOP("echw::Problem", "\"%1\" is not a domain name");
const char* const kAtLine = QT_TRANSLATE_NOOP("echw::Problem", "line %1: %2");

} // namespace

class TestProblem : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void rendersItsValuesInEnglishWithoutATranslator()
    {
        QCOMPARE(Problem::of(kNotADomain, {QStringLiteral("a..b")}).text(),
                 QStringLiteral("\"a..b\" is not a domain name"));
    }

    // A path or a rule may hold "%1": chained arg() calls would fill it in again.
    void neverSubstitutesIntoAValue()
    {
        const Problem problem = Problem::because(kAtLine, {QStringLiteral("%2")},
                                                 Problem::of(kNotADomain, {QStringLiteral("%1")}));
        QCOMPARE(problem.text(), QStringLiteral("line %2: \"%1\" is not a domain name"));
    }

    void rendersTheCauseInTheLastPlaceholder()
    {
        const Problem problem = Problem::because(kAtLine, {QStringLiteral("3")},
                                                 Problem::of(kNotADomain, {QStringLiteral("x")}));
        QCOMPARE(problem.text(), QStringLiteral("line 3: \"x\" is not a domain name"));
        QCOMPARE(problem.code(), QLatin1StringView("line %1: %2"));
        QCOMPARE(problem.cause->code(), QLatin1StringView(kNotADomain));
    }

    void rendersEachPartInTheInstalledLanguage()
    {
        const Problem problem = Problem::because(kAtLine, {QStringLiteral("3")},
                                                 Problem::of(kNotADomain, {QStringLiteral("x")}));
        TwoEntryCatalogue catalogue;
        QVERIFY(QCoreApplication::installTranslator(&catalogue));
        const QString translated = problem.text();
        QCoreApplication::removeTranslator(&catalogue);
        QCOMPARE(translated, QStringLiteral("ligne 3 : « x » n'est pas un nom de domaine"));
        QCOMPARE(problem.text(), QStringLiteral("line 3: \"x\" is not a domain name"));
    }

    void equalWhenMessageValuesAndCauseAre()
    {
        const Problem a = Problem::of(kNotADomain, {QStringLiteral("x")});
        QCOMPARE(a, Problem::of(kNotADomain, {QStringLiteral("x")}));
        QVERIFY(!(a == Problem::of(kNotADomain, {QStringLiteral("y")})));
        QVERIFY(!(a == Problem::of(kAtLine, {QStringLiteral("x")})));
        QVERIFY(!(Problem::because(kAtLine, {QStringLiteral("1")}, a) ==
                  Problem::because(kAtLine, {QStringLiteral("1")},
                                   Problem::of(kNotADomain, {QStringLiteral("y")}))));
        QVERIFY(!(Problem::because(kAtLine, {QStringLiteral("1")}, a) ==
                  Problem::of(kAtLine, {QStringLiteral("1")})));
    }

    // More values than one QString::arg call takes; none is dropped or left as "%6".
    void rendersSixValues()
    {
        static const char* const kSix = "%1 %2 %3 %4 %5 %6";
        const Problem problem =
            Problem::of(kSix, {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c"),
                               QStringLiteral("d"), QStringLiteral("e"), QStringLiteral("f")});
        QCOMPARE(problem.text(), QStringLiteral("a b c d e f"));
    }
};

QTEST_GUILESS_MAIN(TestProblem)
#include "tst_problem.moc"
