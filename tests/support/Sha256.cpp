#include "Sha256.h"

#include <openssl/evp.h>

namespace echw::test {

void Sha256::ContextDeleter::operator()(evp_md_ctx_st* context) const
{
    EVP_MD_CTX_free(context);
}

Sha256::Sha256()
    : m_context(EVP_MD_CTX_new())
{
    if (!m_context)
        qFatal("Sha256: out of memory");
    start();
}

Sha256::~Sha256() = default;

void Sha256::start()
{
    // SHA-256 is compiled into every OpenSSL build; failing here means a broken installation, which
    // no test could recover from.
    if (EVP_DigestInit_ex(m_context.get(), EVP_sha256(), nullptr) != 1)
        qFatal("Sha256: OpenSSL cannot initialise SHA-256");
    m_length = 0;
}

void Sha256::addData(QByteArrayView data)
{
    if (data.isEmpty())
        return;
    if (EVP_DigestUpdate(m_context.get(), data.data(), size_t(data.size())) != 1)
        qFatal("Sha256: EVP_DigestUpdate failed");
    m_length += quint64(data.size());
}

QByteArray Sha256::hexResult()
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digestSize = 0;
    if (EVP_DigestFinal_ex(m_context.get(), digest, &digestSize) != 1)
        qFatal("Sha256: EVP_DigestFinal_ex failed");
    start();
    return QByteArray(reinterpret_cast<const char*>(digest), qsizetype(digestSize)).toHex();
}

} // namespace echw::test
