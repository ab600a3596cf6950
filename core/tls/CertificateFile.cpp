#include "CertificateFile.h"

#include "system/BoundedFile.h"
#include "system/PrivateFile.h"
#include "tls/OpenSslHandles.h"

#include <QCryptographicHash>
#include <QDir>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

namespace echw {

bool looksLikePem(const QByteArray& content)
{
    return content.contains("-----BEGIN CERTIFICATE-----") ||
           content.contains("-----BEGIN TRUSTED CERTIFICATE-----");
}

QList<QByteArray> pemCertificates(const QByteArray& content)
{
    QList<QByteArray> certificates;
    if (!looksLikePem(content))
        return certificates;
    BioPtr bio(BIO_new_mem_buf(content.constData(), int(content.size())));
    while (X509* certificate = PEM_read_bio_X509_AUX(bio.get(), nullptr, nullptr, nullptr)) {
        unsigned char* der = nullptr;
        const int length = i2d_X509(certificate, &der);
        if (length > 0)
            certificates.append(QByteArray(reinterpret_cast<const char*>(der), length));
        OPENSSL_free(der);
        X509_free(certificate);
    }
    ERR_clear_error(); // the loop ends on a "no start line" error
    return certificates;
}

std::variant<QList<QByteArray>, QString> readCertificateFile(const QString& path)
{
    auto content = readBoundedFile(path, kMaxCertificateFileSize);
    if (auto* reason = std::get_if<QString>(&content))
        return std::move(*reason);
    QList<QByteArray> certificates = pemCertificates(std::get<QByteArray>(content));
    if (certificates.isEmpty())
        return QStringLiteral("no PEM certificate in it");
    return certificates;
}

bool isCertificateDer(const QByteArray& der)
{
    const auto* cursor = reinterpret_cast<const unsigned char*>(der.constData());
    X509* certificate = d2i_X509(nullptr, &cursor, long(der.size()));
    const bool whole =
        certificate && cursor == reinterpret_cast<const unsigned char*>(der.constEnd());
    X509_free(certificate);
    ERR_clear_error();
    return whole;
}

QByteArray pemOf(const QList<QByteArray>& der)
{
    QByteArray pem;
    for (const QByteArray& certificate : der) {
        pem += "-----BEGIN CERTIFICATE-----\n";
        // RFC 7468 section 2: base64 lines of 64 characters.
        const QByteArray base64 = certificate.toBase64();
        for (qsizetype at = 0; at < base64.size(); at += 64) {
            pem += base64.mid(at, 64);
            pem += '\n';
        }
        pem += "-----END CERTIFICATE-----\n";
    }
    return pem;
}

std::variant<SavedCertificates, QString> saveCertificates(const QString& directory,
                                                          const QList<QByteArray>& der)
{
    if (der.isEmpty())
        return QStringLiteral("no certificate");
    for (const QByteArray& certificate : der) {
        if (!isCertificateDer(certificate))
            return QStringLiteral("not a certificate");
    }
    const QByteArray pem = pemOf(der);
    const QByteArray digest = QCryptographicHash::hash(pem, QCryptographicHash::Sha256);
    const QString path = QDir(directory).filePath(QString::fromLatin1(digest.toHex().left(16)) +
                                                  QStringLiteral(".pem"));
    if (const auto error = writePrivateFile(path, pem))
        return *error;
    return SavedCertificates{path};
}

} // namespace echw
