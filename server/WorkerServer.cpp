#include "WorkerServer.h"

#include "ServerLog.h"
#include "WorkerConnection.h"
#include "net/HostResolver.h"
#include "net/SocketStream.h"
#include "net/StreamListener.h"
#include "tls/TlsContext.h"

#include <QTimer>

namespace echw::server {

WorkerServer::WorkerServer(ServerCredentials credentials, WorkerSettings settings, QObject* parent)
    : QObject(parent)
{
    m_context.credentials = std::move(credentials);
    m_context.settings = std::move(settings);
    m_context.targetPolicy = TargetPolicy(m_context.settings.allowInternalTargets);
    setHostResolver(std::make_unique<SystemHostResolver>());
}

WorkerServer::~WorkerServer()
{
    stop();
}

std::optional<QString> WorkerServer::listen(const QHostAddress& address, quint16 port)
{
    if (m_listener)
        return QStringLiteral("the server is already listening");
    const ServerCredentials& c = m_context.credentials;
    auto tls = TlsServerContext::create(c.certificate.certificatePem, c.certificate.privateKeyPem,
                                        c.echPem);
    if (auto* error = std::get_if<QString>(&tls))
        return *error;
    m_context.tls = std::get<std::shared_ptr<TlsServerContext>>(std::move(tls));

    m_listener = std::make_unique<StreamListener>(
        [this](std::unique_ptr<SocketStream> socket) { accept(std::move(socket)); });
    if (!m_listener->listen(address, port)) {
        const QString error = QStringLiteral("cannot listen on %1 port %2: %3")
                                  .arg(address.toString())
                                  .arg(port)
                                  .arg(m_listener->errorString());
        m_listener.reset();
        return error;
    }
    return std::nullopt;
}

void WorkerServer::setHostResolver(std::unique_ptr<HostResolver> resolver)
{
    m_resolver = std::move(resolver);
    m_context.resolver = m_resolver.get();
}

void WorkerServer::setTargetPolicy(TargetPolicy policy)
{
    m_context.targetPolicy = std::move(policy);
}

void WorkerServer::stop()
{
    m_listener.reset();
    m_connections.clear();
    m_finished.clear();
    m_context.counters.activeConnections = 0;
}

QHostAddress WorkerServer::serverAddress() const
{
    return m_listener ? m_listener->serverAddress() : QHostAddress();
}

quint16 WorkerServer::serverPort() const
{
    return m_listener ? m_listener->serverPort() : 0;
}

void WorkerServer::accept(std::unique_ptr<SocketStream> socket)
{
    const quint64 id = m_nextId++;
    auto connection = std::make_unique<WorkerConnection>(std::move(socket), m_context, id);
    WorkerConnection* raw = connection.get();
    connect(raw, &WorkerConnection::finished, this, [this, raw] { onConnectionFinished(raw); });
    m_connections.emplace(raw, std::move(connection));
    ++m_context.counters.connections;
    m_context.counters.activeConnections = qint64(m_connections.size());
    raw->start();
}

void WorkerServer::onConnectionFinished(WorkerConnection* connection)
{
    auto node = m_connections.extract(connection);
    if (node.empty())
        return;
    m_context.counters.activeConnections = qint64(m_connections.size());
    // The signal comes from deep inside the connection's own call stack; it is deleted once
    // that has unwound.
    m_finished.push_back(std::move(node.mapped()));
    if (m_finished.size() == 1)
        QTimer::singleShot(0, this, [this] { m_finished.clear(); });
}

} // namespace echw::server
