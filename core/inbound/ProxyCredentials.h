#pragma once

#include <QByteArray>
#include <QByteArrayView>

namespace echw {

// The user name and password a client of the local proxy must present: SOCKS5 username/
// password (RFC 1929) or HTTP Basic in Proxy-Authorization (RFC 7617). Empty: no
// authentication. The password is a secret like the token: never logged, never quoted.
class ProxyCredentials {
public:
    ProxyCredentials() = default;
    // Both as UTF-8, which is what clients send for non-ASCII names.
    ProxyCredentials(QByteArray user, QByteArray password);

    bool isRequired() const { return !m_user.isEmpty(); }

    // Compares in constant time: how long it takes says nothing about how much matched.
    bool matches(QByteArrayView user, QByteArrayView password) const;
    // A Proxy-Authorization field value: "Basic" (any case) then base64(user ":" password).
    bool acceptsBasicAuthorization(QByteArrayView fieldValue) const;

private:
    QByteArray m_user;
    QByteArray m_password;
};

} // namespace echw
