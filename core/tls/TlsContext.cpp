#include "TlsContext.h"

#include "tls/TrustStore.h"

#include <openssl/err.h>
#include <openssl/pem.h>

namespace echw {

QString takeOpenSslError()
{
    const unsigned long code = ERR_get_error();
    ERR_clear_error();
    if (code == 0)
        return QStringLiteral("unknown TLS error");
    char text[256];
    ERR_error_string_n(code, text, sizeof text);
    return QString::fromLatin1(text);
}

namespace {

// The shared trust rule (TrustStore.h) into the context's store.
void addTrustedCertificates(SSL_CTX* ctx, const QString& extraCaFile)
{
    const TrustedCertificates trusted = loadTrustedCertificates(extraCaFile);
    // The CA file was checked in create(); should it have changed since, its roots are missing
    // and servers that need them fail verification.
    if (trusted.caFileError)
        qWarning("%s", qPrintable(trusted.caFileError->message()));
    warnAboutTrustProblems(trusted);
    X509_STORE* store = SSL_CTX_get_cert_store(ctx);
    for (const QByteArray& der : trusted.der) {
        const auto* bytes = reinterpret_cast<const unsigned char*>(der.constData());
        X509* certificate = d2i_X509(nullptr, &bytes, long(der.size()));
        if (certificate) {
            X509_STORE_add_cert(store, certificate);
            X509_free(certificate);
        }
    }
    ERR_clear_error();
}

SslCtxPtr newContext(const SSL_METHOD* method)
{
    SslCtxPtr ctx(SSL_CTX_new(method));
    if (!ctx)
        return ctx;
    SSL_CTX_set_min_proto_version(ctx.get(), TLS1_3_VERSION);
    // An idle connection gives its record buffers back (memory per open tunnel).
    SSL_CTX_set_mode(ctx.get(), SSL_MODE_RELEASE_BUFFERS);
    return ctx;
}

} // namespace

TlsClientContext::TlsClientContext(QString extraCaFile)
    : m_extraCaFile(std::move(extraCaFile))
{}

std::variant<std::shared_ptr<TlsClientContext>, QString>
TlsClientContext::create(const QString& extraCaFile)
{
    if (auto problem = checkTrustSources(extraCaFile))
        return *problem;
    return std::shared_ptr<TlsClientContext>(new TlsClientContext(extraCaFile));
}

SSL_CTX* TlsClientContext::get() const
{
    std::call_once(m_built, [this] {
        SslCtxPtr ctx = newContext(TLS_client_method());
        if (!ctx) {
            qWarning("cannot create a TLS context: %s", qPrintable(takeOpenSslError()));
            return;
        }
        SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
        addTrustedCertificates(ctx.get(), m_extraCaFile);
        m_ctx = std::move(ctx);
    });
    return m_ctx.get();
}

TlsServerContext::TlsServerContext(SslCtxPtr ctx)
    : m_ctx(std::move(ctx))
{}

std::variant<std::shared_ptr<TlsServerContext>, QString>
TlsServerContext::create(const QByteArray& certificateChainPem, const QByteArray& privateKeyPem,
                         const QByteArray& echPem)
{
    SslCtxPtr ctx = newContext(TLS_server_method());
    if (!ctx)
        return QStringLiteral("cannot create a TLS context: %1").arg(takeOpenSslError());

    BioPtr certBio(
        BIO_new_mem_buf(certificateChainPem.constData(), int(certificateChainPem.size())));
    X509* leaf = PEM_read_bio_X509(certBio.get(), nullptr, nullptr, nullptr);
    if (!leaf)
        return QStringLiteral("cannot read the certificate: %1").arg(takeOpenSslError());
    const int usedLeaf = SSL_CTX_use_certificate(ctx.get(), leaf);
    X509_free(leaf);
    if (usedLeaf != 1)
        return QStringLiteral("cannot use the certificate: %1").arg(takeOpenSslError());
    while (X509* extra = PEM_read_bio_X509(certBio.get(), nullptr, nullptr, nullptr)) {
        if (SSL_CTX_add0_chain_cert(ctx.get(), extra) != 1) {
            X509_free(extra);
            return QStringLiteral("cannot use the certificate chain: %1").arg(takeOpenSslError());
        }
    }
    ERR_clear_error(); // the loop above ends on a "no start line" error

    BioPtr keyBio(BIO_new_mem_buf(privateKeyPem.constData(), int(privateKeyPem.size())));
    EVP_PKEY* key = PEM_read_bio_PrivateKey(keyBio.get(), nullptr, nullptr, nullptr);
    if (!key)
        return QStringLiteral("cannot read the private key: %1").arg(takeOpenSslError());
    const int usedKey = SSL_CTX_use_PrivateKey(ctx.get(), key);
    EVP_PKEY_free(key);
    if (usedKey != 1 || SSL_CTX_check_private_key(ctx.get()) != 1)
        return QStringLiteral("the private key does not match the certificate: %1")
            .arg(takeOpenSslError());

    if (!echPem.isEmpty()) {
        EchStorePtr store(OSSL_ECHSTORE_new(nullptr, nullptr));
        BioPtr echBio(BIO_new_mem_buf(echPem.constData(), int(echPem.size())));
        // Loaded from PEM (not used straight from OSSL_ECHSTORE_new_config): a store made in
        // memory was seen to treat every ECH as GREASE.
        if (!store || OSSL_ECHSTORE_read_pem(store.get(), echBio.get(), OSSL_ECH_FOR_RETRY) != 1)
            return QStringLiteral("cannot read the ECH key: %1").arg(takeOpenSslError());
        if (SSL_CTX_set1_echstore(ctx.get(), store.get()) != 1)
            return QStringLiteral("cannot enable ECH: %1").arg(takeOpenSslError());
    }
    return std::shared_ptr<TlsServerContext>(new TlsServerContext(std::move(ctx)));
}

} // namespace echw
