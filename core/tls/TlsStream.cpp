#include "TlsStream.h"

#include <QHostAddress>
#include <QLoggingCategory>

#include <openssl/err.h>
#include <openssl/x509_vfy.h>

namespace echw {

Q_LOGGING_CATEGORY(lcTls, "echw.tls")

namespace {

// Ciphertext moved from the transport into OpenSSL per event, and the most OpenSSL may hold
// unread before the transport is paused (backpressure reaches TCP).
constexpr qint64 kTransportChunk = 64 * 1024;
constexpr size_t kInboxHighWater = 256 * 1024;
constexpr size_t kInboxLowWater = 64 * 1024;

thread_local char t_cipherScratch[kTransportChunk];

BIO* newMemoryBio()
{
    BIO* bio = BIO_new(BIO_s_mem());
    // An empty memory BIO means "no data yet", not end of stream.
    BIO_set_mem_eof_return(bio, -1);
    return bio;
}

} // namespace

TlsStream::TlsStream(std::unique_ptr<ByteStream> transport, SslPtr ssl, bool isClient)
    : m_transport(std::move(transport))
    , m_ssl(std::move(ssl))
    , m_isClient(isClient)
{
    m_inBio = newMemoryBio();
    m_outBio = newMemoryBio();
    SSL_set_bio(m_ssl.get(), m_inBio, m_outBio);
    connect(m_transport.get(), &ByteStream::readyRead, this, &TlsStream::onTransportReadable);
    connect(m_transport.get(), &ByteStream::readFinished, this, &TlsStream::onTransportEnded);
    connect(m_transport.get(), &ByteStream::failed, this,
            [this](const QString& reason) { fail(Failure::Transport, reason); });
    connect(m_transport.get(), &ByteStream::bytesWritten, this, &ByteStream::bytesWritten);
    connect(m_transport.get(), &ByteStream::writeFinished, this, &ByteStream::writeFinished);
}

TlsStream::~TlsStream() = default;

std::unique_ptr<TlsStream> TlsStream::client(std::unique_ptr<ByteStream> transport, SSL_CTX* ctx,
                                             const ClientSetup& setup, QString* error)
{
    SslPtr ssl(SSL_new(ctx));
    if (!ssl) {
        *error = QStringLiteral("cannot start TLS: %1").arg(takeOpenSslError());
        return nullptr;
    }
    const QByteArray name = setup.serverName.toUtf8();
    const QHostAddress literal(setup.serverName);
    bool ok = true;
    if (literal.isNull()) {
        ok = SSL_set_tlsext_host_name(ssl.get(), name.constData()) == 1 &&
             SSL_set1_dnsname(ssl.get(), name.constData()) == 1;
    } else {
        // An IP address is never sent as SNI (RFC 6066 section 3); it is checked against the
        // certificate's IP entries instead.
        ok = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl.get()), name.constData()) == 1;
    }
    if (!ok) {
        *error = QStringLiteral("invalid TLS server name %1: %2")
                     .arg(setup.serverName, takeOpenSslError());
        return nullptr;
    }
    if (!setup.echConfigList.isEmpty() &&
        SSL_set1_ech_config_list(ssl.get(),
                                 reinterpret_cast<const uint8_t*>(setup.echConfigList.constData()),
                                 size_t(setup.echConfigList.size())) != 1) {
        *error = QStringLiteral("the ECH config list is not usable: %1").arg(takeOpenSslError());
        return nullptr;
    }
    SSL_set_connect_state(ssl.get());
    return std::unique_ptr<TlsStream>(new TlsStream(std::move(transport), std::move(ssl), true));
}

std::unique_ptr<TlsStream> TlsStream::server(std::unique_ptr<ByteStream> transport, SSL_CTX* ctx,
                                             QString* error)
{
    SslPtr ssl(SSL_new(ctx));
    if (!ssl) {
        *error = QStringLiteral("cannot start TLS: %1").arg(takeOpenSslError());
        return nullptr;
    }
    SSL_set_accept_state(ssl.get());
    return std::unique_ptr<TlsStream>(new TlsStream(std::move(transport), std::move(ssl), false));
}

void TlsStream::startHandshake()
{
    if (m_handshakeStarted)
        return;
    m_handshakeStarted = true;
    continueHandshake();
}

