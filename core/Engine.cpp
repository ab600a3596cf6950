#include "Engine.h"

#include "config/SettingsValidation.h"
#include "inbound/ProxyListener.h"
#include "outbound/DirectConnector.h"

namespace echw {

Engine::Engine(QObject* parent)
    : QObject(parent)
{}

Engine::~Engine()
{
    stop();
}

std::optional<QString> Engine::start(const ProxySettings& settings)
{
    stop();
    const auto listen = parseListenAddress(settings.listen);
    if (auto* error = std::get_if<QString>(&listen))
        return QStringLiteral("listen address: %1").arg(*error);
    if (settings.routing != RoutingMode::None) {
        return QStringLiteral("routing mode %1 needs the tunnel, which this build does not have "
                              "yet; use -routing none")
            .arg(routingModeName(settings.routing));
    }

    m_settings = settings;
    m_direct = std::make_unique<DirectConnector>(settings.connectTimeout);
    m_context.connector = m_direct.get();
    m_context.handshakeTimeout = settings.handshakeTimeout;
    m_listener = std::make_unique<ProxyListener>(m_context);
    const auto& address = std::get<ListenAddress>(listen);
    if (!m_listener->listen(address.address, address.port)) {
        const QString error = QStringLiteral("cannot listen on %1: %2")
                                  .arg(settings.listen, m_listener->errorString());
        m_listener.reset();
        m_direct.reset();
        return error;
    }
    return std::nullopt;
}

void Engine::stop()
{
    m_listener.reset();
    m_context.connector = nullptr;
    m_direct.reset();
}

bool Engine::isRunning() const
{
    return m_listener != nullptr;
}

QString Engine::listenAddress() const
{
    if (!m_listener)
        return {};
    const QHostAddress address = m_listener->serverAddress();
    if (address.protocol() == QAbstractSocket::IPv6Protocol)
        return QStringLiteral("[%1]:%2").arg(address.toString()).arg(m_listener->serverPort());
    return QStringLiteral("%1:%2").arg(address.toString()).arg(m_listener->serverPort());
}

int Engine::activeConnections() const
{
    return m_listener ? m_listener->activeConnections() : 0;
}

quint64 Engine::totalConnections() const
{
    return m_listener ? m_listener->totalConnections() : 0;
}

} // namespace echw
