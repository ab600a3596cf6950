#include "tls/CertificateFile.h"
#include "tls/TlsCredentials.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace echw;

namespace {

QByteArray certificateDer(const QString& name)
{
    const auto pair = generateSelfSignedCertificate({name});
    if (!std::holds_alternative<CertificatePair>(pair))
        return {};
    const QList<QByteArray> der = pemCertificates(std::get<CertificatePair>(pair).certificatePem);
    return der.size() == 1 ? der.first() : QByteArray();
}

} // namespace

class TestCertificateFile : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        m_first = certificateDer(QStringLiteral("first.test"));
        m_second = certificateDer(QStringLiteral("second.test"));
        QVERIFY(!m_first.isEmpty() && !m_second.isEmpty() && m_first != m_second);
    }

    void tellsACertificateFromOtherBytes()
    {
        QVERIFY(isCertificateDer(m_first));
        QVERIFY(!isCertificateDer(m_first.left(m_first.size() - 1)));
        QVERIFY(!isCertificateDer(m_first + QByteArray("x")));
        QVERIFY(!isCertificateDer(m_first + m_second)); // two are not one
        QVERIFY(!isCertificateDer(QByteArray(64, '\0')));
        QVERIFY(!isCertificateDer({}));
    }

    void pemReadsBackAsTheSameCertificates()
    {
        const QByteArray pem = pemOf({m_first, m_second});
        QVERIFY(pem.startsWith("-----BEGIN CERTIFICATE-----\n"));
        for (const QByteArray& line : pem.split('\n'))
            QVERIFY(line.size() <= 64 || line.startsWith("-----"));
        QCOMPARE(pemCertificates(pem), (QList<QByteArray>{m_first, m_second}));
    }

    void savesOwnerOnlyUnderANameOfTheContent()
    {
        QTemporaryDir dir;
        const auto first = saveCertificates(dir.filePath(QStringLiteral("certs")), {m_first});
        QVERIFY(std::holds_alternative<SavedCertificates>(first));
        const QString path = std::get<SavedCertificates>(first).path;
        QCOMPARE(QFileInfo(path).dir().dirName(), QStringLiteral("certs"));
        QCOMPARE(QFile(path).permissions() & (QFile::ReadGroup | QFile::ReadOther),
                 QFile::Permissions());
        const auto read = readCertificateFile(path);
        QCOMPARE(std::get<QList<QByteArray>>(read), QList<QByteArray>{m_first});

        // The same certificate twice: one file; another: another file.
        const auto again = saveCertificates(dir.filePath(QStringLiteral("certs")), {m_first});
        QCOMPARE(std::get<SavedCertificates>(again).path, path);
        const auto other = saveCertificates(dir.filePath(QStringLiteral("certs")), {m_second});
        QVERIFY(std::get<SavedCertificates>(other).path != path);
    }

    void refusesWhatIsNoCertificate()
    {
        QTemporaryDir dir;
        const auto saved = saveCertificates(dir.path(), {m_first, QByteArray("junk")});
        QCOMPARE(std::get<QString>(saved), QStringLiteral("not a certificate"));
        QVERIFY(QDir(dir.path()).isEmpty());
        QCOMPARE(std::get<QString>(saveCertificates(dir.path(), {})),
                 QStringLiteral("no certificate"));
    }

private:
    QByteArray m_first;
    QByteArray m_second;
};

QTEST_GUILESS_MAIN(TestCertificateFile)
#include "tst_certificatefile.moc"
