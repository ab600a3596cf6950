#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <variant>

namespace echw {

// Key material for a self-hosted server: a fresh ECH key, and a self-signed certificate for
// loopback tests and first runs. PEM in, PEM out, so it can be stored and reloaded.
struct CertificatePair {
    QByteArray certificatePem;
    QByteArray privateKeyPem;
};

// A self-signed certificate (EC P-256, SHA-256) valid for `names` (DNS names or IP literals).
std::variant<CertificatePair, QString> generateSelfSignedCertificate(const QStringList& names,
                                                                     int validDays = 825);

// An ECH PEM (private key + ECHCONFIG block) for a new X25519 key with `publicName` as the
// ECHConfig's public name.
std::variant<QByteArray, QString> generateEchPem(const QString& publicName);

// The binary ECHConfigList from an ECH PEM's "ECHCONFIG" block; empty when there is none.
QByteArray echConfigListFromPem(const QByteArray& echPem);

} // namespace echw
