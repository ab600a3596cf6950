#include "DohClient.h"

#include "ech/DnsMessage.h"
#include "tls/TrustStore.h"

#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPointer>
#include <QSslSocket>
#include <QTimer>
#include <QUrlQuery>

namespace echw {

namespace {

// RFC 8484 section 6: the media type of DNS wire-format messages.
constexpr auto kDnsMessageType = "application/dns-message";

QString durationText(std::chrono::milliseconds duration)
{
    if (duration.count() % 1000 == 0)
        return QStringLiteral("%1 s").arg(duration.count() / 1000);
    return QStringLiteral("%1 ms").arg(duration.count());
}

// The media type without parameters, lower-cased (RFC 9110 section 8.3.1): "Application/
// DNS-Message; charset=x" is still a DNS message.
QString mediaTypeOf(const QByteArray& contentType)
{
    const qsizetype semicolon = contentType.indexOf(';');
    const QByteArray mediaType = semicolon < 0 ? contentType : contentType.first(semicolon);
    return QString::fromLatin1(mediaType.trimmed()).toLower();
}

std::variant<QSslConfiguration, QString> tlsConfigurationFor(const DohOptions& options)
{
    const QString server = options.url.toDisplayString();
    if (!options.url.isValid() || options.url.scheme() != QStringLiteral("https") ||
        options.url.host().isEmpty())
        return QStringLiteral("the DoH server \"%1\" is not an https:// address").arg(server);
    if (!QSslSocket::supportsSsl())
        return QStringLiteral("cannot reach the DoH server %1: Qt found no TLS library (install "
                              "the OpenSSL 3 runtime, libssl3)")
            .arg(server);

    auto tls = qtTlsConfiguration(options.extraCaFile);
    if (auto* error = std::get_if<CaFileError>(&tls))
        return QStringLiteral("DoH server %1: %2").arg(server, error->message());
    return std::get<QSslConfiguration>(std::move(tls));
}

} // namespace

// One query in flight; shared by the reply's signal handlers, which all end with the reply.
struct DohClient::Exchange {
    QString name;
    QPointer<QObject> context;
    ResponseCallback callback;
    bool timedOut = false;
    bool tooLarge = false;
};

DohClient::DohClient(DohOptions options, QObject* parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_network(std::make_unique<QNetworkAccessManager>())
{
    // The application is itself a proxy: DoH through a system proxy setting that points back
    // at us would wait for the ECH config it is fetching.
    m_network->setProxy(QNetworkProxy::NoProxy);
}

void DohClient::prepareTls()
{
    // On the first query, not at construction: reading the system CA store takes tens of
    // milliseconds, and start with a cached ECH config needs no DoH at all.
    if (m_tlsPrepared)
        return;
    m_tlsPrepared = true;
    auto tls = tlsConfigurationFor(m_options);
    if (auto* error = std::get_if<QString>(&tls))
        m_setupError = std::move(*error);
    else
        m_tls = std::get<QSslConfiguration>(std::move(tls));
}

DohClient::~DohClient()
{
    // Replies are children of the manager; cut them off before it deletes them, so no
    // handler runs on a half-destroyed client.
    const auto replies = m_network->findChildren<QNetworkReply*>();
    for (QNetworkReply* reply : replies) {
        reply->disconnect(this);
        reply->abort();
    }
}

void DohClient::query(const QString& name, quint16 type, QObject* context,
                      ResponseCallback callback)
{
    Q_ASSERT(context);
    prepareTls();
    if (!m_setupError.isEmpty()) {
        deliver(context, std::move(callback), m_setupError);
        return;
    }
    const QByteArray message = buildDnsQuery(name, type);
    if (message.isEmpty()) {
        deliver(context, std::move(callback),
                QStringLiteral("\"%1\" is not a domain name that DNS can look up").arg(name));
        return;
    }

    QUrl url = m_options.url;
    if (!m_options.usePost) {
        // RFC 8484 section 4.1: the query goes base64url-encoded without padding in "dns".
        const QByteArray encoded =
            message.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
        QUrlQuery parameters(url);
        parameters.addQueryItem(QStringLiteral("dns"), QString::fromLatin1(encoded));
        url.setQuery(parameters);
    }
    QNetworkRequest request(url);
    request.setRawHeader("Accept", kDnsMessageType);
    request.setSslConfiguration(m_tls);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::ManualRedirectPolicy);
    // RFC 8484 section 8: cookies would let the server link queries; DNS needs none.
    request.setAttribute(QNetworkRequest::CookieLoadControlAttribute, QNetworkRequest::Manual);
    request.setAttribute(QNetworkRequest::CookieSaveControlAttribute, QNetworkRequest::Manual);

    QNetworkReply* reply = nullptr;
    if (m_options.usePost) {
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray(kDnsMessageType));
        reply = m_network->post(request, message);
    } else {
        reply = m_network->get(request);
    }

