#include "TunnelConnector.h"

#include "ech/EchConfigSource.h"
#include "metrics/MetricsRegistry.h"
#include "net/Handover.h"
#include "net/SocketStream.h"
#include "net/TcpDialer.h"
#include "tls/TlsContext.h"
#include "tls/TlsStream.h"
#include "ws/TunnelStream.h"

#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QTimer>

namespace echw {

Q_DECLARE_LOGGING_CATEGORY(lcTunnel)

// One connection being set up, or one ready session for the warm pool; destroying it cancels
// every step.
class TunnelConnector::Attempt final : public QObject {
public:
    Attempt(const Settings& settings, std::shared_ptr<TlsClientContext> tls,
            std::shared_ptr<EchConfigSource> ech, std::shared_ptr<TunnelStatus> status)
        : m_settings(settings)
        , m_tlsContext(std::move(tls))
        , m_ech(std::move(ech))
        , m_status(std::move(status))
    {
        m_started.start();
        m_deadline.setSingleShot(true);
        connect(&m_deadline, &QTimer::timeout, this, [this] {
            finish(ConnectError{ConnectError::Kind::TimedOut,
                                QStringLiteral("TLS with the worker %1 did not complete within "
                                               "%2 ms")
                                    .arg(m_settings.host)
                                    .arg(m_settings.connectTimeout.count())});
        });
    }

    // Through a ready session of the pool when it has one, else with a handshake of its own.
    void openTunnel(TargetAddress target, QByteArray earlyData, Callback callback, TunnelPool* pool)
    {
        m_target = std::move(target);
        m_earlyData = std::move(earlyData);
        m_callback = std::move(callback);
        if (pool) {
            if (auto session = pool->take()) {
                connectReadySession(std::move(session));
                return;
            }
        }
        begin();
    }

    // Up to the WebSocket upgrade, for the pool.
    void openSession(TunnelPool::SessionCallback callback)
    {
        m_sessionCallback = std::move(callback);
        begin();
    }

private:
    bool forPool() const { return bool(m_sessionCallback); }

    void begin()
    {
        if (m_settings.withoutEch) {
            dial({});
            return;
        }
        m_ech->get(this, [this](EchConfigSource::Result result) {
            if (auto* error = std::get_if<QString>(&result)) {
                finish(ConnectError{ConnectError::Kind::Failed, *error});
                return;
            }
            dial(std::get<QByteArray>(std::move(result)));
        });
    }

    void connectReadySession(std::unique_ptr<TunnelStream> session)
    {
        m_fromPool = true;
        m_workerAnswered = true;
        m_tunnel = std::move(session);
        watchTunnel();
        m_tunnel->connectTo(m_target, m_earlyData);
    }

    void watchTunnel()
    {
        connect(m_tunnel.get(), &TunnelStream::established, this,
                [this] { finish(handOver(m_tunnel, this)); });
        connect(m_tunnel.get(), &TunnelStream::upgraded, this,
                [this] { finish(handOver(m_tunnel, this)); });
        connect(m_tunnel.get(), &TunnelStream::setupFailed, this,
                [this](const ConnectError& error) {
                    dropLater(m_tunnel);
                    // A ready session can die between the pool's last look and our CONNECT
                    // (the worker closed it, the network dropped it): that is no answer about
                    // the target, so a session of our own gets the same request. Only without
                    // early data: the worker may have passed it on before the session died, and
                    // a request (say, an HTTP POST) must not reach the target twice.
                    if (std::exchange(m_fromPool, false) && m_earlyData.isEmpty() &&
                        error.kind == ConnectError::Kind::Failed) {
                        qCInfo(lcTunnel, "a pooled session failed (%s); opening a new one",
                               qPrintable(error.message));
                        m_workerAnswered = false;
                        begin();
                        return;
                    }
                    finish(error);
                });
    }

private:
    void dial(QByteArray echConfig)
    {
        m_echConfig = std::move(echConfig);
        const QString address =
            m_settings.dialAddress.isEmpty() ? m_settings.host : m_settings.dialAddress;
        const auto server = TargetAddress::fromHostPort(address, m_settings.port);
        if (!server) {
            finish(ConnectError{ConnectError::Kind::Failed,
                                QStringLiteral("invalid worker address %1").arg(address)});
            return;
        }
        m_deadline.start(m_settings.connectTimeout);
        m_dialer =
            std::make_unique<TcpDialer>(*server, m_settings.connectTimeout,
                                        [this](TcpDialer::Result r) { onTcp(std::move(r)); });
        m_dialer->start();
    }

