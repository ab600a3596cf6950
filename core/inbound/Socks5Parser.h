#pragma once

#include "inbound/ProxyCredentials.h"
#include "net/TargetAddress.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QHostAddress>

#include <optional>

namespace echw {

// SOCKS5 reply codes (RFC 1928 section 6).
enum class Socks5Reply : quint8 {
    Succeeded = 0x00,
    GeneralFailure = 0x01,
    NotAllowed = 0x02,
    NetworkUnreachable = 0x03,
    HostUnreachable = 0x04,
    ConnectionRefused = 0x05,
    TtlExpired = 0x06,
    CommandNotSupported = 0x07,
    AddressTypeNotSupported = 0x08,
};

// The server side of a SOCKS5 handshake (RFC 1928) as a pure state machine: bytes in, events
// out, no sockets. Without credentials it serves the no-auth method only; with them the
// username/password method (RFC 1929) only, so a LAN client cannot skip it.
//
// Use: append() what the client sent, then call next() until it returns std::nullopt (more
// bytes needed). Write every event's `reply` to the client. After a Request event the
// handshake is over; after an Error event the connection should close once the reply is sent.
class Socks5Parser {
public:
    enum class Command : quint8 { Connect = 0x01, Bind = 0x02, UdpAssociate = 0x03 };

    struct Event {
        enum class Type {
            // The method selection answer; `reply` holds it.
            MethodSelected,
            // The client's user name and password matched; `reply` holds the RFC 1929 status.
            Authenticated,
            // A CONNECT request for `target`, or a UDP ASSOCIATE request (`command` says
            // which): answer with replyFor() once the outcome is known. takeRemaining() yields
            // any bytes the client sent after the request.
            Request,
            // The client asked for something we do not serve; `reply` holds the SOCKS5 answer
            // (may be empty when the protocol has none, e.g. a wrong version byte).
            Error,
        };
        Type type = Type::Error;
        QByteArray reply;
        Command command = Command::Connect; // Request: Connect or UdpAssociate
        TargetAddress target;               // Request for Connect
        // Request for UdpAssociate: the port the client says it will send datagrams from, 0
        // when it does not know yet (RFC 1928 section 6). Its DST.ADDR is not kept: the
        // association only accepts the control connection's peer address, which the client
        // cannot pick.
        quint16 clientPort = 0;
        QByteArray reason; // Error: for the log
    };

    Socks5Parser() = default;
    explicit Socks5Parser(ProxyCredentials credentials);

    void append(QByteArrayView bytes);
    std::optional<Event> next();
    QByteArray takeRemaining();

    // The reply to a request: VER, REP, RSV, then BND.ADDR 0.0.0.0:0 (clients ignore it for
    // CONNECT, and the local address is not worth revealing).
    static QByteArray replyFor(Socks5Reply code);
    // The reply naming a bound address, which UDP ASSOCIATE needs: the client sends its
    // datagrams to BND.ADDR:BND.PORT (RFC 1928 section 6).
    static QByteArray replyFor(Socks5Reply code, const QHostAddress& bound, quint16 port);

private:
    enum class State { Greeting, Authentication, Request, Done };

    std::optional<Event> parseGreeting();
    std::optional<Event> parseAuthentication();
    std::optional<Event> parseRequest();
    Event fail(QByteArray reply, const char* reason);

    ProxyCredentials m_credentials;
    State m_state = State::Greeting;
    QByteArray m_buffer;
};

} // namespace echw
