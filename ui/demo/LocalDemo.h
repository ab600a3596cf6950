#pragma once

#include "config/AppSettings.h"

#include <QObject>
#include <QProcess>
#include <QTimer>

#include <memory>

namespace echw {

// "Try a local demo server": this repository's worker server (with ECH and its own DoH answer)
// and a small local website, both on loopback, as child processes. Once both are listening the
// demo offers a server profile pointing at them, so the client runs the real tunnel end to end
// on this machine without an account anywhere.
class LocalDemo final : public QObject {
    Q_OBJECT
public:
    struct Programs {
        QString server; // ech-workers-server
        QString origin; // echw-test-origin
    };

    explicit LocalDemo(QObject* parent = nullptr);
    ~LocalDemo() override;

    // Where the programs are: $ECHW_SERVER_BIN / $ECHW_ORIGIN_BIN, next to this program, in the
    // build tree beside it, or on PATH. A field is empty when that program was not found.
    static Programs findPrograms();

    // Starts both programs; ready() or failed() follows within the start deadline.
    void start(const Programs& programs, const QString& stateDirectory);
    void stop();
    bool isReady() const { return m_ready; }

    // The server as a profile the engine can use (valid once ready).
    const ServerProfile& profile() const { return m_profile; }
    // The local website's port, for demo traffic and the hint.
    quint16 originPort() const { return m_originPort; }

Q_SIGNALS:
    void ready();
    void failed(const QString& reason);

private:
    void onServerOutput();
    void onOriginOutput();
    void checkReady();
    void fail(const QString& reason);

    std::unique_ptr<QProcess> m_server;
    std::unique_ptr<QProcess> m_origin;
    QByteArray m_serverOutput;
    QByteArray m_originOutput;
    QTimer m_deadline;
    ServerProfile m_profile;
    QString m_certificate;
    quint16 m_serverPort = 0;
    quint16 m_originPort = 0;
    bool m_ready = false;
};

} // namespace echw
