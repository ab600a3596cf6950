// An ECHConfigList (RFC 9849 section 4) as it arrives in a DNS answer or as retry configs: our
// shape check, then OpenSSL's parser, which the TLS client hands every list that passes it.

#include "FuzzSupport.h"
#include "ech/DnsMessage.h"
#include "tls/OpenSslHandles.h"

#include <openssl/err.h>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QByteArrayView list = echw::fuzz::bytesOf(data, size);
    const auto problem = echw::validateEchConfigList(list);
    if (problem) {
        ECHW_FUZZ_CHECK(!problem->isEmpty());
        return 0;
    }
    ECHW_FUZZ_CHECK(list.size() >= 6);
    static const echw::SslCtxPtr context(SSL_CTX_new(TLS_client_method()));
    ECHW_FUZZ_CHECK(context != nullptr);
    const echw::SslPtr ssl(SSL_new(context.get()));
    ECHW_FUZZ_CHECK(ssl != nullptr);
    // Accepted or refused, it must not crash or leak; the TLS client reports a refusal.
    SSL_set1_ech_config_list(ssl.get(), reinterpret_cast<const uint8_t*>(list.data()),
                             size_t(list.size()));
    ERR_clear_error();
    return 0;
}
