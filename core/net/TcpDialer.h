#pragma once

#include "net/ConnectError.h"
#include "net/TargetAddress.h"

#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QTimer>

#include <chrono>
#include <functional>
#include <memory>
#include <variant>

class QHostInfo;
class QSocketNotifier;

namespace echw {

class NameLookup;
class SocketStream;

// Opens one TCP connection without ever blocking the event loop: the name is resolved
// asynchronously (NameLookup runs the system resolver on the process's lookup threads), then each
// address is tried in turn with a non-blocking connect(2), all under one deadline.
//
// Destroying the dialer cancels whatever it is doing; the callback is then never called.
class TcpDialer final : public QObject {
    Q_OBJECT
public:
    using Result = std::variant<std::unique_ptr<SocketStream>, ConnectError>;
    using Callback = std::function<void(Result)>;

    TcpDialer(TargetAddress target, std::chrono::milliseconds timeout, Callback callback,
              QObject* parent = nullptr);
    ~TcpDialer() override;

    void start();

private:
    void onLookupFinished(const QHostInfo& info);
    void tryNextAddress();
    void onConnectReady();
    void finish(Result result);
    void closeAttempt();

    TargetAddress m_target;
    std::chrono::milliseconds m_timeout;
    Callback m_callback;
    QTimer m_deadline;
    std::unique_ptr<NameLookup> m_lookup;
    QList<QHostAddress> m_addresses;
    qsizetype m_nextAddress = 0;
    int m_attemptDescriptor = -1;
    std::unique_ptr<QSocketNotifier> m_attemptNotifier;
    ConnectError m_lastError;
    bool m_done = false;
};

} // namespace echw
