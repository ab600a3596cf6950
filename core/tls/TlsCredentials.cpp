#include "TlsCredentials.h"

#include "tls/OpenSslHandles.h"

#include <QHostAddress>

#include <openssl/evp.h>
#include <openssl/hpke.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

namespace echw {

namespace {

using PkeyPtr = std::unique_ptr<EVP_PKEY, OpenSslDeleter<EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, OpenSslDeleter<X509_free>>;

QByteArray bioContents(BIO* bio)
{
    char* data = nullptr;
    const long length = BIO_get_mem_data(bio, &data);
    return length > 0 ? QByteArray(data, length) : QByteArray();
}

bool addExtension(X509* certificate, int nid, const QByteArray& value)
{
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, certificate, certificate, nullptr, nullptr, 0);
    X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.constData());
    if (!extension)
        return false;
    const bool added = X509_add_ext(certificate, extension, -1) == 1;
    X509_EXTENSION_free(extension);
    return added;
}

} // namespace

std::variant<CertificatePair, QString> generateSelfSignedCertificate(const QStringList& names,
                                                                     int validDays)
{
    if (names.isEmpty())
        return QStringLiteral("a certificate needs at least one name");
    PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    X509Ptr certificate(X509_new());
    if (!key || !certificate)
        return QStringLiteral("cannot generate a key: %1").arg(takeOpenSslError());

    unsigned char serial[16];
    RAND_bytes(serial, sizeof serial);
    serial[0] &= 0x7f; // a positive serial number (RFC 5280 section 4.1.2.2)
    BIGNUM* serialNumber = BN_bin2bn(serial, sizeof serial, nullptr);
    BN_to_ASN1_INTEGER(serialNumber, X509_get_serialNumber(certificate.get()));
    BN_free(serialNumber);

    X509_set_version(certificate.get(), X509_VERSION_3);
    X509_gmtime_adj(X509_getm_notBefore(certificate.get()), -3600);
    X509_time_adj_ex(X509_getm_notAfter(certificate.get()), validDays, 0, nullptr);
    X509_set_pubkey(certificate.get(), key.get());
    std::unique_ptr<X509_NAME, OpenSslDeleter<X509_NAME_free>> subject(X509_NAME_new());
    const QByteArray commonName = names.first().toUtf8();
    X509_NAME_add_entry_by_txt(subject.get(), "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(commonName.constData()), -1,
                               -1, 0);
    X509_set_subject_name(certificate.get(), subject.get());
    X509_set_issuer_name(certificate.get(), subject.get());

    QStringList altNames;
    for (const QString& name : names) {
        altNames << (QHostAddress(name).isNull() ? QStringLiteral("DNS:") : QStringLiteral("IP:")) +
                        name;
    }
    if (!addExtension(certificate.get(), NID_subject_alt_name, altNames.join(u',').toUtf8()) ||
        !addExtension(certificate.get(), NID_basic_constraints, "critical,CA:TRUE") ||
        !addExtension(certificate.get(), NID_key_usage, "critical,digitalSignature,keyCertSign") ||
        !addExtension(certificate.get(), NID_ext_key_usage, "serverAuth") ||
        !addExtension(certificate.get(), NID_subject_key_identifier, "hash"))
        return QStringLiteral("cannot build the certificate: %1").arg(takeOpenSslError());
    if (X509_sign(certificate.get(), key.get(), EVP_sha256()) <= 0)
        return QStringLiteral("cannot sign the certificate: %1").arg(takeOpenSslError());

    BioPtr certificateBio(BIO_new(BIO_s_mem()));
    BioPtr keyBio(BIO_new(BIO_s_mem()));
    if (PEM_write_bio_X509(certificateBio.get(), certificate.get()) != 1 ||
        PEM_write_bio_PrivateKey(keyBio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) !=
            1)
        return QStringLiteral("cannot write the certificate: %1").arg(takeOpenSslError());
    return CertificatePair{bioContents(certificateBio.get()), bioContents(keyBio.get())};
}

std::variant<QByteArray, QString> generateEchPem(const QString& publicName)
{
    EchStorePtr store(OSSL_ECHSTORE_new(nullptr, nullptr));
    const QByteArray name = publicName.toUtf8();
    const OSSL_HPKE_SUITE suite = OSSL_HPKE_SUITE_DEFAULT;
    if (!store || OSSL_ECHSTORE_new_config(store.get(), OSSL_ECH_CURRENT_VERSION, 0,
                                           name.constData(), suite) != 1)
        return QStringLiteral("cannot generate an ECH key for %1: %2")
            .arg(publicName, takeOpenSslError());
    BioPtr out(BIO_new(BIO_s_mem()));
    if (OSSL_ECHSTORE_write_pem(store.get(), OSSL_ECHSTORE_LAST, out.get()) != 1)
        return QStringLiteral("cannot write the ECH key: %1").arg(takeOpenSslError());
    return bioContents(out.get());
}

QByteArray echConfigListFromPem(const QByteArray& echPem)
{
    static const QByteArray begin = QByteArrayLiteral("-----BEGIN ECHCONFIG-----");
    static const QByteArray end = QByteArrayLiteral("-----END ECHCONFIG-----");
    const qsizetype from = echPem.indexOf(begin);
    if (from < 0)
        return {};
    const qsizetype to = echPem.indexOf(end, from);
    if (to < 0)
        return {};
    QByteArray body = echPem.mid(from + begin.size(), to - from - begin.size());
    body = body.simplified().replace(' ', QByteArray());
    auto decoded = QByteArray::fromBase64Encoding(body, QByteArray::AbortOnBase64DecodingErrors);
    return decoded ? *decoded : QByteArray();
}

} // namespace echw
