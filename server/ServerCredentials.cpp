#include "ServerCredentials.h"

#include "tls/OpenSslHandles.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QSaveFile>

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <ctime>

namespace echw::server {

namespace {

using X509Ptr = std::unique_ptr<X509, OpenSslDeleter<X509_free>>;

// RFC 9849 section 4: the ECHConfig version this draft-turned-RFC defines.
constexpr quint16 kEchConfigVersion = 0xfe0d;
// A generated certificate is renewed this long before it expires.
constexpr int kRenewDays = 30;

std::variant<QByteArray, QString> readFile(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
    return file.readAll();
}

// Written whole or not at all, readable by the owner only: these are private keys.
std::optional<QString> writePrivateFile(const QString& path, const QByteArray& data)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    file.write(data);
    if (!file.commit())
        return QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
    return std::nullopt;
}

// Whether a stored certificate can go on serving: it names everything asked for and is not
// about to expire. Anything unreadable counts as unusable, and is replaced.
bool certificateStillFits(const QByteArray& pem, const QStringList& names)
{
    BioPtr bio(BIO_new_mem_buf(pem.constData(), int(pem.size())));
    X509Ptr certificate(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!certificate)
        return false;
    for (const QString& name : names) {
        const QByteArray bytes = name.toUtf8();
        const bool covered = QHostAddress(name).isNull()
                                 ? X509_check_host(certificate.get(), bytes.constData(),
                                                   size_t(bytes.size()), 0, nullptr) == 1
                                 : X509_check_ip_asc(certificate.get(), bytes.constData(), 0) == 1;
        if (!covered)
            return false;
    }
    const time_t renewAt = std::time(nullptr) + time_t(kRenewDays) * 24 * 3600;
    // 1 when the certificate ends after renewAt; -1 before, -2 on error.
    return ASN1_TIME_cmp_time_t(X509_get0_notAfter(certificate.get()), renewAt) == 1;
}

std::optional<QString> loadOrCreateCertificate(const CredentialOptions& options, const QDir& state,
                                               ServerCredentials& result)
{
    if (!options.certificateFile.isEmpty() || !options.keyFile.isEmpty()) {
        if (options.certificateFile.isEmpty() || options.keyFile.isEmpty())
            return QStringLiteral("give both a certificate file and a key file");
        auto certificate = readFile(options.certificateFile);
        if (auto* error = std::get_if<QString>(&certificate))
            return *error;
        auto key = readFile(options.keyFile);
        if (auto* error = std::get_if<QString>(&key))
            return *error;
        result.certificate = {std::get<QByteArray>(certificate), std::get<QByteArray>(key)};
        result.certificateFile = QFileInfo(options.certificateFile).absoluteFilePath();
        return std::nullopt;
    }

    const QString certificatePath = state.filePath(QStringLiteral("certificate.pem"));
    const QString keyPath = state.filePath(QStringLiteral("certificate-key.pem"));
    result.certificateFile = QFileInfo(certificatePath).absoluteFilePath();
    QStringList names = options.serverNames;
    if (!names.contains(options.publicName))
        names << options.publicName;

    if (QFile::exists(certificatePath) && QFile::exists(keyPath)) {
        auto certificate = readFile(certificatePath);
        if (auto* error = std::get_if<QString>(&certificate))
            return *error;
        auto key = readFile(keyPath);
        if (auto* error = std::get_if<QString>(&key))
            return *error;
        if (certificateStillFits(std::get<QByteArray>(certificate), names)) {
            result.certificate = {std::get<QByteArray>(certificate), std::get<QByteArray>(key)};
            return std::nullopt;
        }
        result.notes << QStringLiteral("the stored certificate does not cover %1 or expires "
                                       "soon: generating a new one")
                            .arg(names.join(QStringLiteral(", ")));
    } else {
        result.notes << QStringLiteral("generated a self-signed certificate for %1")
                            .arg(names.join(QStringLiteral(", ")));
    }
    auto generated = generateSelfSignedCertificate(names);
    if (auto* error = std::get_if<QString>(&generated))
        return *error;
    result.certificate = std::get<CertificatePair>(generated);
    // The key first: a certificate without its key on disk would be unusable next time.
    if (auto error = writePrivateFile(keyPath, result.certificate.privateKeyPem))
        return error;
    return writePrivateFile(certificatePath, result.certificate.certificatePem);
}

std::optional<QString> loadOrCreateEchKey(const CredentialOptions& options, const QDir& state,
                                          ServerCredentials& result)
{
    const QString echPath = state.filePath(QStringLiteral("ech.pem"));
    if (QFile::exists(echPath)) {
        auto pem = readFile(echPath);
        if (auto* error = std::get_if<QString>(&pem))
            return *error;
        const QByteArray list = echConfigListFromPem(std::get<QByteArray>(pem));
        if (list.isEmpty())
            return QStringLiteral("%1 holds no ECHCONFIG block").arg(echPath);
        // A new public name needs a new config: the name is part of it. Clients holding the
        // old config get the new one as retry configs or from DoH.
        if (echConfigPublicName(list) == options.publicName) {
            result.echPem = std::get<QByteArray>(pem);
            result.echConfigList = list;
            return std::nullopt;
        }
        result.notes << QStringLiteral("the stored ECH key is for another public name: "
                                       "generating a new one for %1")
                            .arg(options.publicName);
    } else {
        result.notes << QStringLiteral("generated an ECH key for the public name %1")
                            .arg(options.publicName);
    }
    auto generated = generateEchPem(options.publicName);
    if (auto* error = std::get_if<QString>(&generated))
        return *error;
    result.echPem = std::get<QByteArray>(generated);
    result.echConfigList = echConfigListFromPem(result.echPem);
    if (result.echConfigList.isEmpty())
        return QStringLiteral("the generated ECH key has no ECHCONFIG block");
    return writePrivateFile(echPath, result.echPem);
}

} // namespace

