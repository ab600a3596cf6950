#pragma once

#include "tls/OpenSslHandles.h"

#include <QByteArray>
#include <QString>

#include <memory>
#include <mutex>
#include <variant>

namespace echw {

// The shared TLS settings of every connection to a worker: TLS 1.3 only, peer verification on,
// the roots of tls/TrustStore.h loaded explicitly (our static OpenSSL's default paths point
// into its build prefix), extra CA certificates for self-hosted servers included.
//
// The context is built on first use: parsing the trust store takes milliseconds that engine
// start should not wait for. Verification is the same either way: the context only exists with
// SSL_VERIFY_PEER set.
class TlsClientContext {
public:
    // extraCaFile may be empty; the roots follow the shared rule of tls/TrustStore.h.
    // Checks now that the files are there, so that a wrong setting shows at start.
    static std::variant<std::shared_ptr<TlsClientContext>, QString>
    create(const QString& extraCaFile);

    // Null only when OpenSSL cannot make a context at all.
    SSL_CTX* get() const;

private:
    explicit TlsClientContext(QString extraCaFile);
    QString m_extraCaFile;
    mutable std::once_flag m_built;
    mutable SslCtxPtr m_ctx;
};

// A server's TLS settings: its certificate chain and key, and optionally the ECH keys it
// decrypts ClientHellos with (an ECH PEM: private key plus ECHCONFIG).
class TlsServerContext {
public:
    static std::variant<std::shared_ptr<TlsServerContext>, QString>
    create(const QByteArray& certificateChainPem, const QByteArray& privateKeyPem,
           const QByteArray& echPem);

    SSL_CTX* get() const { return m_ctx.get(); }

private:
    explicit TlsServerContext(SslCtxPtr ctx);
    SslCtxPtr m_ctx;
};

} // namespace echw