void TlsStream::onTransportReadable()
{
    if (m_closed)
        return;
    while (BIO_ctrl_pending(m_inBio) < kInboxHighWater) {
        const qint64 n = m_transport->read(t_cipherScratch, kTransportChunk);
        if (n <= 0)
            break;
        BIO_write(m_inBio, t_cipherScratch, int(n));
    }
    if (BIO_ctrl_pending(m_inBio) >= kInboxHighWater)
        m_transport->setReadPaused(true);
    if (m_transport->atEnd())
        m_transportEnded = true;
    if (!m_handshakeDone) {
        if (m_handshakeStarted)
            continueHandshake();
        return;
    }
    Q_EMIT readyRead();
}

void TlsStream::onTransportEnded()
{
    m_transportEnded = true;
    if (m_closed)
        return;
    if (!m_handshakeDone) {
        if (m_handshakeStarted)
            continueHandshake(); // consumes what arrived, then reports the closed connection
        else
            fail(Failure::Transport, QStringLiteral("the connection closed before TLS started"));
        return;
    }
    // Let the reader drain what is left; read() then reports the end.
    Q_EMIT readyRead();
}

void TlsStream::continueHandshake()
{
    if (m_closed || m_handshakeDone)
        return;
    ERR_clear_error();
    const int result = SSL_do_handshake(m_ssl.get());
    flushCiphertext();
    if (result == 1) {
        completeHandshake();
        return;
    }
    const int error = SSL_get_error(m_ssl.get(), result);
    if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
        if (m_transportEnded)
            fail(Failure::Transport, QStringLiteral("the server closed the connection during the "
                                                    "TLS handshake"));
        return;
    }

    const unsigned long code = ERR_peek_error();
    const QString reason = takeOpenSslError();
    if (m_isClient) {
        char* inner = nullptr;
        char* outer = nullptr;
        const int status = SSL_ech_get1_status(m_ssl.get(), &inner, &outer);
        OPENSSL_free(inner);
        OPENSSL_free(outer);
        if (status == SSL_ECH_STATUS_FAILED_ECH || status == SSL_ECH_STATUS_FAILED_ECH_BAD_NAME ||
            ERR_GET_REASON(code) == SSL_R_ECH_REQUIRED) {
            unsigned char* configs = nullptr;
            size_t length = 0;
            // Retry configs count only when the handshake authenticated the public name
            // (RFC 9849 section 6.1.6); OpenSSL reports the other case as FAILED_ECH_BAD_NAME.
            if (status == SSL_ECH_STATUS_FAILED_ECH &&
                SSL_ech_get1_retry_config(m_ssl.get(), &configs, &length) == 1 && configs) {
                m_retryConfigs =
                    QByteArray(reinterpret_cast<const char*>(configs), qsizetype(length));
            }
            OPENSSL_free(configs);
            fail(Failure::EchRejected,
                 m_retryConfigs.isEmpty()
                     ? QStringLiteral("the server did not accept ECH and offered no usable retry "
                                      "configs")
                     : QStringLiteral("the server did not accept ECH; it offered new ECH configs"));
            return;
        }
        const long verify = SSL_get_verify_result(m_ssl.get());
        if (verify != X509_V_OK) {
            fail(Failure::Certificate,
                 QStringLiteral("certificate verification failed: %1")
                     .arg(QString::fromLatin1(X509_verify_cert_error_string(verify))));
            return;
        }
    }
    fail(Failure::Handshake, QStringLiteral("TLS handshake failed: %1").arg(reason));
}

void TlsStream::completeHandshake()
{
    m_handshakeDone = true;
    char* inner = nullptr;
    char* outer = nullptr;
    const int status = SSL_ech_get1_status(m_ssl.get(), &inner, &outer);
    m_echAccepted = status == SSL_ECH_STATUS_SUCCESS;
    m_innerName = inner ? QString::fromUtf8(inner) : QString();
    m_outerName = outer ? QString::fromUtf8(outer) : QString();
    OPENSSL_free(inner);
    OPENSSL_free(outer);
    Q_EMIT handshakeFinished();
    // Application data may have arrived together with the last handshake flight.
    if (!m_closed && (BIO_ctrl_pending(m_inBio) > 0 || m_transportEnded))
        QMetaObject::invokeMethod(this, &ByteStream::readyRead, Qt::QueuedConnection);
}

