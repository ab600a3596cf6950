#include "TlsStream.h"

#include <QHostAddress>
#include <QLoggingCategory>

#include <openssl/err.h>
#include <openssl/x509_vfy.h>

#include <algorithm>
#include <cstring>

namespace echw {

Q_LOGGING_CATEGORY(lcTls, "echw.tls")

namespace {

// Ciphertext moved from the transport into OpenSSL per event, and the most OpenSSL may hold
// unread before the transport is paused (backpressure reaches TCP).
constexpr qint64 kTransportChunk = 64 * 1024;
constexpr qint64 kInboxHighWater = 256 * 1024;
constexpr qint64 kInboxLowWater = 64 * 1024;
// A buffer that drained after holding less than this is freed rather than kept: an idle or
// trickling tunnel holds no ciphertext buffers, a busy one reuses its own.
constexpr qsizetype kKeepBufferAbove = 16 * 1024;

// Empties `buffer`, keeping its allocation only when it was busy.
void drain(QByteArray& buffer, qsizetype filledTo)
{
    if (filledTo < kKeepBufferAbove)
        buffer.clear();
    else
        buffer.resize(0); // keeps the allocation
}

} // namespace

BIO_METHOD* TlsStream::bioMethod()
{
    static BIO_METHOD* const method = [] {
        BIO_METHOD* created =
            BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "echw TlsStream buffers");
        BIO_meth_set_write_ex(created, &TlsStream::bioWrite);
        BIO_meth_set_read_ex(created, &TlsStream::bioRead);
        BIO_meth_set_ctrl(created, &TlsStream::bioControl);
        return created;
    }();
    return method;
}

TlsStream::TlsStream(std::unique_ptr<ByteStream> transport, SslPtr ssl, bool isClient)
    : m_transport(std::move(transport))
    , m_ssl(std::move(ssl))
    , m_isClient(isClient)
{
    BIO* bio = BIO_new(bioMethod());
    BIO_set_data(bio, this);
    BIO_set_init(bio, 1);
    // One BIO both ways: SSL_set_bio takes the one reference for both.
    SSL_set_bio(m_ssl.get(), bio, bio);
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
    if (m_cipherInOffset > 0 && m_cipherInOffset >= m_cipherIn.size() / 2) {
        m_cipherIn.remove(0, m_cipherInOffset);
        m_cipherInOffset = 0;
    }
    while (cipherInBytes() < kInboxHighWater) {
        // Read straight into the buffer; resize() leaves the new bytes uninitialised.
        const qsizetype filled = m_cipherIn.size();
        m_cipherIn.resize(filled + kTransportChunk);
        const qint64 n = m_transport->read(m_cipherIn.data() + filled, kTransportChunk);
        m_cipherIn.resize(filled + std::max<qint64>(n, 0));
        if (n <= 0)
            break;
    }
    if (cipherInBytes() >= kInboxHighWater)
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
    if (!m_closed && (cipherInBytes() > 0 || m_transportEnded))
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
    if (!m_cipherOut.isEmpty())
        flushCiphertext();
    if (result == 1) {
        if (cipherInBytes() < kInboxLowWater && !m_readPaused)
            m_transport->setReadPaused(false);
        return qint64(n);
    }
    const int error = SSL_get_error(m_ssl.get(), result);
    switch (error) {
    case SSL_ERROR_WANT_READ:
        if (m_transportEnded && cipherInBytes() == 0) {
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
    return m_transport->pendingWriteBytes() + m_cipherOut.size();
}

void TlsStream::setReadPaused(bool paused)
{
    m_readPaused = paused;
    if (m_closed)
        return;
    m_transport->setReadPaused(paused || cipherInBytes() >= kInboxHighWater);
    if (!paused && m_handshakeDone &&
        (cipherInBytes() > 0 || SSL_pending(m_ssl.get()) > 0 || m_transportEnded))
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
    const qsizetype length = m_cipherOut.size();
    if (length == 0)
        return;
    // Written in full (the transport queues what the socket does not take): drop it here.
    m_transport->write(m_cipherOut);
    drain(m_cipherOut, length);
}

int TlsStream::bioWrite(BIO* bio, const char* data, size_t length, size_t* written)
{
    auto* stream = static_cast<TlsStream*>(BIO_get_data(bio));
    stream->m_cipherOut.append(data, qsizetype(length));
    *written = length;
    return 1;
}

int TlsStream::bioRead(BIO* bio, char* data, size_t length, size_t* read)
{
    auto* stream = static_cast<TlsStream*>(BIO_get_data(bio));
    BIO_clear_retry_flags(bio);
    const qint64 available = stream->cipherInBytes();
    if (available == 0) {
        // No data yet, not the end of the stream: OpenSSL asks again after the next read.
        BIO_set_retry_read(bio);
        *read = 0;
        return 0;
    }
    const qint64 n = std::min<qint64>(available, qint64(length));
    std::memcpy(data, stream->m_cipherIn.constData() + stream->m_cipherInOffset, size_t(n));
    stream->m_cipherInOffset += n;
    if (stream->m_cipherInOffset == stream->m_cipherIn.size()) {
        drain(stream->m_cipherIn, stream->m_cipherIn.size());
        stream->m_cipherInOffset = 0;
    }
    *read = size_t(n);
    return 1;
}

long TlsStream::bioControl(BIO* bio, int command, long, void*)
{
    auto* stream = static_cast<TlsStream*>(BIO_get_data(bio));
    switch (command) {
    case BIO_CTRL_FLUSH:
        return 1;
    case BIO_CTRL_PENDING:
        return long(stream->cipherInBytes());
    case BIO_CTRL_WPENDING:
        return long(stream->m_cipherOut.size());
    default:
        return 0;
    }
}

void TlsStream::fail(Failure failure, const QString& reason)
{
    if (m_closed)
        return;
    m_failure = failure;
    m_closed = true;
    m_transport->abort();
    reportFailed(reason);
}

void TlsStream::markReadEnded()
{
    if (m_readEnded)
        return;
    m_readEnded = true;
    QMetaObject::invokeMethod(this, &ByteStream::readFinished, Qt::QueuedConnection);
}

} // namespace echw
