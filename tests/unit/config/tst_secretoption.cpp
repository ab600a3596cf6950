// Secrets off the command line: the rules for a secret's file (bounded, line break stripped,
// private to its owner like an ssh key) and for the three ways to give one secret.
#include "TestFiles.h"
#include "config/SecretOption.h"

#include <QTemporaryDir>
#include <QTest>

using namespace echw;

namespace {

QString writeSecret(const QTemporaryDir& dir, const QString& name, const QByteArray& content,
                    mode_t mode = 0600)
{
    return test::writeFileWithMode(dir.filePath(name), content, mode);
}

QString secretOf(const std::variant<QString, SecretFileError>& read)
{
    const auto* secret = std::get_if<QString>(&read);
    return secret ? *secret
                  : QStringLiteral("(error: %1)").arg(std::get<SecretFileError>(read).message);
}

QString errorOf(const std::variant<QString, SecretFileError>& read)
{
    const auto* error = std::get_if<SecretFileError>(&read);
    return error ? error->message : QString();
}

// Records what `use` received.
struct Taken {
    std::optional<Secret> secret;
    SecretOption::Use use()
    {
        return [this](const Secret& given) {
            secret = given;
            return QString();
        };
    }
};

SecretOption tokenOption()
{
    return SecretOption(QLatin1StringView("token"), QLatin1StringView("token-file"),
                        QLatin1StringView("TEST_TOKEN"), QLatin1StringView("token"));
}

} // namespace

class TestSecretOption : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void readsTheSecretWithoutTrailingLineBreaks();
    void refusesAFileOtherUsersCanAccess_data();
    void refusesAFileOtherUsersCanAccess();
    void refusesEmptyMissingAndOversizedFiles();
    void neverQuotesTheContentInErrors();
    void takesTheFlagOrTheFileFlagButNotBoth();
    void takesTheEnvironmentOnlyWithoutAFlag();
    void reportsAnUnusableFileNamingTheFlag();

private:
    QTemporaryDir m_dir;
};

void TestSecretOption::initTestCase()
{
    QVERIFY(m_dir.isValid());
}

void TestSecretOption::readsTheSecretWithoutTrailingLineBreaks()
{
    QCOMPARE(secretOf(readSecretFile(writeSecret(m_dir, QStringLiteral("lf"), "s3cret\n"))),
             QStringLiteral("s3cret"));
    QCOMPARE(secretOf(readSecretFile(writeSecret(m_dir, QStringLiteral("crlf"), "s3cret\r\n\n"))),
             QStringLiteral("s3cret"));
    QCOMPARE(secretOf(readSecretFile(writeSecret(m_dir, QStringLiteral("none"), "s3cret"))),
             QStringLiteral("s3cret"));
    // Only the end is trimmed: a line break inside is left for the caller's checks to refuse.
    QCOMPARE(secretOf(readSecretFile(writeSecret(m_dir, QStringLiteral("inner"), " a\nb \n"))),
             QStringLiteral(" a\nb "));
    // Read-only for the owner, or with the owner's execute bit, is still private.
    QCOMPARE(secretOf(readSecretFile(writeSecret(m_dir, QStringLiteral("ro"), "x", 0400))),
             QStringLiteral("x"));
    QCOMPARE(secretOf(readSecretFile(writeSecret(m_dir, QStringLiteral("rwx"), "x", 0700))),
             QStringLiteral("x"));
}

void TestSecretOption::refusesAFileOtherUsersCanAccess_data()
{
    QTest::addColumn<int>("mode");
    QTest::addColumn<QString>("access");
    QTest::newRow("0644") << 0644 << QStringLiteral("readable by other users (mode 0644)");
    QTest::newRow("0640") << 0640 << QStringLiteral("readable by other users (mode 0640)");
    QTest::newRow("0604") << 0604 << QStringLiteral("readable by other users (mode 0604)");
    QTest::newRow("0620") << 0620 << QStringLiteral("writable by other users (mode 0620)");
    QTest::newRow("0601") << 0601 << QStringLiteral("accessible by other users (mode 0601)");
}

void TestSecretOption::refusesAFileOtherUsersCanAccess()
{
    QFETCH(int, mode);
    QFETCH(QString, access);
    const QString path = writeSecret(m_dir, QStringLiteral("open"), "s3cret\n", mode_t(mode));
    QCOMPARE(errorOf(readSecretFile(path)),
             QStringLiteral("%1 is %2: like ssh with a private key, the file of a secret must be "
                            "accessible to its owner only (chmod 600 %1)")
                 .arg(path, access));
}