qint64 TlsStream::read(char* data, qint64 max)
{
    if (!m_handshakeDone || m_readEnded || m_closed || max <= 0)
        return 0;
    ERR_clear_error();
    size_t n = 0;
    const int result = SSL_read_ex(m_ssl.get(), data, size_t(max), &n);
    // Reading may have produced output (a key update answer, an alert).
    if (BIO_ctrl_pending(m_outBio) > 0)
        flushCiphertext();
    if (result == 1) {
        if (BIO_ctrl_pending(m_inBio) < kInboxLowWater && !m_readPaused)
            m_transport->setReadPaused(false);
        return qint64(n);
    }
    const int error = SSL_get_error(m_ssl.get(), result);
    switch (error) {
    case SSL_ERROR_WANT_READ:
        if (m_transportEnded && BIO_ctrl_pending(m_inBio) == 0) {
            // The peer closed TCP without close_notify; many servers do. The data we got is
            // complete as far as TLS can tell, and the relay above decides what that means.
            markReadEnded();
        } else if (!m_readPaused) {
            m_transport->setReadPaused(false);
        }
        return 0;
    case SSL_ERROR_ZERO_RETURN:
        markReadEnded();
        return 0;
    default:
        fail(Failure::Handshake,
             QStringLiteral("TLS error while reading: %1").arg(takeOpenSslError()));
        return 0;
    }
}

void TlsStream::write(QByteArrayView data)
{
    if (m_closed || data.isEmpty())
        return;
    if (!m_handshakeDone || m_writeFinishRequested) {
        qCWarning(lcTls, "dropping %lld bytes written outside an open TLS session",
                  qlonglong(data.size()));
        return;
    }
    ERR_clear_error();
    size_t written = 0;
    if (SSL_write_ex(m_ssl.get(), data.data(), size_t(data.size()), &written) != 1) {
        fail(Failure::Handshake,
             QStringLiteral("TLS error while writing: %1").arg(takeOpenSslError()));
        return;
    }
    flushCiphertext();
}

qint64 TlsStream::pendingWriteBytes() const
{
    return m_transport->pendingWriteBytes() + qint64(BIO_ctrl_pending(m_outBio));
}

void TlsStream::setReadPaused(bool paused)
{
    m_readPaused = paused;
    if (m_closed)
        return;
    m_transport->setReadPaused(paused || BIO_ctrl_pending(m_inBio) >= kInboxHighWater);
    if (!paused && m_handshakeDone &&
        (BIO_ctrl_pending(m_inBio) > 0 || SSL_pending(m_ssl.get()) > 0 || m_transportEnded))
        QMetaObject::invokeMethod(this, &ByteStream::readyRead, Qt::QueuedConnection);
}

bool TlsStream::atEnd() const
{
    return m_readEnded;
}

void TlsStream::finishWrite()
{
    if (m_closed || m_writeFinishRequested)
        return;
    m_writeFinishRequested = true;
    if (m_handshakeDone) {
        // close_notify ends our direction (TLS 1.3 allows reading on, RFC 8446 section 6.1).
        SSL_shutdown(m_ssl.get());
        ERR_clear_error();
        flushCiphertext();
    }
    m_transport->finishWrite();
}

void TlsStream::abort()
{
    if (m_closed)
        return;
    m_closed = true;
    m_transport->abort();
}

void TlsStream::flushCiphertext()
{
    char* data = nullptr;
    const long length = BIO_get_mem_data(m_outBio, &data);
    if (length <= 0)
        return;
    m_transport->write(QByteArrayView(data, length));
    // Written in full (the transport queues what the socket does not take): drop it here.
    BIO_reset(m_outBio);
}

void TlsStream::fail(Failure failure, const QString& reason)
{
    if (m_closed)
        return;
    m_failure = failure;
    m_closed = true;
    m_transport->abort();
    Q_EMIT failed(reason);
}

void TlsStream::markReadEnded()
{
    if (m_readEnded)
        return;
    m_readEnded = true;
    QMetaObject::invokeMethod(this, &ByteStream::readFinished, Qt::QueuedConnection);
}

} // namespace echw
