#include "DnsOverTunnel.h"

#include "http/HttpResponseReader.h"
#include "http/HttpSyntax.h"
#include "net/Handover.h"
#include "outbound/Connector.h"
#include "tls/TlsContext.h"
#include "tls/TlsStream.h"

#include <QTimer>

namespace echw {

namespace {

constexpr qsizetype kDnsHeaderSize = 12; // RFC 1035 section 4.1.1
constexpr qint64 kReadChunk = 16 * 1024;
constexpr quint16 kHttpsPort = 443;

// RFC 8484 section 6: the media type, compared without its parameters (RFC 9110 section
// 8.3.1 has type and subtype case-insensitive).
bool isDnsMessage(const std::optional<QByteArray>& contentType)
{
    if (!contentType)
        return false;
    QByteArrayView type = *contentType;
    const qsizetype semicolon = type.indexOf(';');
    if (semicolon >= 0)
        type = type.first(semicolon);
    return http::equalsIgnoringCase(http::trimOws(type), "application/dns-message");
}

} // namespace

// One query: connect, TLS, POST, read the answer. Destroying it cancels every step.
class DnsOverTunnel::Exchange final : public QObject {
public:
    Exchange(const DnsOverTunnel& owner, QByteArray message, Callback callback)
        : m_owner(owner)
        , m_message(std::move(message))
        , m_callback(std::move(callback))
    {
        m_deadline.setSingleShot(true);
        connect(&m_deadline, &QTimer::timeout, this, [this] {
            finish(QStringLiteral("the DoH server %1 did not answer within %2 ms")
                       .arg(serverText())
                       .arg(m_owner.m_settings.timeout.count()));
        });
    }

    void begin()
    {
        m_deadline.start(m_owner.m_settings.timeout);
        if (m_message.size() < kDnsHeaderSize) {
            // Reported from the event loop like every other outcome.
            QTimer::singleShot(0, this, [this] { finish(QStringLiteral("not a DNS message")); });
            return;
        }
        m_connect = m_owner.m_connector.open(
            m_owner.m_server, {},
            [this](Connector::Result result) { onConnected(std::move(result)); }, nullptr);
    }

private:
    QString serverText() const { return m_owner.m_settings.url.toDisplayString(); }

    void onConnected(Connector::Result result)
    {
        dropLater(m_connect);
        if (auto* error = std::get_if<ConnectError>(&result)) {
            finish(QStringLiteral("cannot reach the DoH server %1: %2")
                       .arg(serverText(), error->message));
            return;
        }
        QString error;
        m_tls = TlsStream::client(std::get<std::unique_ptr<ByteStream>>(std::move(result)),
                                  m_owner.m_tls->get(), {m_owner.m_server.host, {}}, &error);
        if (!m_tls) {
            finish(error);
            return;
        }
        connect(m_tls.get(), &TlsStream::handshakeFinished, this, [this] {
            m_tls->write(m_owner.m_requestHead + "Content-Length: " +
                         QByteArray::number(m_message.size()) + "\r\n\r\n" + m_message);
        });
        connect(m_tls.get(), &ByteStream::readyRead, this, &Exchange::onReadable);
        connect(m_tls.get(), &ByteStream::readFinished, this, &Exchange::onReadable);
        connect(m_tls.get(), &ByteStream::failed, this, [this](const QString& reason) {
            finish(QStringLiteral("DoH server %1: %2").arg(serverText(), reason));
        });
        m_tls->startHandshake();
    }

