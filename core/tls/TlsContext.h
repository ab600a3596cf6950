#pragma once

#include "tls/OpenSslHandles.h"

#include <QByteArray>
#include <QString>

#include <memory>
#include <variant>

namespace echw {

// The shared TLS settings of every connection to a worker: TLS 1.3 only, peer verification on,
// the system trust store loaded explicitly (our static OpenSSL's default paths point into its
// build prefix), plus optional extra CA certificates for self-hosted servers.
class TlsClientContext {
public:
    // extraCaFile may be empty. SSL_CERT_FILE / SSL_CERT_DIR replace the system locations.
    static std::variant<std::shared_ptr<TlsClientContext>, QString>
    create(const QString& extraCaFile);

    SSL_CTX* get() const { return m_ctx.get(); }

private:
    explicit TlsClientContext(SslCtxPtr ctx);
    SslCtxPtr m_ctx;
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
