// The server's keys: generated once and kept, renewed when they no longer fit the options,
// taken from files when given.
#include "ServerCredentials.h"
#include "TestValues.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace echw;
using namespace echw::server;
using echw::test::unwrap;

namespace {

ServerCredentials load(const CredentialOptions& options)
{
    return unwrap(loadOrCreateCredentials(options));
}

QByteArray readAll(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class TestServerCredentials : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void generatesOnceAndKeepsPrivateFiles();
    void renewsCertificateForNewNames();
    void renewsEchKeyForNewPublicName();
    void usesCertificateFilesAsGiven();
    void reportsMissingCertificateFile();
    void readsPublicNameFromConfigList();
    void printsEchConfigAsPem();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    CredentialOptions m_options;
};

void TestServerCredentials::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_options = {};
    m_options.serverNames = {QStringLiteral("localhost"), QStringLiteral("127.0.0.1")};
    m_options.publicName = QStringLiteral("public.test");
    m_options.stateDir = m_dir->filePath(QStringLiteral("state"));
}

void TestServerCredentials::generatesOnceAndKeepsPrivateFiles()
{
    const ServerCredentials first = load(m_options);
    QVERIFY(!first.echConfigList.isEmpty());
    QCOMPARE(echConfigPublicName(first.echConfigList), QStringLiteral("public.test"));
    QCOMPARE(first.certificateFile,
             QDir(m_options.stateDir).absoluteFilePath(QStringLiteral("certificate.pem")));
    QCOMPARE(readAll(first.certificateFile), first.certificate.certificatePem);
    QCOMPARE(first.notes.size(), 2);
    for (const QString& name : {QStringLiteral("certificate.pem"),
                                QStringLiteral("certificate-key.pem"), QStringLiteral("ech.pem")}) {
        const QFile::Permissions permissions =
            QFile::permissions(QDir(m_options.stateDir).filePath(name));
        QCOMPARE(permissions & (QFile::ReadGroup | QFile::ReadOther | QFile::WriteOther),
                 QFile::Permissions());
    }

    const ServerCredentials second = load(m_options);
    QCOMPARE(second.certificate.certificatePem, first.certificate.certificatePem);
    QCOMPARE(second.echPem, first.echPem);
    QVERIFY(second.notes.isEmpty());
}

void TestServerCredentials::renewsCertificateForNewNames()
{
    const ServerCredentials first = load(m_options);
    m_options.serverNames << QStringLiteral("worker.example.com");
    const ServerCredentials second = load(m_options);
    QVERIFY(second.certificate.certificatePem != first.certificate.certificatePem);
    QCOMPARE(second.echPem, first.echPem); // the ECH key did not need to change
    QCOMPARE(readAll(second.certificateFile), second.certificate.certificatePem);
}

void TestServerCredentials::renewsEchKeyForNewPublicName()
{
    const ServerCredentials first = load(m_options);
    m_options.publicName = QStringLiteral("other.test");
    const ServerCredentials second = load(m_options);
    QVERIFY(second.echConfigList != first.echConfigList);
    QCOMPARE(echConfigPublicName(second.echConfigList), QStringLiteral("other.test"));
}

void TestServerCredentials::usesCertificateFilesAsGiven()
{
    const ServerCredentials generated = load(m_options);
    const QString certificate = m_dir->filePath(QStringLiteral("given.pem"));
    const QString key = m_dir->filePath(QStringLiteral("given-key.pem"));
    QVERIFY(QFile::copy(generated.certificateFile, certificate));
    QVERIFY(
        QFile::copy(QDir(m_options.stateDir).filePath(QStringLiteral("certificate-key.pem")), key));

    m_options.certificateFile = certificate;
    m_options.keyFile = key;
    m_options.stateDir = m_dir->filePath(QStringLiteral("other-state"));
    const ServerCredentials loaded = load(m_options);
    QCOMPARE(loaded.certificateFile, certificate);
    QCOMPARE(loaded.certificate.certificatePem, generated.certificate.certificatePem);
    QVERIFY(!QFile::exists(QDir(m_options.stateDir).filePath(QStringLiteral("certificate.pem"))));
}

void TestServerCredentials::reportsMissingCertificateFile()
{
    m_options.certificateFile = m_dir->filePath(QStringLiteral("missing.pem"));
    m_options.keyFile = m_dir->filePath(QStringLiteral("missing-key.pem"));
    const auto result = loadOrCreateCredentials(m_options);
    QVERIFY(std::holds_alternative<QString>(result));
    QVERIFY(std::get<QString>(result).contains(QStringLiteral("missing.pem")));
}

void TestServerCredentials::readsPublicNameFromConfigList()
{
    const ServerCredentials credentials = load(m_options);
    const QByteArray list = credentials.echConfigList;
    QCOMPARE(echConfigPublicName(list), QStringLiteral("public.test"));
    QCOMPARE(echConfigPublicName(list.chopped(1)), std::nullopt);
    QCOMPARE(echConfigPublicName(QByteArray()), std::nullopt);
    // A config of an unknown version is skipped.
    QByteArray unknown = QByteArray::fromHex("fe0a0002abcd") + list.mid(2);
    const quint16 length = quint16(unknown.size());
    unknown.prepend(char(length & 0xff)).prepend(char(length >> 8));
    QCOMPARE(echConfigPublicName(unknown), QStringLiteral("public.test"));
}

void TestServerCredentials::printsEchConfigAsPem()
{
    const ServerCredentials credentials = load(m_options);
    const QByteArray pem = credentials.echConfigPem();
    QVERIFY(pem.startsWith("-----BEGIN ECHCONFIG-----\n"));
    QVERIFY(pem.endsWith("-----END ECHCONFIG-----\n"));
    QCOMPARE(echConfigListFromPem(pem), credentials.echConfigList);
    QVERIFY(!pem.contains("PRIVATE"));
}

QTEST_GUILESS_MAIN(TestServerCredentials)
#include "tst_servercredentials.moc"