    void onReadable()
    {
        char buffer[kReadChunk];
        HttpResponseReader::Status status = m_reader.status();
        while (m_callback && status == HttpResponseReader::Status::NeedMore) {
            const qint64 n = m_tls->read(buffer, sizeof buffer);
            if (n > 0)
                status = m_reader.append(QByteArrayView(buffer, n));
            else if (m_tls->atEnd())
                status = m_reader.finishInput();
            else
                return;
        }
        if (!m_callback)
            return;
        if (status == HttpResponseReader::Status::Failed) {
            finish(QStringLiteral("DoH server %1: %2").arg(serverText(), m_reader.error()));
            return;
        }
        const HttpResponse& response = m_reader.response();
        if (response.status != 200) {
            finish(QStringLiteral("DoH server %1 answered HTTP %2")
                       .arg(serverText())
                       .arg(response.status));
        } else if (!isDnsMessage(response.field("Content-Type"))) {
            finish(QStringLiteral("DoH server %1 answered with a body that is not "
                                  "application/dns-message")
                       .arg(serverText()));
        } else if (response.body.size() < kDnsHeaderSize ||
                   QByteArrayView(response.body).first(2) != QByteArrayView(m_message).first(2)) {
            // The ID is echoed (RFC 8484 section 4.1); anything else answers another query.
            finish(QStringLiteral("DoH server %1 answered with a DNS message for another query")
                       .arg(serverText()));
        } else {
            finish(response.body);
        }
    }

    void finish(Result result)
    {
        if (!m_callback)
            return;
        m_deadline.stop();
        m_connect.reset();
        if (m_tls)
            m_tls->abort();
        auto callback = std::move(m_callback);
        m_callback = nullptr;
        callback(std::move(result));
    }

    const DnsOverTunnel& m_owner;
    QByteArray m_message;
    Callback m_callback;
    QTimer m_deadline;
    std::unique_ptr<QObject> m_connect;
    std::unique_ptr<TlsStream> m_tls;
    HttpResponseReader m_reader;
};

std::variant<std::unique_ptr<DnsOverTunnel>, QString>
DnsOverTunnel::create(Connector& connector, std::shared_ptr<TlsClientContext> tls,
                      Settings settings)
{
    const QUrl& url = settings.url;
    if (url.scheme() != QStringLiteral("https"))
        return QStringLiteral("%1 is not an https URL").arg(url.toDisplayString());
    const int port = url.port(kHttpsPort);
    auto server = TargetAddress::fromHostPort(url.host(QUrl::FullyEncoded), quint16(port));
    if (!server || port <= 0 || port > 65535)
        return QStringLiteral("%1 has no usable host and port").arg(url.toDisplayString());
    return std::unique_ptr<DnsOverTunnel>(
        new DnsOverTunnel(connector, std::move(tls), std::move(settings), *server));
}

DnsOverTunnel::DnsOverTunnel(Connector& connector, std::shared_ptr<TlsClientContext> tls,
                             Settings settings, TargetAddress server)
    : m_connector(connector)
    , m_tls(std::move(tls))
    , m_settings(std::move(settings))
    , m_server(std::move(server))
{
    QByteArray target = m_settings.url.path(QUrl::FullyEncoded).toLatin1();
    if (target.isEmpty())
        target = "/";
    if (m_settings.url.hasQuery())
        target += '?' + m_settings.url.query(QUrl::FullyEncoded).toLatin1();
    // Host names the port only when it is not the scheme's default, and an IPv6 literal in
    // brackets (RFC 9110 section 7.2).
    QByteArray authority = m_server.host.toLatin1();
    if (m_server.kind == TargetAddress::Kind::IPv6)
        authority = '[' + authority + ']';
    if (m_server.port != kHttpsPort)
        authority += ':' + QByteArray::number(m_server.port);
    // One query per connection, so the server may close right after answering.
    m_requestHead = "POST " + target + " HTTP/1.1\r\nHost: " + authority +
                    "\r\nContent-Type: application/dns-message\r\n"
                    "Accept: application/dns-message\r\nConnection: close\r\n";
}

DnsOverTunnel::~DnsOverTunnel() = default;

std::unique_ptr<QObject> DnsOverTunnel::query(QByteArray message, Callback callback)
{
    auto exchange = std::make_unique<Exchange>(*this, std::move(message), std::move(callback));
    exchange->begin();
    return exchange;
}

} // namespace echw
