#include "Engine.h"

#include "config/SettingsValidation.h"
#include "ech/DohClient.h"
#include "ech/EchConfigCache.h"
#include "inbound/ProxyListener.h"
#include "outbound/DirectConnector.h"
#include "outbound/TunnelConnector.h"
#include "tls/TlsContext.h"

#include <QLoggingCategory>

namespace echw {

Q_LOGGING_CATEGORY(lcEngine, "echw.engine")

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
    if (settings.routing == RoutingMode::BypassCn) {
        return QStringLiteral("routing mode bypass_cn is not available in this build yet; use "
                              "global or none");
    }

    m_settings = settings;
    m_direct = std::make_unique<DirectConnector>(settings.connectTimeout);
    m_context.connector = m_direct.get();
    if (settings.routing == RoutingMode::Global) {
        if (auto error = startTunnel(settings)) {
            stop();
            return error;
        }
    }
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

std::optional<QString> Engine::startTunnel(const ProxySettings& settings)
{
    const auto server = parseServerAddress(settings.server.address);
    if (auto* error = std::get_if<QString>(&server))
        return QStringLiteral("server address: %1").arg(*error);
    auto tls = TlsClientContext::create(settings.server.caFile);
    if (auto* error = std::get_if<QString>(&tls))
        return *error;

    std::shared_ptr<EchConfigProvider> ech;
    if (!settings.server.withoutEch) {
        const auto doh = parseDohServer(settings.server.dohServer);
        if (auto* error = std::get_if<QString>(&doh))
            return QStringLiteral("DoH server: %1").arg(*error);
        DohOptions options;
        options.url = std::get<QUrl>(doh);
        options.extraCaFile = settings.server.caFile;
        ech = std::make_shared<EchConfigProvider>(std::make_unique<DohClient>(options),
                                                  settings.server.echDomain,
                                                  EchConfigCache(settings.echCacheFile));
        // Fetched now rather than on the first connection: it is then ready, and a problem
        // shows at start.
        ech->get(this, [domain = settings.server.echDomain](EchConfigSource::Result result) {
            if (auto* error = std::get_if<QString>(&result))
                qCWarning(lcEngine, "%s", qPrintable(*error));
            else
                qCInfo(lcEngine, "ECH config for %s ready", qPrintable(domain));
        });
    } else {
        qCWarning(lcEngine, "no-ECH mode: the server name %s is sent in clear",
                  qPrintable(std::get<ServerAddress>(server).host));
    }

    const auto& address = std::get<ServerAddress>(server);
    TunnelConnector::Settings tunnel;
    tunnel.host = address.host;
    tunnel.port = address.port;
    tunnel.path = address.path;
    tunnel.dialAddress = settings.server.preferredIp;
    tunnel.token = settings.server.token;
    tunnel.withoutEch = settings.server.withoutEch;
    tunnel.connectTimeout = settings.connectTimeout;
    tunnel.setupTimeout = settings.connectTimeout;
    m_tunnel = std::make_unique<TunnelConnector>(
        tunnel, std::get<std::shared_ptr<TlsClientContext>>(std::move(tls)), std::move(ech));
    m_context.connector = m_tunnel.get();
    return std::nullopt;
}

void Engine::stop()
{
    m_listener.reset();
    m_context.connector = nullptr;
    m_tunnel.reset();
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