    void onTcp(TcpDialer::Result result)
    {
        dropLater(m_dialer);
        if (auto* error = std::get_if<ConnectError>(&result)) {
            finish(ConnectError{error->kind,
                                QStringLiteral("cannot reach the worker: %1").arg(error->message)});
            return;
        }
        QString error;
        m_tls = TlsStream::client(std::get<std::unique_ptr<SocketStream>>(std::move(result)),
                                  m_tlsContext->get(), {m_settings.host, m_echConfig}, &error);
        if (!m_tls) {
            finish(ConnectError{ConnectError::Kind::Failed, error});
            return;
        }
        connect(m_tls.get(), &TlsStream::handshakeFinished, this, &Attempt::onTlsReady);
        connect(m_tls.get(), &ByteStream::failed, this, &Attempt::onTlsFailed);
        m_tls->startHandshake();
    }

    void onTlsFailed(const QString& reason)
    {
        const bool rejected = m_tls->failure() == TlsStream::Failure::EchRejected;
        const QByteArray retry = m_tls->retryConfigs();
        dropLater(m_tls);
        if (rejected && !m_retried) {
            m_retried = true;
            m_deadline.stop();
            if (m_settings.metrics)
                m_settings.metrics->tunnelSetup(
                    MetricsRegistry::TunnelSetupResult::EchRejectedRetry);
            if (!retry.isEmpty()) {
                qCInfo(lcTunnel, "the worker rejected ECH; retrying with its retry configs");
                m_ech->replaceWithRetryConfigs(retry);
            } else {
                qCInfo(lcTunnel, "the worker rejected ECH; retrying with a fresh ECH config");
                m_ech->invalidate();
            }
            begin();
            return;
        }
        finish(ConnectError{
            ConnectError::Kind::Failed,
            QStringLiteral("TLS with the worker %1 failed: %2").arg(m_settings.host, reason)});
    }

    void onTlsReady()
    {
        m_deadline.stop();
        if (!m_settings.withoutEch && !m_tls->echAccepted()) {
            m_tls->abort();
            finish(ConnectError{ConnectError::Kind::Failed,
                                QStringLiteral("the worker %1 did not accept ECH; not sending "
                                               "anything (the no-ECH mode allows plain TLS)")
                                    .arg(m_settings.host)});
            return;
        }
        TunnelStream::Setup setup;
        setup.upgrade.host = m_settings.host;
        setup.upgrade.port = m_settings.port;
        setup.upgrade.path = m_settings.path;
        setup.upgrade.subprotocol = m_settings.token;
        setup.target = m_target;
        setup.earlyData = m_earlyData;
        setup.timeout = m_settings.setupTimeout;
        setup.keepAliveInterval = m_settings.keepAliveInterval;
        m_workerAnswered = true;
        m_tunnel = std::make_unique<TunnelStream>(handOver(m_tls, this), std::move(setup));
        watchTunnel();
        if (forPool())
            m_tunnel->upgrade();
        else
            m_tunnel->start();
    }

