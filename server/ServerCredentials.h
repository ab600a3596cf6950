#pragma once

#include "tls/TlsCredentials.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <QStringList>

#include <optional>
#include <variant>

namespace echw::server {

// What the server presents: its certificate and key, and its ECH key. Loaded from files, or
// generated on first start and kept in the state folder (mode 0600) so that clients holding
// the ECH config keep working across restarts.
struct ServerCredentials {
    CertificatePair certificate;
    QString certificateFile; // absolute path of the certificate in use, for clients' -ca
    QByteArray echPem;
    QByteArray echConfigList; // the public part, for DoH answers and for printing
    QString publicName;
    QStringList notes; // what was generated or renewed, for the log

    // The ECHConfigList as a PEM block ("-----BEGIN ECHCONFIG-----"), without the private key.
    QByteArray echConfigPem() const;
};

struct CredentialOptions {
    QString certificateFile; // both empty: a self-signed pair in stateDir
    QString keyFile;
    QStringList serverNames; // names for a generated certificate (the public name is added)
    QString publicName;      // the ECHConfig public name
    QString stateDir;
};

// A generated certificate is made anew when it does not cover every requested name or expires
// within 30 days; the ECH key when its public name is not the requested one. A certificate from
// files is used as it is.
std::variant<ServerCredentials, QString> loadOrCreateCredentials(const CredentialOptions& options);

// The public_name of the first ECHConfig of a version this code knows (RFC 9849 section 4), or
// nullopt when the list holds none or is malformed.
std::optional<QString> echConfigPublicName(QByteArrayView echConfigList);

} // namespace echw::server
