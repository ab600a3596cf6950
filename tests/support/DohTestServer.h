#pragma once

#include "tls/TlsCredentials.h"

#include <QByteArray>
#include <QList>
#include <QSslCertificate>
#include <QSslKey>
#include <QTcpServer>
#include <QUrl>

#include <optional>

class QSslSocket;

namespace echw::test {

// A self-signed certificate for 127.0.0.1 for the server, and the file a client trusts it
// through (DohOptions::extraCaFile).
struct DohTestCertificate {
    CertificatePair certificate;
    QString caFile; // empty when it could not be written
};
// Generates the certificate (aborting the test run when that fails) and writes the CA file
// into `directory`.
DohTestCertificate createDohTestCertificate(const QString& directory);

// A loopback DoH server (RFC 8484): HTTPS through QSslSocket in server mode, one HTTP/1.1
// request per connection, answered through buildHttpsAnswer for one domain unless a test asks
// for a failure. Every complete request is recorded.
class DohTestServer : public QTcpServer {
public:
    enum class Behaviour {
        Answer,
        AnswerWithMediaTypeParameter,
        Forbidden,   // HTTP 403
        Unavailable, // HTTP 503
        Redirect,
        WrongContentType,
        Oversized, // a body larger than any DNS message, without Content-Length
        Silent,    // reads the request and never answers
    };
    struct Request {
        QByteArray method;
        QByteArray target;
        QByteArray accept;
        QByteArray contentType;
        QByteArray dnsQuery; // the POST body or the GET query's dns parameter, decoded
    };

    // Answers HTTPS queries for `echDomain` with `echConfigList` (NXDOMAIN for other names).
    DohTestServer(const CertificatePair& certificate, QString echDomain, QByteArray echConfigList);

    QUrl url() const; // https://127.0.0.1:<port>/dns-query

    Behaviour behaviour = Behaviour::Answer;
    quint32 ttl = 300;
    QList<Request> requests;

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    static std::optional<Request> parse(const QByteArray& buffer);
    void respond(QSslSocket* socket, const Request& request);

    QSslCertificate m_certificate;
    QSslKey m_key;
    QString m_echDomain;
    QByteArray m_echConfigList;
};

} // namespace echw::test
