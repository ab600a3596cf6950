#pragma once

#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QString>

class QTcpServer;

namespace echw::test {

// Loopback origin for the integration tests and benchmarks. Each connection picks its protocol
// from its first bytes:
//
//  * "ECHO\n": every following byte is echoed back; on the client's EOF the server flushes and
//    half-closes in turn, so a test can watch half-close cross a proxy.
//  * "SINK\n": everything up to the client's EOF is hashed, then "<length> <sha256hex>\n" is
//    sent and the connection closed.
//  * an HTTP/1.0 or 1.1 request: keep-alive, pipelining, Content-Length and chunked request
//    bodies, Expect: 100-continue. Routes:
//      GET /bytes/<size>?seed=<n>  content(seed, 0, size), streamed (DeterministicContent.h)
//      POST|PUT /sha256            "<length> <sha256hex>\n" of the request body
//      GET /echo-headers           the request head exactly as received, blank line included
//      GET /hello                  "hello from <Host>\n"
//    HEAD works wherever GET does; anything else is 404, a malformed request 400 and close.
//    The server is deliberately strict (one Host, origin-form targets, no obs-fold, no
//    Content-Length beside chunked) so that it catches a proxy that forwards sloppy requests.
//
// Anything else is closed. Sockets are driven through their descriptors rather than QTcpSocket,
// which closes outright on the peer's EOF and so cannot answer a half-closed SINK client.
class OriginServer : public QObject {
    Q_OBJECT

public:
    explicit OriginServer(QObject* parent = nullptr);
    ~OriginServer() override;

    // Listens on every address with one port number; with port 0 the first address picks a free
    // port and the others reuse it. Call once.
    bool listen(const QList<QHostAddress>& addresses, quint16 port = 0);
    quint16 port() const { return m_port; }
    QString errorString() const { return m_errorString; }
    // Accepted and not yet closed, so a test can check that a proxy lets go of its upstreams.
    int activeConnections() const { return m_activeConnections; }

private:
    class Connection;

    bool listenOnAll(const QList<QHostAddress>& addresses, quint16 port);
    void stopListening();
    void accept(qintptr descriptor);

    QList<QTcpServer*> m_listeners;
    quint16 m_port = 0;
    QString m_errorString;
    int m_activeConnections = 0;
};

} // namespace echw::test
