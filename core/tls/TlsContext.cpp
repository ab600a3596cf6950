#include "TlsContext.h"

#include <QFile>

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

// Where distributions keep the bundle of trusted roots.
constexpr const char* kTrustBundles[] = {
    "/etc/ssl/certs/ca-certificates.crt", // Debian, Ubuntu, Arch, Alpine
    "/etc/pki/tls/certs/ca-bundle.crt",   // Fedora, RHEL
    "/etc/ssl/ca-bundle.pem",             // openSUSE
    "/etc/ssl/cert.pem",                  // macOS, BSDs
};

bool loadTrustStore(SSL_CTX* ctx)
{
    bool loaded = false;
    const QByteArray envFile = qgetenv("SSL_CERT_FILE");
    const QByteArray envDir = qgetenv("SSL_CERT_DIR");
    if (!envFile.isEmpty())
        loaded = SSL_CTX_load_verify_file(ctx, envFile.constData()) == 1 || loaded;
    if (!envDir.isEmpty()) {
        for (const QByteArray& dir : envDir.split(':'))
            loaded = SSL_CTX_load_verify_dir(ctx, dir.constData()) == 1 || loaded;
    }
    if (envFile.isEmpty() && envDir.isEmpty()) {
        for (const char* bundle : kTrustBundles) {
            if (QFile::exists(QString::fromLatin1(bundle)) &&
                SSL_CTX_load_verify_file(ctx, bundle) == 1) {
                loaded = true;
                break;
            }
        }
    }
    ERR_clear_error();
    return loaded;
}

// Whether loadTrustStore() has anything to load.
bool trustStoreFound()
{
    if (!qEnvironmentVariableIsEmpty("SSL_CERT_FILE") ||
        !qEnvironmentVariableIsEmpty("SSL_CERT_DIR"))
        return true;
    return std::any_of(std::begin(kTrustBundles), std::end(kTrustBundles), [](const char* bundle) {
        return QFile::exists(QString::fromLatin1(bundle));
    });
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
    if (!extraCaFile.isEmpty()) {
        QFile file(extraCaFile);
        if (!file.open(QIODevice::ReadOnly))
            return QStringLiteral("cannot load CA certificates from %1: %2")
                .arg(extraCaFile, file.errorString());
        // A quick look, not a parse: the parse is part of building the context.
        if (!file.read(1024 * 1024).contains("-----BEGIN CERTIFICATE-----"))
            return QStringLiteral("cannot load CA certificates from %1: no PEM certificate in it")
                .arg(extraCaFile);
    } else if (!trustStoreFound()) {
        return QStringLiteral("no system trust store found (looked in /etc/ssl and /etc/pki); "
                              "set SSL_CERT_FILE or give a CA file");
    }
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
        loadTrustStore(ctx.get());
        // Checked in create(); should the file have changed since, its roots are missing and
        // servers that need them fail verification: nothing is trusted that was not before.
        if (!m_extraCaFile.isEmpty() &&
            SSL_CTX_load_verify_file(ctx.get(), QFile::encodeName(m_extraCaFile).constData()) != 1)
            qWarning("cannot load CA certificates from %s: %s", qPrintable(m_extraCaFile),
                     qPrintable(takeOpenSslError()));
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