QByteArray ServerCredentials::echConfigPem() const
{
    // RFC 7468 section 2: base64 in lines of 64 characters between the labels.
    const QByteArray base64 = echConfigList.toBase64();
    QByteArray pem = "-----BEGIN ECHCONFIG-----\n";
    for (qsizetype i = 0; i < base64.size(); i += 64)
        pem += base64.mid(i, 64) + '\n';
    pem += "-----END ECHCONFIG-----\n";
    return pem;
}

std::variant<ServerCredentials, QString> loadOrCreateCredentials(const CredentialOptions& options)
{
    ServerCredentials result;
    result.publicName = options.publicName;
    if (options.stateDir.isEmpty())
        return QStringLiteral("no state folder given");
    if (!QDir().mkpath(options.stateDir))
        return QStringLiteral("cannot create the state folder %1").arg(options.stateDir);
    const QDir state(options.stateDir);

    if (auto error = loadOrCreateCertificate(options, state, result))
        return *error;
    if (auto error = loadOrCreateEchKey(options, state, result))
        return *error;
    return result;
}

std::optional<QString> echConfigPublicName(QByteArrayView list)
{
    // Reads big-endian fields front to back; every read is bounds-checked.
    qsizetype offset = 0;
    auto take = [&](qsizetype size) -> std::optional<QByteArrayView> {
        if (size < 0 || list.size() - offset < size)
            return std::nullopt;
        const QByteArrayView bytes = list.sliced(offset, size);
        offset += size;
        return bytes;
    };
    auto number = [&](qsizetype size) -> std::optional<quint32> {
        const auto bytes = take(size);
        if (!bytes)
            return std::nullopt;
        quint32 value = 0;
        for (char c : *bytes)
            value = value << 8 | uchar(c);
        return value;
    };

    const auto listLength = number(2);
    if (!listLength || *listLength != quint32(list.size() - 2))
        return std::nullopt;
    while (offset < list.size()) {
        const auto version = number(2);
        const auto length = number(2);
        if (!version || !length)
            return std::nullopt;
        const qsizetype end = offset + qsizetype(*length);
        if (end > list.size())
            return std::nullopt;
        if (*version != kEchConfigVersion) {
            offset = end; // section 4: configs of unknown versions are skipped
            continue;
        }
        // ECHConfigContents: HpkeKeyConfig (config_id, kem_id, public_key, cipher_suites),
        // maximum_name_length, public_name, extensions.
        if (!take(1) || !number(2))
            return std::nullopt;
        const auto keyLength = number(2);
        if (!keyLength || !take(*keyLength))
            return std::nullopt;
        const auto suitesLength = number(2);
        if (!suitesLength || !take(*suitesLength) || !take(1))
            return std::nullopt;
        const auto nameLength = number(1);
        const auto name = nameLength ? take(*nameLength) : std::nullopt;
        if (!name || name->isEmpty() || offset > end)
            return std::nullopt;
        return QString::fromLatin1(*name);
    }
    return std::nullopt;
}

} // namespace echw::server
