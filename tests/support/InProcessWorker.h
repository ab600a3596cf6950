#pragma once

// The worker server in-process on loopback. Header-only: echw_test_support does not link the
// server library, the Qt tests that include this do (tests/CMakeLists.txt).
#include "ServerCredentials.h"
#include "TestValues.h"
#include "WorkerServer.h"

#include <QHostAddress>

#include <memory>

namespace echw::test {

// A self-signed certificate for `serverNames` and ECH keys under `publicName`, kept in
// `stateDir`.
inline server::ServerCredentials workerCredentials(const QString& stateDir,
                                                   const QStringList& serverNames,
                                                   const QString& publicName)
{
    server::CredentialOptions options;
    options.serverNames = serverNames;
    options.publicName = publicName;
    options.stateDir = stateDir;
    return unwrap(server::loadOrCreateCredentials(options));
}

// A worker whose targets may be on loopback.
inline server::WorkerSettings loopbackWorkerSettings()
{
    server::WorkerSettings settings;
    settings.allowInternalTargets = true;
    return settings;
}

// Listening on a free loopback port; a test cannot go on without it.
inline std::unique_ptr<server::WorkerServer>
startWorker(const server::ServerCredentials& credentials, server::WorkerSettings settings)
{
    auto server = std::make_unique<server::WorkerServer>(credentials, std::move(settings));
    if (auto error = server->listen(QHostAddress::LocalHost, 0))
        qFatal("%s", qPrintable(*error));
    return server;
}

} // namespace echw::test
