#include "TestHelpers.h"

#include <QCryptographicHash>
#include <QDeadlineTimer>
#include <QFile>
#include <QTcpServer>
#include <QTcpSocket>

#include <algorithm>

namespace echw::test {

namespace {

constexpr QByteArrayView kGreeting("\x05\x01\x00", 3);

QByteArray portBytes(quint16 port)
{
    return QByteArray(1, char(port >> 8)).append(char(port & 0xff));
}

int remainingMs(const QDeadlineTimer& deadline)
{
    return int(std::max<qint64>(1, deadline.remainingTime()));
}

} // namespace

QString sha256OfFile(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(&file);
    return QString::fromLatin1(hash.result().toHex());
}

QByteArray socks5ConnectRequest(const QByteArray& host, quint16 port)
{
    QByteArray request = kGreeting.toByteArray() + QByteArray("\x05\x01\x00\x03", 4);
    request.append(char(host.size())).append(host);
    return request + portBytes(port);
}

QByteArray socks5ConnectRequest(const QHostAddress& ipv4, quint16 port)
{
    const quint32 address = ipv4.toIPv4Address();
    QByteArray request = kGreeting.toByteArray() + QByteArray("\x05\x01\x00\x01", 4);
    for (int shift = 24; shift >= 0; shift -= 8)
        request.append(char((address >> shift) & 0xff));
    return request + portBytes(port);
}

QByteArray readExactly(QTcpSocket& socket, qsizetype n, std::chrono::milliseconds timeout)
{
    QDeadlineTimer deadline(timeout);
    QByteArray data;
    while (data.size() < n && !deadline.hasExpired()) {
        if (socket.bytesAvailable() == 0 && !socket.waitForReadyRead(remainingMs(deadline)))
            break;
        data += socket.read(n - data.size());
    }
    return data;
}

QByteArray readUntilClosed(QTcpSocket& socket, std::chrono::milliseconds timeout)
{
    QDeadlineTimer deadline(timeout);
    QByteArray data;
    while (!deadline.hasExpired()) {
        data += socket.readAll();
        if (socket.state() == QAbstractSocket::UnconnectedState)
            break;
        socket.waitForReadyRead(remainingMs(deadline));
    }
    return data + socket.readAll();
}

quint16 closedPort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost))
        return 0;
    return probe.serverPort();
}

} // namespace echw::test
