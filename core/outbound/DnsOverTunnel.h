#pragma once

#include "net/TargetAddress.h"

#include <QByteArray>
#include <QObject>
#include <QString>
#include <QUrl>

#include <chrono>
#include <functional>
#include <memory>
#include <variant>

namespace echw {

class Connector;
class TlsClientContext;

// Answers DNS messages with a DNS over HTTPS server (RFC 8484 POST, section 4.1) reached
// through a Connector: the tunnel connector, so the DoH server sees the worker's address and
// the query travels inside the ECH connection, preferred IP included; or the direct connector
// when the engine runs no tunnel. Inside that stream it speaks TLS 1.3 itself (our TlsStream,
// certificate checked for the URL's host, no ECH: the tunnel around it already hides the name)
// and HTTP/1.1, one connection per query.
class DnsOverTunnel {
public:
    struct Settings {
        QUrl url; // https://host[:port]/path, as parseDohServer() gives it
        // One deadline for the whole exchange: connect, TLS, request and the complete answer.
        std::chrono::milliseconds timeout{5000};
    };
    using Result = std::variant<QByteArray, QString>; // the DNS response, or what went wrong
    using Callback = std::function<void(Result)>;

    // Fails when the URL is not https or its host cannot be a connection target.
    static std::variant<std::unique_ptr<DnsOverTunnel>, QString>
    create(Connector& connector, std::shared_ptr<TlsClientContext> tls, Settings settings);
    ~DnsOverTunnel();

    const QUrl& url() const { return m_settings.url; }

    // Sends one DNS message (at least its 12-byte header) and calls back exactly once, from the
    // event loop (never inside query()), with the response whose ID matches. Destroying the
    // returned handle cancels the exchange without a call back.
    std::unique_ptr<QObject> query(QByteArray message, Callback callback);

private:
    class Exchange;
    DnsOverTunnel(Connector& connector, std::shared_ptr<TlsClientContext> tls, Settings settings,
                  TargetAddress server);

    Connector& m_connector;
    std::shared_ptr<TlsClientContext> m_tls;
    Settings m_settings;
    TargetAddress m_server;
    QByteArray m_requestHead; // everything before Content-Length and the body
};

} // namespace echw
