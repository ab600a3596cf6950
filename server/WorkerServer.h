#pragma once

#include "WorkerContext.h"

#include <QHostAddress>
#include <QObject>

#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

namespace echw {
class HostResolver;
class SocketStream;
class StreamListener;
} // namespace echw

namespace echw::server {

class WorkerConnection;

// The self-hosted worker: a TLS 1.3 listener with ECH whose connections speak the worker
// protocol over WebSocket (protocol.md sections 2 and 3), plus a DoH endpoint that hands out its
// ECH config. Everything runs on the thread that owns the server, driven by its event loop.
class WorkerServer final : public QObject {
    Q_OBJECT
public:
    WorkerServer(ServerCredentials credentials, WorkerSettings settings, QObject* parent = nullptr);
    ~WorkerServer() override;

    // Builds the TLS context from the credentials and starts listening (port 0: any free one).
    // Returns what went wrong.
    std::optional<QString> listen(const QHostAddress& address, quint16 port);
    // Stops accepting and closes every connection at once. Not from a connection's own signal.
    void stop();

    // Replaces the system resolver (before listen); tests answer names without DNS.
    void setHostResolver(std::unique_ptr<HostResolver> resolver);
    // Replaces the policy built from the settings (before listen); tests give it their own
    // list of the server's addresses.
    void setTargetPolicy(TargetPolicy policy);

    QHostAddress serverAddress() const;
    quint16 serverPort() const;
    const ServerCredentials& credentials() const { return m_context.credentials; }
    const WorkerSettings& settings() const { return m_context.settings; }
    const WorkerCounters& counters() const { return m_context.counters; }

private:
    void accept(std::unique_ptr<SocketStream> socket);
    void onConnectionFinished(WorkerConnection* connection);

    WorkerContext m_context;
    std::unique_ptr<HostResolver> m_resolver;
    std::unique_ptr<StreamListener> m_listener;
    quint64 m_nextId = 1;
    // Declared after the context and the resolver: connections refer to them, so they go first.
    std::unordered_map<WorkerConnection*, std::unique_ptr<WorkerConnection>> m_connections;
    std::vector<std::unique_ptr<WorkerConnection>> m_finished; // deleted on the next loop turn
};

} // namespace echw::server