    void finish(TunnelPool::SessionResult result)
    {
        if (!m_callback && !m_sessionCallback)
            return;
        m_deadline.stop();
        if (std::holds_alternative<std::unique_ptr<TunnelStream>>(result)) {
            reportWorking();
        } else {
            const auto& error = std::get<ConnectError>(result);
            // The worker answering that it cannot reach the target says the tunnel works.
            if (m_workerAnswered && (error.kind == ConnectError::Kind::Unreachable ||
                                     error.kind == ConnectError::Kind::Refused))
                reportWorking();
            else
                *m_status = TunnelStatus{TunnelStatus::State::Failing, error.message};
        }
        countResult(result);
        if (forPool()) {
            std::exchange(m_sessionCallback, nullptr)(std::move(result));
            return;
        }
        auto callback = std::exchange(m_callback, nullptr);
        if (auto* stream = std::get_if<std::unique_ptr<TunnelStream>>(&result))
            callback(std::unique_ptr<ByteStream>(std::move(*stream)));
        else
            callback(std::get<ConnectError>(std::move(result)));
    }

    void countResult(const TunnelPool::SessionResult& result)
    {
        if (!m_settings.metrics)
            return;
        using SetupResult = MetricsRegistry::TunnelSetupResult;
        const auto* error = std::get_if<ConnectError>(&result);
        m_settings.metrics->tunnelSetup(!error ? SetupResult::Ok
                                               : (error->kind == ConnectError::Kind::TimedOut
                                                      ? SetupResult::TimedOut
                                                      : SetupResult::Failed),
                                        std::chrono::nanoseconds(m_started.nsecsElapsed()));
    }

    void reportWorking()
    {
        *m_status = TunnelStatus{m_settings.withoutEch ? TunnelStatus::State::WithoutEch
                                                       : TunnelStatus::State::EchAccepted,
                                 {}};
    }

    Settings m_settings;
    std::shared_ptr<TlsClientContext> m_tlsContext;
    std::shared_ptr<EchConfigSource> m_ech;
    std::shared_ptr<TunnelStatus> m_status;
    bool m_workerAnswered = false; // TLS (with ECH when required) completed
    TargetAddress m_target;
    QByteArray m_earlyData;
    Callback m_callback;
    TunnelPool::SessionCallback m_sessionCallback;
    bool m_fromPool = false;
    QTimer m_deadline;
    QByteArray m_echConfig;
    std::unique_ptr<TcpDialer> m_dialer;
    std::unique_ptr<TlsStream> m_tls;
    std::unique_ptr<TunnelStream> m_tunnel;
    bool m_retried = false;
    QElapsedTimer m_started;
};

TunnelConnector::TunnelConnector(Settings settings, std::shared_ptr<TlsClientContext> tls,
                                 std::shared_ptr<EchConfigSource> ech)
    : m_settings(std::move(settings))
    , m_tls(std::move(tls))
    , m_ech(std::move(ech))
    , m_status(std::make_shared<TunnelStatus>(TunnelStatus{TunnelStatus::State::Untried, {}}))
{
    if (m_settings.pool.maxSize > 0) {
        m_pool = std::make_unique<TunnelPool>(
            m_settings.pool, [this](TunnelPool::SessionCallback callback) {
                auto attempt = std::make_unique<Attempt>(m_settings, m_tls, m_ech, m_status);
                attempt->openSession(std::move(callback));
                return std::unique_ptr<QObject>(std::move(attempt));
            });
        if (MetricsRegistry* metrics = m_settings.metrics) {
            metrics->setTunnelPool(m_settings.pool.maxSize, 0);
            QObject::connect(m_pool.get(), &TunnelPool::readyCountChanged, m_pool.get(),
                             [metrics, size = m_settings.pool.maxSize](int ready) {
                                 metrics->setTunnelPool(size, ready);
                             });
        }
    }
}

TunnelConnector::~TunnelConnector()
{
    // The registry outlives a stopped engine's connector: no pool is left.
    if (m_pool && m_settings.metrics)
        m_settings.metrics->setTunnelPool(0, 0);
}

std::unique_ptr<QObject> TunnelConnector::open(const TargetAddress& target, QByteArray earlyData,
                                               Callback callback, ConnectionEntry*)
{
    auto attempt = std::make_unique<Attempt>(m_settings, m_tls, m_ech, m_status);
    attempt->openTunnel(target, std::move(earlyData), std::move(callback), m_pool.get());
    return attempt;
}

} // namespace echw
