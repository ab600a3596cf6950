#include "TrustStore.h"

#include "system/BoundedFile.h"
#include "system/OncePerProcess.h"
#include "tls/CertificateFile.h"

#include <QDir>
#include <QFileInfo>
#include <QSet>
#include <QSslCertificate>

namespace echw {

namespace {

// Where distributions keep the bundle of trusted roots.
constexpr const char* kTrustBundles[] = {
    "/etc/ssl/certs/ca-certificates.crt", // Debian, Ubuntu, Arch, Alpine
    "/etc/pki/tls/certs/ca-bundle.crt",   // Fedora, RHEL
    "/etc/ssl/ca-bundle.pem",             // openSUSE
    "/etc/ssl/cert.pem",                  // macOS, BSDs
};
// The roots one per file, for a system that has no bundle.
constexpr const char* kTrustDirectory = "/etc/ssl/certs";

// A certificate directory holds a few hundred entries; more is not one.
constexpr qsizetype kMaxDirectoryEntries = 10'000;

// Every file of the directory that holds certificates, in name order; files that hold none
// (CRLs, a README) are passed over, as OpenSSL and Go pass them over.
std::variant<QList<QByteArray>, QString> certificatesInDirectory(const QString& path)
{
    if (!QFileInfo(path).isDir())
        return QStringLiteral("not a directory");
    const QFileInfoList entries =
        QDir(path).entryInfoList(QDir::Files | QDir::Readable, QDir::Name);
    if (entries.size() > kMaxDirectoryEntries)
        return QStringLiteral("more than %1 files").arg(kMaxDirectoryEntries);
    QList<QByteArray> certificates;
    // Hashed names are links to the real files: each file is read once.
    QSet<QString> seen;
    for (const QFileInfo& entry : entries) {
        const QString canonical = entry.canonicalFilePath();
        if (canonical.isEmpty() || seen.contains(canonical))
            continue;
        seen.insert(canonical);
        auto found = readCertificateFile(canonical);
        if (auto* list = std::get_if<QList<QByteArray>>(&found))
            certificates += *list;
    }
    if (certificates.isEmpty())
        return QStringLiteral("no file with a PEM certificate in it");
    return certificates;
}

QString systemBundle()
{
    for (const char* bundle : kTrustBundles) {
        if (QFileInfo::exists(QString::fromLatin1(bundle)))
            return QString::fromLatin1(bundle);
    }
    return {};
}

QStringList environmentDirectories()
{
    const QString value = qEnvironmentVariable("SSL_CERT_DIR");
    return value.split(QDir::listSeparator(), Qt::SkipEmptyParts);
}

// Adds what is not there yet, keeping the first occurrence's place.
void addCertificates(TrustedCertificates& trusted, QSet<QByteArray>& seen,
                     const QList<QByteArray>& certificates)
{
    for (const QByteArray& certificate : certificates) {
        if (!seen.contains(certificate)) {
            seen.insert(certificate);
            trusted.der.append(certificate);
        }
    }
}

} // namespace

QString CaFileError::message() const
{
    return QStringLiteral("cannot load CA certificates from %1: %2").arg(file, reason);
}

TrustedCertificates loadTrustedCertificates(const QString& extraCaFile)
{
    TrustedCertificates trusted;
    QSet<QByteArray> seen;

    // Adds what a source yielded; returns why it yielded nothing.
    const auto take =
        [&](std::variant<QList<QByteArray>, QString> found) -> std::optional<QString> {
        if (auto* reason = std::get_if<QString>(&found))
            return std::move(*reason);
        addCertificates(trusted, seen, std::get<QList<QByteArray>>(found));
        return std::nullopt;
    };
    const auto note = [&](QLatin1StringView variable, const QString& path,
                          std::optional<QString> reason) {
        if (reason)
            trusted.problems.append(
                variable + QStringLiteral(": ") +
                CaFileError{QDir::toNativeSeparators(path), std::move(*reason)}.message());
    };

    // A broken system store is the distribution's to fix and would show on every program;
    // what it yields is simply used.
    const QString bundle = systemBundle();
    take(bundle.isEmpty() ? certificatesInDirectory(QString::fromLatin1(kTrustDirectory))
                          : readCertificateFile(bundle));
    if (const QString file = qEnvironmentVariable("SSL_CERT_FILE"); !file.isEmpty())
        note(QLatin1StringView("SSL_CERT_FILE"), file, take(readCertificateFile(file)));
    for (const QString& directory : environmentDirectories())
        note(QLatin1StringView("SSL_CERT_DIR"), directory,
             take(certificatesInDirectory(directory)));
    if (!extraCaFile.isEmpty()) {
        if (auto reason = take(readCertificateFile(extraCaFile)))
            trusted.caFileError = CaFileError{extraCaFile, std::move(*reason)};
    }
    return trusted;
}

void warnAboutTrustProblems(const TrustedCertificates& trusted)
{
    for (const QString& problem : trusted.problems) {
        if (firstTimeInProcess(QStringLiteral("trust store: ") + problem))
            qWarning("%s", qPrintable(problem));
    }
}

std::variant<QSslConfiguration, CaFileError> qtTlsConfiguration(const QString& extraCaFile)
{
    const TrustedCertificates trusted = loadTrustedCertificates(extraCaFile);
    if (trusted.caFileError)
        return *trusted.caFileError;
    warnAboutTrustProblems(trusted);
    QList<QSslCertificate> certificates;
    certificates.reserve(trusted.der.size());
    for (const QByteArray& der : trusted.der) {
        QSslCertificate certificate(der, QSsl::Der);
        if (!certificate.isNull())
            certificates.append(std::move(certificate));
    }
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    // Setting the list also ends Qt's loading of roots on demand from its own directories:
    // exactly this set counts.
    tls.setCaCertificates(certificates);
    return tls;
}

std::optional<QString> checkTrustSources(const QString& extraCaFile)
{
    if (!extraCaFile.isEmpty()) {
        // A quick look, not a parse: the parse is part of the first use.
        auto content = readBoundedFile(extraCaFile, kMaxCertificateFileSize);
        if (auto* reason = std::get_if<QString>(&content))
            return CaFileError{extraCaFile, std::move(*reason)}.message();
        if (!looksLikePem(std::get<QByteArray>(content)))
            return CaFileError{extraCaFile, QStringLiteral("no PEM certificate in it")}.message();
        return std::nullopt;
    }
    if (!systemBundle().isEmpty() || QFileInfo(QString::fromLatin1(kTrustDirectory)).isDir() ||
        !qEnvironmentVariable("SSL_CERT_FILE").isEmpty() || !environmentDirectories().isEmpty())
        return std::nullopt;
    return QStringLiteral("no system trust store found (looked in /etc/ssl and /etc/pki); set "
                          "SSL_CERT_FILE or give a CA file");
}

} // namespace echw
