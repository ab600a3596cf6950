#include "DohTestServer.h"

#include "TestValues.h"
#include "ech/DnsAnswerBuilder.h"

#include <QDir>
#include <QFile>
#include <QSslSocket>
#include <QUrlQuery>

#include <memory>

namespace echw::test {

DohTestCertificate createDohTestCertificate(const QString& directory)
{
    DohTestCertificate result;
    result.certificate = unwrap(generateSelfSignedCertificate({QStringLiteral("127.0.0.1")}));
    const QString caFile = QDir(directory).filePath(QStringLiteral("doh-ca.pem"));
    QFile file(caFile);
    if (file.open(QIODevice::WriteOnly) &&
        file.write(result.certificate.certificatePem) == result.certificate.certificatePem.size())
        result.caFile = caFile;
    return result;
}

DohTestServer::DohTestServer(const CertificatePair& certificate, QString echDomain,
                             QByteArray echConfigList)
    : m_certificate(certificate.certificatePem, QSsl::Pem)
    , m_key(certificate.privateKeyPem, QSsl::Ec, QSsl::Pem)
    , m_echDomain(std::move(echDomain))
    , m_echConfigList(std::move(echConfigList))
{}

QUrl DohTestServer::url() const
{
    return QUrl(QStringLiteral("https://127.0.0.1:%1/dns-query").arg(serverPort()));
}

void DohTestServer::incomingConnection(qintptr descriptor)
{
    auto* socket = new QSslSocket(this);
    if (!socket->setSocketDescriptor(descriptor)) {
        delete socket;
        return;
    }
    socket->setLocalCertificate(m_certificate);
    socket->setPrivateKey(m_key);
    auto buffer = std::make_shared<QByteArray>();
    connect(socket, &QSslSocket::readyRead, this, [this, socket, buffer] {
        *buffer += socket->readAll();
        if (auto request = parse(*buffer)) {
            requests.append(*request);
            respond(socket, *request);
        }
    });
    connect(socket, &QSslSocket::disconnected, socket, &QObject::deleteLater);
    socket->startServerEncryption();
}

// The request once its head and Content-Length body are in; the client under test is trusted
// to send well-formed HTTP, so this is no strict parser.
std::optional<DohTestServer::Request> DohTestServer::parse(const QByteArray& buffer)
{
    const qsizetype headEnd = buffer.indexOf("\r\n\r\n");
    if (headEnd < 0)
        return std::nullopt;
    const QList<QByteArray> lines = buffer.left(headEnd).split('\n');
    const QList<QByteArray> requestLine = lines.first().trimmed().split(' ');
    if (requestLine.size() != 3)
        return std::nullopt;
    Request request{requestLine[0], requestLine[1], {}, {}, {}};
    qsizetype contentLength = 0;
    for (const QByteArray& line : lines.mid(1)) {
        const qsizetype colon = line.indexOf(':');
        const QByteArray name = line.left(colon).trimmed().toLower();
        const QByteArray value = line.mid(colon + 1).trimmed();
        if (name == "accept")
            request.accept = value;
        else if (name == "content-type")
            request.contentType = value;
        else if (name == "content-length")
            contentLength = value.toLongLong();
    }
    const QByteArray body = buffer.mid(headEnd + 4);
    if (body.size() < contentLength)
        return std::nullopt;
    if (request.method == "POST") {
        request.dnsQuery = body;
    } else {
        const QUrlQuery parameters(QUrl(QString::fromLatin1(request.target)).query());
        request.dnsQuery =
            QByteArray::fromBase64(parameters.queryItemValue(QStringLiteral("dns")).toLatin1(),
                                   QByteArray::Base64UrlEncoding);
    }
    return request;
}

void DohTestServer::respond(QSslSocket* socket, const Request& request)
{
    QByteArray head = "HTTP/1.1 200 OK\r\nContent-Type: application/dns-message\r\n";
    QByteArray body;
    switch (behaviour) {
    case Behaviour::Answer:
    case Behaviour::AnswerWithMediaTypeParameter: {
        if (behaviour == Behaviour::AnswerWithMediaTypeParameter)
            head = "HTTP/1.1 200 OK\r\nContent-Type: Application/DNS-Message; x=y\r\n";
        auto answer = buildHttpsAnswer(request.dnsQuery, m_echDomain, m_echConfigList, ttl);
        if (auto* dns = std::get_if<QByteArray>(&answer))
            body = *dns;
        else
            head = "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\n";
        break;
    }
    case Behaviour::Forbidden:
        head = "HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\n";
        body = "no";
        break;
    case Behaviour::Unavailable:
        head = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/dns-message\r\n";
        break;
    case Behaviour::Redirect:
        head = "HTTP/1.1 301 Moved Permanently\r\nLocation: /moved-here?dns=abc\r\n";
        break;
    case Behaviour::WrongContentType:
        head = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n";
        body = "<html>login first</html>";
        break;
    case Behaviour::Oversized:
        // No Content-Length: the client can only notice while the body streams in.
        socket->write(head + "Connection: close\r\n\r\n" + QByteArray(256 * 1024, 'x'));
        socket->disconnectFromHost();
        return;
    case Behaviour::Silent:
        return;
    }
    socket->write(head + "Content-Length: " + QByteArray::number(body.size()) +
                  "\r\nConnection: close\r\n\r\n" + body);
    socket->disconnectFromHost();
}

} // namespace echw::test
