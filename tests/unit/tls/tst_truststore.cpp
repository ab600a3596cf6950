// The shared trust rule: which certificates the set holds, in which order, and what a broken
// SSL_CERT_FILE, SSL_CERT_DIR or CA file does to it.
#include "ScopedEnvironment.h"
#include "TestValues.h"
#include "tls/TlsCredentials.h"
#include "tls/TrustStore.h"

#include <QDir>
#include <QFile>
#include <QSslCertificate>
#include <QTemporaryDir>
#include <QTest>

using namespace echw;
using namespace echw::test;

namespace {

void writeFile(const QString& path, const QByteArray& content)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(content) != content.size())
        qFatal("cannot write %s", qPrintable(path));
}

QByteArray derOf(const CertificatePair& pair)
{
    return QSslCertificate(pair.certificatePem, QSsl::Pem).toDer();
}

} // namespace

class TestTrustStore : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void holdsTheSystemRootsWithoutVariables();
    void addsSslCertFileAndCaFileToTheSystemRoots();
    void readsEveryCertificateFileOfSslCertDirOnce();
    void reportsUnusableVariablesAndKeepsTheRest();
    void reportsAnUnusableCaFile();
    void checksSourcesWithoutParsing();

private:
    QTemporaryDir m_dir;
    CertificatePair m_first;
    CertificatePair m_second;
    qsizetype m_systemCount = 0;
    std::optional<ScopedEnvironment> m_file;
    std::optional<ScopedEnvironment> m_directories;
};

void TestTrustStore::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_first = unwrap(generateSelfSignedCertificate({QStringLiteral("first.test")}));
    m_second = unwrap(generateSelfSignedCertificate({QStringLiteral("second.test")}));
    writeFile(m_dir.filePath(QStringLiteral("first.pem")), m_first.certificatePem);
    // A key block before the certificate: only certificates count.
    writeFile(m_dir.filePath(QStringLiteral("second-with-key.pem")),
              m_second.privateKeyPem + m_second.certificatePem);
    writeFile(m_dir.filePath(QStringLiteral("not-a-certificate.txt")), "hello\n");
}

// Each test starts without either variable, whatever the environment running the suite says.
void TestTrustStore::init()
{
    m_file.emplace("SSL_CERT_FILE", std::nullopt);
    m_directories.emplace("SSL_CERT_DIR", std::nullopt);
    m_systemCount = loadTrustedCertificates(QString()).der.size();
}

void TestTrustStore::cleanup()
{
    m_directories.reset();
    m_file.reset();
}

void TestTrustStore::holdsTheSystemRootsWithoutVariables()
{
    const TrustedCertificates trusted = loadTrustedCertificates(QString());
    // Debian's bundle holds well over a hundred roots; the suite runs where there is one.
    QVERIFY2(trusted.der.size() > 50, qPrintable(QString::number(trusted.der.size())));
    QVERIFY(trusted.problems.isEmpty());
    QVERIFY(!trusted.caFileError);
    QVERIFY(!trusted.der.contains(derOf(m_first)));
}

void TestTrustStore::addsSslCertFileAndCaFileToTheSystemRoots()
{
    qputenv("SSL_CERT_FILE", QFile::encodeName(m_dir.filePath(QStringLiteral("first.pem"))));
    const TrustedCertificates trusted =
        loadTrustedCertificates(m_dir.filePath(QStringLiteral("second-with-key.pem")));
    QVERIFY(trusted.problems.isEmpty());
    QVERIFY(!trusted.caFileError);
    QCOMPARE(trusted.der.size(), m_systemCount + 2);
    QCOMPARE(trusted.der.at(m_systemCount), derOf(m_first));
    QCOMPARE(trusted.der.at(m_systemCount + 1), derOf(m_second));

    // The same certificate from two sources is in the set once.
    const TrustedCertificates again =
        loadTrustedCertificates(m_dir.filePath(QStringLiteral("first.pem")));
    QCOMPARE(again.der.size(), m_systemCount + 1);
}

