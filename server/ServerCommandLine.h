#pragma once

#include "ServerCredentials.h"
#include "WorkerContext.h"
#include "config/FlagParser.h"

#include <QHostAddress>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace echw::server {

// The command line of ech-workers-server, in the client's style: single-dash flags (`--flag`
// works too), `-flag value` or `-flag=value`, booleans bare or `=true/false`.
struct ServerCommandLine {
    using Action = FlagAction;

    // The ECHConfig public name when -public-name is not given: a name under .invalid
    // (RFC 6761 section 6.4) never resolves and never collides with a real site, and it goes
    // into the generated certificate, so clients trusting that certificate can authenticate
    // retry configs with it.
    static inline const QString kDefaultPublicName = QStringLiteral("ech-public.invalid");
    static constexpr quint16 kDefaultPort = 8443;

    Action action = Action::Run;
    QHostAddress listenAddress{QHostAddress::LocalHost};
    quint16 listenPort = kDefaultPort;
    WorkerSettings settings;
    CredentialOptions credentials;
    QString logLevel = QStringLiteral("info");
    QString error; // Action::Error: one line naming the flag; never quotes the token

    // `arguments` without the program name; `defaultStateDir` is -state's default;
    // `environment` supplies ECH_WORKERS_SERVER_TOKEN, which counts when no flag gives the token.
    static ServerCommandLine
    parse(const QStringList& arguments, const QString& defaultStateDir,
          const QProcessEnvironment& environment = QProcessEnvironment::systemEnvironment());
    static QString help();
};

} // namespace echw::server
