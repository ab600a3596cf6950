#include "Socks5Parser.h"

#include <QHostAddress>

namespace echw {

namespace {

constexpr quint8 kVersion = 0x05;
constexpr quint8 kMethodNoAuth = 0x00;
constexpr quint8 kMethodNoneAcceptable = 0xFF;
constexpr quint8 kAddressIPv4 = 0x01;
constexpr quint8 kAddressDomain = 0x03;
constexpr quint8 kAddressIPv6 = 0x04;

quint8 byteAt(const QByteArray& buffer, qsizetype index)
{
    return static_cast<quint8>(buffer.at(index));
}

} // namespace

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
    const char reply[] = {
        char(kVersion), char(code), 0x00, char(kAddressIPv4), 0, 0, 0, 0, 0, 0,
    };
    return QByteArray(reply, sizeof reply);
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
        return fail(QByteArray::fromRawData("\x05\xff", 2), "SOCKS5 greeting offers no method");
    if (m_buffer.size() < 2 + methodCount)
        return std::nullopt;
    const QByteArrayView methods(m_buffer.constData() + 2, methodCount);
    const bool noAuthOffered = methods.contains(char(kMethodNoAuth));
    m_buffer.remove(0, 2 + methodCount);
    if (!noAuthOffered) {
        const char reply[] = {char(kVersion), char(kMethodNoneAcceptable)};
        return fail(QByteArray(reply, 2), "SOCKS5 client offers no acceptable method");
    }
    m_state = State::Request;
    Event event;
    event.type = Event::Type::MethodSelected;
    const char reply[] = {char(kVersion), char(kMethodNoAuth)};
    event.reply = QByteArray(reply, 2);
    return event;
}

std::optional<Socks5Parser::Event> Socks5Parser::parseRequest()
{
    // VER CMD RSV ATYP DST.ADDR DST.PORT (RFC 1928 section 4)
    if (m_buffer.size() < 5)
        return std::nullopt;
    if (byteAt(m_buffer, 0) != kVersion)
        return fail(replyFor(Socks5Reply::GeneralFailure), "SOCKS5 request with a wrong version");
    const quint8 command = byteAt(m_buffer, 1);
    const quint8 addressType = byteAt(m_buffer, 3);

    qsizetype addressLength = 0;
    qsizetype addressOffset = 4;
    switch (addressType) {
    case kAddressIPv4:
        addressLength = 4;
        break;
    case kAddressIPv6:
        addressLength = 16;
        break;
    case kAddressDomain:
        addressLength = byteAt(m_buffer, 4);
        addressOffset = 5;
        break;
    default:
        return fail(replyFor(Socks5Reply::AddressTypeNotSupported),
                    "SOCKS5 request with an unknown address type");
    }
    const qsizetype total = addressOffset + addressLength + 2;
    if (m_buffer.size() < total)
        return std::nullopt;

    const auto* raw = reinterpret_cast<const quint8*>(m_buffer.constData());
    const quint16 port = quint16(raw[total - 2] << 8 | raw[total - 1]);
    QString host;
    if (addressType == kAddressIPv4) {
        host = QHostAddress(quint32(raw[4]) << 24 | quint32(raw[5]) << 16 | quint32(raw[6]) << 8 |
                            quint32(raw[7]))
                   .toString();
    } else if (addressType == kAddressIPv6) {
        Q_IPV6ADDR address;
        std::copy_n(raw + 4, 16, address.c);
        host = QHostAddress(address).toString();
    } else {
        host = QString::fromLatin1(m_buffer.constData() + addressOffset, addressLength);
    }

    if (command != quint8(Command::Connect)) {
        // BIND and UDP ASSOCIATE are not served; the full request is read first so the reply
        // is not mistaken for a truncated stream by the client.
        return fail(replyFor(Socks5Reply::CommandNotSupported),
                    command == quint8(Command::Bind) ? "SOCKS5 BIND is not supported"
                    : command == quint8(Command::UdpAssociate)
                        ? "SOCKS5 UDP ASSOCIATE is not supported"
                        : "SOCKS5 unknown command");
    }
    const auto target = TargetAddress::fromHostPort(host, port);
    if (!target)
        return fail(replyFor(Socks5Reply::GeneralFailure),
                    "SOCKS5 request with an invalid target address or port");

    m_buffer.remove(0, total);
    m_state = State::Done;
    Event event;
    event.type = Event::Type::Request;
    event.target = *target;
    return event;
}

} // namespace echw
