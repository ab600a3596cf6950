#pragma once

#include <QByteArray>
#include <QObject>
#include <QSslConfiguration>
#include <QString>
#include <QUrl>

#include <chrono>
#include <functional>
#include <memory>
#include <variant>

class QNetworkAccessManager;
class QNetworkReply;

namespace echw {

// Where and how to ask a DNS over HTTPS server (RFC 8484).
struct DohOptions {
    // https://host[:port]/path, as parseDohServer() in config/SettingsValidation.h gives it.
    QUrl url;
    // PEM certificates trusted in addition to the shared roots (tls/TrustStore.h: the system's,
    // SSL_CERT_FILE, SSL_CERT_DIR), e.g. the self-signed certificate of a self-hosted server's
    // DoH endpoint. Empty: the shared roots only.
    QString extraCaFile;
    // One deadline for the whole exchange: connect, TLS, request and the complete answer.
    std::chrono::milliseconds timeout{5000};
    // application/dns-message is at most 65535 bytes (RFC 8484 section 6), so a larger body
    // is not an answer; the transfer is aborted once it grows beyond this.
    qint64 maxResponseSize = 64 * 1024;
    // GET (the default) lets HTTP caches serve identical queries (RFC 8484 section 4.1); POST
    // keeps the query out of URLs and server logs.
    bool usePost = false;
};

struct EchConfigAnswer {
    QByteArray echConfigList;
    quint32 ttl = 0; // seconds, as the DNS answer gave it
};

// Asks a DoH server over Qt's HTTPS stack (the shared trust rule, HTTP/2 when offered): the DoH
// server itself needs no ECH. Certificate errors are never ignored. Redirects are not
// followed: the DoH server is an address the user configured, so a move is reported (with its
// new location) for the user to confirm rather than silently trusted.
//
// Each query calls its callback exactly once, from the event loop (never inside query()),
// unless `context` is destroyed first; destroying the client cancels every query without
// calling back. A configuration that cannot work (no https URL, an unusable CA file, no TLS
// library for Qt) is reported the same way, by every query.
class DohClient final : public QObject {
    Q_OBJECT
public:
    using Response = std::variant<QByteArray, QString>; // the DNS response, or what went wrong
    using ResponseCallback = std::function<void(Response)>;
    using EchConfigResult = std::variant<EchConfigAnswer, QString>;
    using EchConfigCallback = std::function<void(EchConfigResult)>;

    explicit DohClient(DohOptions options, QObject* parent = nullptr);
    ~DohClient() override;

    const QUrl& url() const { return m_options.url; }

    // Sends a standard query (RD=1, class IN) for name and type; the callback gets the raw
    // DNS response bytes, which are not checked here beyond the HTTP exchange.
    void query(const QString& name, quint16 type, QObject* context, ResponseCallback callback);

    // Queries the HTTPS record (type 65) of name and takes its `ech` SvcParam.
    void fetchEchConfig(const QString& name, QObject* context, EchConfigCallback callback);

private:
    struct Exchange;

    void prepareTls();
    void complete(QNetworkReply* reply, const Exchange& exchange);
    Response responseOf(QNetworkReply* reply, const Exchange& exchange) const;
    void deliver(QObject* context, ResponseCallback callback, Response response);
    QString serverText() const;

    DohOptions m_options;
    QSslConfiguration m_tls;
    bool m_tlsPrepared = false;
    QString m_setupError; // empty when the options are usable
    std::unique_ptr<QNetworkAccessManager> m_network;
};

} // namespace echw
