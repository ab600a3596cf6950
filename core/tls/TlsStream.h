#pragma once

#include "net/ByteStream.h"
#include "tls/OpenSslHandles.h"

#include <QByteArray>

#include <memory>

namespace echw {

// TLS over any ByteStream: OpenSSL reads and writes ciphertext through a BIO over this class's
// own two buffers, and this class moves it between them and the transport on the event loop.
// Qt's own TLS cannot be used: it has no ECH.
//
// Plaintext is available through the ByteStream interface once handshakeFinished() was
// emitted; failed() reports a handshake or transport failure, and failure() says which.
class TlsStream final : public ByteStream {
    Q_OBJECT
public:
    struct ClientSetup {
        QString serverName;       // SNI of the inner ClientHello; certificate checked for it
        QByteArray echConfigList; // binary ECHConfigList; empty means no ECH
    };

    enum class Failure {
        None,
        Transport,   // the TCP connection broke or closed during the handshake
        Handshake,   // a TLS protocol failure (alert, unsupported peer, ...)
        Certificate, // the peer's certificate did not verify
        EchRejected, // the server did not accept ECH; see retryConfigs()
    };

    // Ownership of the transport passes to the stream. ctx must outlive the call only.
    static std::unique_ptr<TlsStream> client(std::unique_ptr<ByteStream> transport, SSL_CTX* ctx,
                                             const ClientSetup& setup, QString* error);
    static std::unique_ptr<TlsStream> server(std::unique_ptr<ByteStream> transport, SSL_CTX* ctx,
                                             QString* error);
    ~TlsStream() override;

    void startHandshake();

    Failure failure() const { return m_failure; }
    // After an EchRejected failure: the configs the server offered (authenticated under its
    // public name by the handshake), or empty.
    QByteArray retryConfigs() const { return m_retryConfigs; }
    // After the handshake: whether ECH was accepted, and the names seen (the server learns the
    // inner name only when ECH succeeded).
    bool echAccepted() const { return m_echAccepted; }
    QString innerServerName() const { return m_innerName; }
    QString outerServerName() const { return m_outerName; }

    qint64 read(char* data, qint64 max) override;
    void write(QByteArrayView data) override;
    qint64 pendingWriteBytes() const override;
    void setReadPaused(bool paused) override;
    bool atEnd() const override;
    void finishWrite() override;
    void abort() override;

Q_SIGNALS:
    void handshakeFinished();

private:
    TlsStream(std::unique_ptr<ByteStream> transport, SslPtr ssl, bool isClient);

    void onTransportReadable();
    void onTransportEnded();
    void continueHandshake();
    void completeHandshake();
    void flushCiphertext();
    void fail(Failure failure, const QString& reason);
    void markReadEnded();
    qint64 cipherInBytes() const { return m_cipherIn.size() - m_cipherInOffset; }

    // OpenSSL's memory BIO zero-fills every byte it stores and again on every reset; this BIO
    // stores ciphertext straight into m_cipherIn / m_cipherOut instead.
    static BIO_METHOD* bioMethod();
    static int bioWrite(BIO* bio, const char* data, size_t length, size_t* written);
    static int bioRead(BIO* bio, char* data, size_t length, size_t* read);
    static long bioControl(BIO* bio, int command, long number, void* pointer);

    std::unique_ptr<ByteStream> m_transport;
    // Ciphertext received and not yet taken by OpenSSL, from m_cipherInOffset on; ciphertext
    // OpenSSL produced and not yet handed to the transport. Declared before m_ssl, whose BIO
    // points at them, so they outlive it.
    QByteArray m_cipherIn;
    qsizetype m_cipherInOffset = 0;
    QByteArray m_cipherOut;
    SslPtr m_ssl;
    bool m_isClient;
    bool m_handshakeStarted = false;
    bool m_handshakeDone = false;
    bool m_transportEnded = false;
    bool m_readEnded = false;
    bool m_readPaused = false;
    bool m_writeFinishRequested = false;
    bool m_closed = false;
    Failure m_failure = Failure::None;
    bool m_echAccepted = false;
    QString m_innerName;
    QString m_outerName;
    QByteArray m_retryConfigs;
};

} // namespace echw