void TestTrustStore::readsEveryCertificateFileOfSslCertDirOnce()
{
    QTemporaryDir certificates;
    QVERIFY(certificates.isValid());
    const QDir dir(certificates.path());
    // Qt's naming, a name without any suffix, and OpenSSL's hashed link to the first file.
    QVERIFY(QFile::copy(m_dir.filePath(QStringLiteral("first.pem")),
                        dir.filePath(QStringLiteral("corp-root.crt"))));
    QVERIFY(QFile::copy(m_dir.filePath(QStringLiteral("second-with-key.pem")),
                        dir.filePath(QStringLiteral("second"))));
    QVERIFY(QFile::link(dir.filePath(QStringLiteral("corp-root.crt")),
                        dir.filePath(QStringLiteral("1a2b3c4d.0"))));
    QVERIFY(QFile::copy(m_dir.filePath(QStringLiteral("not-a-certificate.txt")),
                        dir.filePath(QStringLiteral("README"))));
    QVERIFY(dir.mkdir(QStringLiteral("nested")));
    qputenv("SSL_CERT_DIR", QFile::encodeName(certificates.path()));

    const TrustedCertificates trusted = loadTrustedCertificates(QString());
    QVERIFY2(trusted.problems.isEmpty(), qPrintable(trusted.problems.join(u'\n')));
    QCOMPARE(trusted.der.size(), m_systemCount + 2);
    QVERIFY(trusted.der.contains(derOf(m_first)));
    QVERIFY(trusted.der.contains(derOf(m_second)));
}

void TestTrustStore::reportsUnusableVariablesAndKeepsTheRest()
{
    QTemporaryDir empty;
    QVERIFY(empty.isValid());
    const QString missing = m_dir.filePath(QStringLiteral("missing.pem"));
    const QString notPem = m_dir.filePath(QStringLiteral("not-a-certificate.txt"));
    qputenv("SSL_CERT_FILE", QFile::encodeName(missing));
    qputenv("SSL_CERT_DIR", QFile::encodeName(notPem) + ':' + QFile::encodeName(empty.path()) +
                                ':' + QFile::encodeName(m_dir.path()));

    const TrustedCertificates trusted = loadTrustedCertificates(QString());
    QCOMPARE(trusted.problems.size(), 3);
    QVERIFY2(
        trusted.problems.at(0).startsWith(
            QStringLiteral("SSL_CERT_FILE: cannot load CA certificates from %1: ").arg(missing)),
        qPrintable(trusted.problems.at(0)));
    QCOMPARE(trusted.problems.at(1),
             QStringLiteral("SSL_CERT_DIR: cannot load CA certificates from %1: not a directory")
                 .arg(notPem));
    QCOMPARE(trusted.problems.at(2),
             QStringLiteral("SSL_CERT_DIR: cannot load CA certificates from %1: no file with a "
                            "PEM certificate in it")
                 .arg(empty.path()));
    // The system's roots and the directory that works are all there.
    QCOMPARE(trusted.der.size(), m_systemCount + 2);
}

void TestTrustStore::reportsAnUnusableCaFile()
{
    const QString notPem = m_dir.filePath(QStringLiteral("not-a-certificate.txt"));
    const TrustedCertificates trusted = loadTrustedCertificates(notPem);
    QVERIFY(trusted.caFileError);
    QCOMPARE(trusted.caFileError->message(),
             QStringLiteral("cannot load CA certificates from %1: no PEM certificate in it")
                 .arg(notPem));
    QCOMPARE(trusted.der.size(), m_systemCount);

    const QString missing = m_dir.filePath(QStringLiteral("missing.pem"));
    const TrustedCertificates absent = loadTrustedCertificates(missing);
    QVERIFY(absent.caFileError);
    QCOMPARE(absent.caFileError->file, missing);
    QVERIFY(!absent.caFileError->reason.isEmpty());
}

void TestTrustStore::checksSourcesWithoutParsing()
{
    QCOMPARE(checkTrustSources(QString()), std::nullopt);
    QCOMPARE(checkTrustSources(m_dir.filePath(QStringLiteral("first.pem"))), std::nullopt);
    const QString notPem = m_dir.filePath(QStringLiteral("not-a-certificate.txt"));
    QCOMPARE(checkTrustSources(notPem),
             QStringLiteral("cannot load CA certificates from %1: no PEM certificate in it")
                 .arg(notPem));
    const QString missing = m_dir.filePath(QStringLiteral("missing.pem"));
    QVERIFY(checkTrustSources(missing)->startsWith(
        QStringLiteral("cannot load CA certificates from %1: ").arg(missing)));
}

QTEST_GUILESS_MAIN(TestTrustStore)
#include "tst_truststore.moc"
