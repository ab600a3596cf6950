#pragma once

#include <QByteArray>
#include <QList>
#include <QSslConfiguration>
#include <QString>
#include <QStringList>

#include <optional>
#include <variant>

namespace echw {

// The one rule for the certificate authorities that every TLS client of the program trusts:
// the worker connection (TlsClientContext, also under DNS over the tunnel), the DoH client and
// the China list downloads. Qt's TLS stack and our OpenSSL each have their own idea of
// SSL_CERT_FILE and SSL_CERT_DIR (Qt's ignores both), so neither is left to decide: both get
// exactly this set.
//
// The set, in this order, each certificate once:
//  - the system's roots: the first distribution bundle found (/etc/ssl/certs/ca-certificates.crt
//    and the like), or the certificates in /etc/ssl/certs when there is no bundle;
//  - the certificates in the file SSL_CERT_FILE names;
//  - the certificates in every directory of SSL_CERT_DIR (separated like PATH): each regular
//    file there holding PEM certificates counts, whether it has OpenSSL's hashed name
//    (`1a2b3c4d.0`) or any other (`corp-root.pem`), as Go's crypto/x509 reads them;
//  - the extra CA file of a self-hosted server, when one is configured.
// The variables add to the system's roots rather than replace them (as OpenSSL's defaults
// would): on Debian-like systems that is what the reference CLI (Go) ends up trusting too, as
// it reads the system's certificate directory next to SSL_CERT_FILE.
// An extra CA file that cannot be used: the file and the reason, for the caller's sentence.
struct CaFileError {
    QString file;
    QString reason; // "No such file or directory", "no PEM certificate in it"
    // "cannot load CA certificates from <file>: <reason>"
    QString message() const;
};

struct TrustedCertificates {
    QList<QByteArray> der; // DER encodings, in the order above
    // SSL_CERT_FILE or SSL_CERT_DIR entries that are set but yield nothing, one sentence each:
    // the connections still work with the rest, so they are for the log, not fatal.
    QStringList problems;
    // Set when the extra CA file yields nothing: it was asked for explicitly, so the caller
    // decides; its certificates are then missing from der, so nothing is trusted that was not
    // meant to be.
    std::optional<CaFileError> caFileError;
};

// Reads the whole set: the system's bundle and SSL_CERT_DIR are parsed every time (tens of
// milliseconds), so callers load it once, on first use.
TrustedCertificates loadTrustedCertificates(const QString& extraCaFile);

// Logs each of the set's problems as a warning, once per process however many clients load
// the set.
void warnAboutTrustProblems(const TrustedCertificates& trusted);

// Qt's default TLS settings with exactly this set as roots, for QNetworkAccessManager
// requests (Qt's own store ignores SSL_CERT_FILE and SSL_CERT_DIR); the problems are logged.
// Needs Qt's TLS backend (QSslSocket::supportsSsl()).
std::variant<QSslConfiguration, CaFileError> qtTlsConfiguration(const QString& extraCaFile);

// The quick check at start, without parsing: the extra CA file (when given) is readable and
// looks like PEM, and the rest of the set has a source at all.
std::optional<QString> checkTrustSources(const QString& extraCaFile);

} // namespace echw