void TestSecretOption::refusesEmptyMissingAndOversizedFiles()
{
    const QString empty = writeSecret(m_dir, QStringLiteral("empty"), "");
    QCOMPARE(errorOf(readSecretFile(empty)), QStringLiteral("%1 is empty").arg(empty));
    const QString blank = writeSecret(m_dir, QStringLiteral("blank"), "\r\n");
    QCOMPARE(errorOf(readSecretFile(blank)), QStringLiteral("%1 is empty").arg(blank));

    const QString missing = m_dir.filePath(QStringLiteral("missing"));
    QVERIFY(errorOf(readSecretFile(missing))
                .startsWith(QStringLiteral("cannot read %1: ").arg(missing)));
    QVERIFY(errorOf(readSecretFile(m_dir.path()))
                .startsWith(QStringLiteral("cannot read %1: ").arg(m_dir.path())));

    const QString atLimit =
        writeSecret(m_dir, QStringLiteral("at-limit"), QByteArray(kMaxSecretFileSize, 'x'));
    QCOMPARE(secretOf(readSecretFile(atLimit)).size(), kMaxSecretFileSize);
    const QString over =
        writeSecret(m_dir, QStringLiteral("over"), QByteArray(kMaxSecretFileSize + 1, 'x'));
    QCOMPARE(errorOf(readSecretFile(over)),
             QStringLiteral("cannot read %1: larger than 4096 bytes").arg(over));
}

void TestSecretOption::neverQuotesTheContentInErrors()
{
    const QByteArray secret = "s3cret-" + QByteArray(kMaxSecretFileSize, 'x');
    for (const QString& path : {writeSecret(m_dir, QStringLiteral("big"), secret),
                                writeSecret(m_dir, QStringLiteral("shared"), "s3cret", 0644)}) {
        const QString error = errorOf(readSecretFile(path));
        QVERIFY(!error.isEmpty());
        QVERIFY2(!error.contains(QStringLiteral("s3cret")), qPrintable(error));
    }
}

void TestSecretOption::takesTheFlagOrTheFileFlagButNotBoth()
{
    const QString file = writeSecret(m_dir, QStringLiteral("token"), "from-file\n");
    Taken taken;
    SecretOption option = tokenOption();
    QVERIFY(option.handles(QStringLiteral("token")));
    QVERIFY(option.handles(QStringLiteral("token-file")));
    QVERIFY(!option.handles(QStringLiteral("auth")));
    QCOMPARE(option.take(QStringLiteral("token-file"), file, taken.use()), QString());
    QCOMPARE(taken.secret->value, QStringLiteral("from-file"));
    QCOMPARE(taken.secret->origin, QStringLiteral("flag -token-file"));
    // The same flag again replaces the value, as with every flag.
    QCOMPARE(option.take(QStringLiteral("token-file"), file, taken.use()), QString());
    QCOMPARE(option.take(QStringLiteral("token"), QStringLiteral("inline"), taken.use()),
             QStringLiteral("flags -token and -token-file both give the token: use one of them"));

    SecretOption reversed = tokenOption();
    QCOMPARE(reversed.take(QStringLiteral("token"), QStringLiteral("inline"), taken.use()),
             QString());
    QCOMPARE(taken.secret->value, QStringLiteral("inline"));
    QCOMPARE(taken.secret->origin, QStringLiteral("flag -token"));
    QCOMPARE(reversed.take(QStringLiteral("token-file"), file, taken.use()),
             QStringLiteral("flags -token and -token-file both give the token: use one of them"));
}

void TestSecretOption::takesTheEnvironmentOnlyWithoutAFlag()
{
    QProcessEnvironment environment;
    environment.insert(QStringLiteral("TEST_TOKEN"), QStringLiteral("from-environment"));

    Taken taken;
    QCOMPARE(tokenOption().takeFromEnvironment(environment, taken.use()), QString());
    QCOMPARE(taken.secret->value, QStringLiteral("from-environment"));
    QCOMPARE(taken.secret->origin, QStringLiteral("environment variable TEST_TOKEN"));

    Taken unset;
    QCOMPARE(tokenOption().takeFromEnvironment(QProcessEnvironment(), unset.use()), QString());
    QVERIFY(!unset.secret);

    Taken overridden;
    SecretOption option = tokenOption();
    QCOMPARE(option.take(QStringLiteral("token"), QStringLiteral("flag"), overridden.use()),
             QString());
    overridden.secret.reset();
    QCOMPARE(option.takeFromEnvironment(environment, overridden.use()), QString());
    QVERIFY(!overridden.secret);
}

void TestSecretOption::reportsAnUnusableFileNamingTheFlag()
{
    const QString shared = writeSecret(m_dir, QStringLiteral("shared-token"), "s3cret", 0644);
    Taken taken;
    const QString error = tokenOption().take(QStringLiteral("token-file"), shared, taken.use());
    QVERIFY2(error.startsWith(QStringLiteral("invalid value for flag -token-file: %1 is readable "
                                             "by other users")
                                  .arg(shared)),
             qPrintable(error));
    QVERIFY(!taken.secret);
    QCOMPARE(tokenOption().take(QStringLiteral("token-file"), QString(), taken.use()),
             QStringLiteral("invalid value for flag -token-file: expected a file name"));
}

QTEST_GUILESS_MAIN(TestSecretOption)
#include "tst_secretoption.moc"
