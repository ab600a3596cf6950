#include "TcpDialer.h"

#include "net/NameLookup.h"
#include "net/SocketStream.h"

#include <QHostInfo>
#include <QSocketNotifier>

#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace echw {

namespace {

ConnectError errorFromErrno(int error, const QString& where)
{
    ConnectError result;
    switch (error) {
    case ECONNREFUSED:
        result.kind = ConnectError::Kind::Refused;
        break;
    case ENETUNREACH:
    case EHOSTUNREACH:
    case ENETDOWN:
    case EHOSTDOWN:
    case EADDRNOTAVAIL:
        result.kind = ConnectError::Kind::Unreachable;
        break;
    case ETIMEDOUT:
        result.kind = ConnectError::Kind::TimedOut;
        break;
    default:
        result.kind = ConnectError::Kind::Failed;
        break;
    }
    result.message =
        QStringLiteral("%1: %2").arg(where, QString::fromLocal8Bit(std::strerror(error)));
    return result;
}

} // namespace

TcpDialer::TcpDialer(TargetAddress target, std::chrono::milliseconds timeout, Callback callback,
                     QObject* parent)
    : QObject(parent)
    , m_target(std::move(target))
    , m_timeout(timeout)
    , m_callback(std::move(callback))
{
    m_deadline.setSingleShot(true);
    connect(&m_deadline, &QTimer::timeout, this, [this] {
        finish(ConnectError{ConnectError::Kind::TimedOut,
                            QStringLiteral("connecting to %1 timed out after %2 ms")
                                .arg(m_target.toString())
                                .arg(m_timeout.count())});
    });
}

TcpDialer::~TcpDialer()
{
    closeAttempt();
}

void TcpDialer::start()
{
    m_deadline.start(m_timeout);
    if (m_target.kind != TargetAddress::Kind::Domain) {
        m_addresses = {QHostAddress(m_target.host)};
        // Connect from the event loop so the callback never runs inside start().
        QMetaObject::invokeMethod(this, &TcpDialer::tryNextAddress, Qt::QueuedConnection);
        return;
    }
    m_lookup = std::make_unique<NameLookup>(
        m_target.host, this, [this](const QHostInfo& info) { onLookupFinished(info); });
}

void TcpDialer::onLookupFinished(const QHostInfo& info)
{
    m_lookup.reset();
    if (info.error() != QHostInfo::NoError || info.addresses().isEmpty()) {
        finish(ConnectError{
            ConnectError::Kind::NameNotResolved,
            QStringLiteral("cannot resolve %1: %2").arg(m_target.host, info.errorString())});
        return;
    }
    m_addresses = info.addresses();
    tryNextAddress();
}

void TcpDialer::tryNextAddress()
{
    closeAttempt();
    while (m_nextAddress < m_addresses.size()) {
        const QHostAddress address = m_addresses.at(m_nextAddress++);
        sockaddr_storage storage{};
        socklen_t length = 0;
        if (address.protocol() == QAbstractSocket::IPv4Protocol) {
            auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
            v4->sin_family = AF_INET;
            v4->sin_port = htons(m_target.port);
            v4->sin_addr.s_addr = htonl(address.toIPv4Address());
            length = sizeof(sockaddr_in);
        } else if (address.protocol() == QAbstractSocket::IPv6Protocol) {
            auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
            v6->sin6_family = AF_INET6;
            v6->sin6_port = htons(m_target.port);
            const Q_IPV6ADDR bytes = address.toIPv6Address();
            std::memcpy(&v6->sin6_addr, bytes.c, 16);
            length = sizeof(sockaddr_in6);
        } else {
            continue;
        }
        const int fd = ::socket(storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            m_lastError = errorFromErrno(errno, QStringLiteral("socket"));
            continue;
        }
        const QString where =
            QStringLiteral("connect to %1 (%2)").arg(m_target.toString(), address.toString());
        if (::connect(fd, reinterpret_cast<sockaddr*>(&storage), length) == 0) {
            m_attemptDescriptor = fd;
            onConnectReady();
            return;
        }
        if (errno != EINPROGRESS) {
            m_lastError = errorFromErrno(errno, where);
            ::close(fd);
            continue;
        }
        m_attemptDescriptor = fd;
        m_attemptNotifier = std::make_unique<QSocketNotifier>(fd, QSocketNotifier::Write);
        connect(m_attemptNotifier.get(), &QSocketNotifier::activated, this,
                &TcpDialer::onConnectReady);
        m_lastError.message = where;
        return;
    }
    if (m_lastError.message.isEmpty())
        m_lastError.message = QStringLiteral("no usable address for %1").arg(m_target.toString());
    finish(m_lastError);
}

void TcpDialer::onConnectReady()
{
    int error = 0;
    socklen_t length = sizeof error;
    if (::getsockopt(m_attemptDescriptor, SOL_SOCKET, SO_ERROR, &error, &length) != 0)
        error = errno;
    if (error != 0) {
        m_lastError = errorFromErrno(error, m_lastError.message);
        tryNextAddress();
        return;
    }
    m_attemptNotifier.reset();
    const int fd = std::exchange(m_attemptDescriptor, -1);
    finish(std::make_unique<SocketStream>(fd));
}

void TcpDialer::finish(Result result)
{
    if (m_done)
        return;
    m_done = true;
    m_deadline.stop();
    m_lookup.reset();
    closeAttempt();
    // The callback may destroy this dialer; nothing touches members after it.
    auto callback = std::move(m_callback);
    callback(std::move(result));
}

void TcpDialer::closeAttempt()
{
    m_attemptNotifier.reset();
    if (m_attemptDescriptor >= 0) {
        ::close(m_attemptDescriptor);
        m_attemptDescriptor = -1;
    }
}

} // namespace echw
