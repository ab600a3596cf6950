#include "ProxyCredentials.h"

#include "http/HttpSyntax.h"

#include <QCryptographicHash>

#include <openssl/crypto.h>

namespace echw {

namespace {

// Hashing first makes the inputs the same length, so CRYPTO_memcmp's constant-time compare
// also hides the length of the secret.
bool equalsInConstantTime(QByteArrayView given, QByteArrayView expected)
{
    const QByteArray a = QCryptographicHash::hash(given, QCryptographicHash::Sha256);
    const QByteArray b = QCryptographicHash::hash(expected, QCryptographicHash::Sha256);
    return CRYPTO_memcmp(a.constData(), b.constData(), std::size_t(a.size())) == 0;
}

} // namespace

ProxyCredentials::ProxyCredentials(QByteArray user, QByteArray password)
    : m_user(std::move(user))
    , m_password(std::move(password))
{}

bool ProxyCredentials::matches(QByteArrayView user, QByteArrayView password) const
{
    // Both compared every time, so a right user name with a wrong password takes as long as
    // a wrong user name.
    const bool userMatches = equalsInConstantTime(user, m_user);
    const bool passwordMatches = equalsInConstantTime(password, m_password);
    return isRequired() && userMatches && passwordMatches;
}

bool ProxyCredentials::acceptsBasicAuthorization(QByteArrayView fieldValue) const
{
    // RFC 7235 section 2.1: credentials = auth-scheme [ 1*SP token68 ]; the scheme is
    // case-insensitive (RFC 7617 section 2).
    constexpr QByteArrayView kScheme("Basic");
    const QByteArrayView value = fieldValue.trimmed();
    if (value.size() <= kScheme.size() || value[kScheme.size()] != ' ' ||
        !http::equalsIgnoringCase(value.first(kScheme.size()), kScheme))
        return false;
    const QByteArrayView token68 = value.sliced(kScheme.size()).trimmed();
    const auto decoded = QByteArray::fromBase64Encoding(token68.toByteArray(),
                                                        QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return false;
    // RFC 7617 section 2: user-id and password are split at the first colon.
    const qsizetype colon = decoded.decoded.indexOf(':');
    if (colon < 0)
        return false;
    return matches(QByteArrayView(decoded.decoded).first(colon),
                   QByteArrayView(decoded.decoded).sliced(colon + 1));
}

} // namespace echw