    auto exchange = std::make_shared<Exchange>();
    exchange->name = name;
    exchange->context = context;
    exchange->callback = std::move(callback);

    auto* deadline = new QTimer(reply);
    deadline->setSingleShot(true);
    connect(deadline, &QTimer::timeout, reply, [reply, exchange] {
        exchange->timedOut = true;
        reply->abort();
    });
    connect(reply, &QNetworkReply::finished, deadline, &QTimer::stop);
    deadline->start(m_options.timeout);

    const qint64 limit = m_options.maxResponseSize;
    connect(reply, &QNetworkReply::downloadProgress, reply,
            [reply, exchange, limit](qint64 received, qint64 total) {
                if (received > limit || total > limit) {
                    exchange->tooLarge = true;
                    reply->abort();
                }
            });
    connect(reply, &QNetworkReply::finished, this,
            [this, reply, exchange] { complete(reply, *exchange); });
}

void DohClient::fetchEchConfig(const QString& name, QObject* context, EchConfigCallback callback)
{
    query(name, DnsType::Https, context,
          [name, server = serverText(), callback = std::move(callback)](Response response) {
              if (auto* error = std::get_if<QString>(&response)) {
                  callback(std::move(*error));
                  return;
              }
              auto extracted = extractEchConfig(std::get<QByteArray>(response), name);
              if (auto* error = std::get_if<QString>(&extracted)) {
                  callback(QStringLiteral("DoH server %1: %2").arg(server, *error));
                  return;
              }
              auto& found = std::get<EchLookupResult>(extracted);
              callback(EchConfigAnswer{std::move(found.echConfigList), found.ttl});
          });
}

void DohClient::complete(QNetworkReply* reply, const Exchange& exchange)
{
    reply->deleteLater();
    if (!exchange.context)
        return;
    deliver(exchange.context, exchange.callback, responseOf(reply, exchange));
}

DohClient::Response DohClient::responseOf(QNetworkReply* reply, const Exchange& exchange) const
{
    const QString server = serverText();
    const auto tooLarge = [&] {
        return QStringLiteral("DoH server %1 sent more than %2 bytes for %3, too much for a DNS "
                              "message")
            .arg(server)
            .arg(m_options.maxResponseSize)
            .arg(exchange.name);
    };
    if (exchange.timedOut)
        return QStringLiteral("DoH server %1 did not answer within %2")
            .arg(server, durationText(m_options.timeout));
    if (exchange.tooLarge)
        return tooLarge();

    const QVariant status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    if (status.isValid() && (status.toInt() < 200 || status.toInt() > 299)) {
        QString text = QStringLiteral("DoH server %1 answered HTTP %2 for %3")
                           .arg(server)
                           .arg(status.toInt())
                           .arg(exchange.name);
        const QUrl target = reply->attribute(QNetworkRequest::RedirectionTargetAttribute).toUrl();
        if (!target.isEmpty()) {
            QUrl moved = reply->url().resolved(target);
            QUrlQuery parameters(moved);
            parameters.removeAllQueryItems(QStringLiteral("dns"));
            moved.setQuery(parameters);
            text += QStringLiteral(" (a redirect to %1, not followed: set that address as the "
                                   "DoH server if you trust it)")
                        .arg(moved.toDisplayString());
        }
        return text;
    }
    if (reply->error() != QNetworkReply::NoError)
        return QStringLiteral("DoH server %1: %2").arg(server, reply->errorString());

    const QByteArray contentType = reply->rawHeader("Content-Type");
    if (mediaTypeOf(contentType) != QLatin1StringView(kDnsMessageType)) {
        return contentType.isEmpty()
                   ? QStringLiteral("DoH server %1 answered without a content type, not with a "
                                    "DNS message")
                         .arg(server)
                   : QStringLiteral("DoH server %1 answered with content type %2, not a DNS "
                                    "message")
                         .arg(server, QString::fromLatin1(contentType));
    }
    QByteArray body = reply->readAll();
    if (body.size() > m_options.maxResponseSize)
        return tooLarge();
    return body;
}

void DohClient::deliver(QObject* context, ResponseCallback callback, Response response)
{
    // Queued, so the callback may destroy this client (or its owner) without pulling the
    // network objects out from under a signal that is still being emitted.
    QMetaObject::invokeMethod(
        context,
        [self = QPointer<DohClient>(this), callback = std::move(callback),
         response = std::move(response)]() mutable {
            if (self)
                callback(std::move(response));
        },
        Qt::QueuedConnection);
}

QString DohClient::serverText() const
{
    return m_options.url.toDisplayString();
}

} // namespace echw
