#pragma once

#include <QString>

#include <openssl/bio.h>
#include <openssl/ech.h>
#include <openssl/ssl.h>

#include <memory>

namespace echw {

// Owning handles for the OpenSSL objects we hold, so no path can leak one.
template <auto Free> struct OpenSslDeleter {
    template <typename T> void operator()(T* p) const { Free(p); }
};

using SslCtxPtr = std::unique_ptr<SSL_CTX, OpenSslDeleter<SSL_CTX_free>>;
using SslPtr = std::unique_ptr<SSL, OpenSslDeleter<SSL_free>>;
using BioPtr = std::unique_ptr<BIO, OpenSslDeleter<BIO_free_all>>;
using EchStorePtr = std::unique_ptr<OSSL_ECHSTORE, OpenSslDeleter<OSSL_ECHSTORE_free>>;

// Takes the oldest error off OpenSSL's thread-local queue as text, clearing the rest.
QString takeOpenSslError();

} // namespace echw
