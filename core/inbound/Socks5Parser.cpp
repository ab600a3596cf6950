#include "Socks5Parser.h"

#include "inbound/Socks5Address.h"

namespace echw {

namespace {

constexpr quint8 kVersion = 0x05;
constexpr quint8 kMethodNoAuth = 0x00;
constexpr quint8 kMethodUserPassword = 0x02;
// RFC 1929 section 2: the sub-negotiation has its own version and a status where 0 is success.
constexpr quint8 kAuthVersion = 0x01;
constexpr quint8 kAuthSucceeded = 0x00;
constexpr quint8 kAuthFailed = 0x01;
constexpr quint8 kMethodNoneAcceptable = 0xFF;

quint8 byteAt(const QByteArray& buffer, qsizetype index)
{
    return static_cast<quint8>(buffer.at(index));
}

QByteArray twoBytes(quint8 first, quint8 second)
{
    const char reply[] = {char(first), char(second)};
    return QByteArray(reply, 2);
}

} // namespace

Socks5Parser::Socks5Parser(ProxyCredentials credentials)
    : m_credentials(std::move(credentials))
{}

void Socks5Parser::append(QByteArrayView bytes)
{
    if (m_state != State::Done)
        m_buffer.append(bytes);
}

QByteArray Socks5Parser::takeRemaining()
{
    return std::exchange(m_buffer, {});
}

QByteArray Socks5Parser::replyFor(Socks5Reply code)
{
    return replyFor(code, QHostAddress(QHostAddress::AnyIPv4), 0);
}

QByteArray Socks5Parser::replyFor(Socks5Reply code, const QHostAddress& bound, quint16 port)
{
    QByteArray reply;
    reply.append(char(kVersion));
    reply.append(char(code));
    reply.append(char(0x00)); // RSV
    appendSocks5Address(reply, bound, port);
    return reply;
}

Socks5Parser::Event Socks5Parser::fail(QByteArray reply, const char* reason)
{
    m_state = State::Done;
    m_buffer.clear();
    Event event;
    event.type = Event::Type::Error;
    event.reply = std::move(reply);
    event.reason = reason;
    return event;
}

std::optional<Socks5Parser::Event> Socks5Parser::next()
{
    switch (m_state) {
    case State::Greeting:
        return parseGreeting();
    case State::Authentication:
        return parseAuthentication();
    case State::Request:
        return parseRequest();
    case State::Done:
        return std::nullopt;
    }
    return std::nullopt;
}

std::optional<Socks5Parser::Event> Socks5Parser::parseGreeting()
{
    // VER NMETHODS METHODS[NMETHODS] (RFC 1928 section 3)
    if (m_buffer.size() < 2)
        return std::nullopt;
    if (byteAt(m_buffer, 0) != kVersion)
        return fail({}, "not a SOCKS5 greeting");
    const qsizetype methodCount = byteAt(m_buffer, 1);
    if (methodCount == 0)
        return fail(twoBytes(kVersion, kMethodNoneAcceptable), "SOCKS5 greeting offers no method");
    if (m_buffer.size() < 2 + methodCount)
        return std::nullopt;
    // With credentials only username/password will do: offering no-auth as well must not
    // let a client skip them.
    const quint8 method = m_credentials.isRequired() ? kMethodUserPassword : kMethodNoAuth;
    const bool offered =
        QByteArrayView(m_buffer.constData() + 2, methodCount).contains(char(method));
    m_buffer.remove(0, 2 + methodCount);
    if (!offered) {
        return fail(twoBytes(kVersion, kMethodNoneAcceptable),
                    m_credentials.isRequired()
                        ? "SOCKS5 client does not offer username/password authentication"
                        : "SOCKS5 client offers no acceptable method");
    }
    m_state = method == kMethodUserPassword ? State::Authentication : State::Request;
    Event event;
    event.type = Event::Type::MethodSelected;
    event.reply = twoBytes(kVersion, method);
    return event;
}

std::optional<Socks5Parser::Event> Socks5Parser::parseAuthentication()
{
    // VER ULEN UNAME[ULEN] PLEN PASSWD[PLEN] (RFC 1929 section 2)
    if (m_buffer.isEmpty())
        return std::nullopt;
    const QByteArray failed = twoBytes(kAuthVersion, kAuthFailed);
    if (byteAt(m_buffer, 0) != kAuthVersion)
        return fail(failed, "SOCKS5 authentication with a wrong version");
    if (m_buffer.size() < 2)
        return std::nullopt;
    const qsizetype userLength = byteAt(m_buffer, 1);
    if (m_buffer.size() < 2 + userLength + 1)
        return std::nullopt;
    const qsizetype passwordLength = byteAt(m_buffer, 2 + userLength);
    const qsizetype end = 2 + userLength + 1 + passwordLength;
    if (m_buffer.size() < end)
        return std::nullopt;
    const QByteArrayView user(m_buffer.constData() + 2, userLength);
    const QByteArrayView password(m_buffer.constData() + 3 + userLength, passwordLength);
    // Section 2: any status but 0 means failure, and the server must close the connection.
    // The reason names neither value: the user may have typed the password as the name.
    if (!m_credentials.matches(user, password))
        return fail(failed, "SOCKS5 client gave a wrong user name or password");
    m_buffer.remove(0, end);
    m_state = State::Request;
    Event event;
    event.type = Event::Type::Authenticated;
    event.reply = twoBytes(kAuthVersion, kAuthSucceeded);
    return event;
}

std::optional<Socks5Parser::Event> Socks5Parser::parseRequest()
{
    // VER CMD RSV ATYP DST.ADDR DST.PORT (RFC 1928 section 4)
    if (m_buffer.size() < 4)
        return std::nullopt;
    if (byteAt(m_buffer, 0) != kVersion)
        return fail(replyFor(Socks5Reply::GeneralFailure), "SOCKS5 request with a wrong version");
    const quint8 command = byteAt(m_buffer, 1);
    const Socks5AddressField address = readSocks5Address(m_buffer, 3);
    switch (address.status) {
    case Socks5AddressField::Status::Truncated:
        return std::nullopt;
    case Socks5AddressField::Status::UnknownType:
        return fail(replyFor(Socks5Reply::AddressTypeNotSupported),
                    "SOCKS5 request with an unknown address type");
    case Socks5AddressField::Status::Complete:
        break;
    }

    Event event;
    event.type = Event::Type::Request;
    if (command == quint8(Command::UdpAssociate)) {
        // DST.ADDR and DST.PORT may be zeros here: the client may not know yet where it will
        // send from (section 6), so port 0 is valid and the address is not checked.
        event.command = Command::UdpAssociate;
        event.clientPort = address.port;
    } else if (command == quint8(Command::Connect)) {
        const auto target = TargetAddress::fromHostPort(address.host, address.port);
        if (!target)
            return fail(replyFor(Socks5Reply::GeneralFailure),
                        "SOCKS5 request with an invalid target address or port");
        event.target = *target;
    } else {
        // BIND is not served; the full request is read first so the reply is not mistaken for
        // a truncated stream by the client.
        return fail(replyFor(Socks5Reply::CommandNotSupported), command == quint8(Command::Bind)
                                                                    ? "SOCKS5 BIND is not supported"
                                                                    : "SOCKS5 unknown command");
    }
    m_buffer.remove(0, address.end);
    m_state = State::Done;
    return event;
}

} // namespace echw
