#pragma once

#include "metrics/EngineSnapshot.h"
#include "outbound/Connector.h"
#include "outbound/TunnelPool.h"

#include <chrono>
#include <memory>

namespace echw {

class EchConfigSource;
class MetricsRegistry;
class TlsClientContext;

// Opens connections through the worker: TCP to the server (or the preferred address), TLS 1.3
// with ECH, WebSocket upgrade, CONNECT. ECH rejection is retried once with the server's retry
// configs, or with a fresh config when it sent none (RFC 9849 section 6.1.6). Without ECH the
// real server name would go out in clear, so that needs the explicit no-ECH mode. With a warm
// pool, a new connection takes a ready session and only sends CONNECT.
class TunnelConnector final : public Connector {
public:
    struct Settings {
        QString host; // the worker's name: SNI, Host, certificate
        quint16 port = 443;
        QString path = QStringLiteral("/");
        QString dialAddress; // where TCP goes; empty means host
        QString token;
        bool withoutEch = false;
        std::chrono::milliseconds connectTimeout{10'000};    // TCP + TLS
        std::chrono::milliseconds setupTimeout{10'000};      // upgrade + CONNECTED
        std::chrono::milliseconds keepAliveInterval{30'000}; // 0: no pings
        MetricsRegistry* metrics = nullptr; // set-up results and durations; null: not counted
        TunnelPool::Settings pool;          // maxSize 0: no warm pool
    };

    TunnelConnector(Settings settings, std::shared_ptr<TlsClientContext> tls,
                    std::shared_ptr<EchConfigSource> ech);
    ~TunnelConnector() override;

    std::unique_ptr<QObject> open(const TargetAddress& target, QByteArray earlyData,
                                  Callback callback, ConnectionEntry* entry) override;

    // How the latest tunnel attempt went (Untried before the first one ends).
    TunnelStatus status() const { return *m_status; }
    // The warm pool; null when it is off.
    const TunnelPool* pool() const { return m_pool.get(); }

private:
    class Attempt;
    Settings m_settings;
    std::shared_ptr<TlsClientContext> m_tls;
    std::shared_ptr<EchConfigSource> m_ech;
    // Shared with attempts, which may end after a settings change replaced this connector.
    std::shared_ptr<TunnelStatus> m_status;
    std::unique_ptr<TunnelPool> m_pool; // last: its sessions' attempts use the members above
};

} // namespace echw
