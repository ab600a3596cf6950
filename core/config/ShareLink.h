#pragma once

#include "config/AppSettings.h"

#include <QString>

#include <variant>

namespace echw {

// A server profile as one ech-workers:// URL, to hand a server to another
// machine or person. Every field except the id travels as a query item; values
// equal to ServerProfile's defaults are left out. The token only travels when
// the caller asks for it. A CA file travels as the certificates in it (each its
// own "ca" item, base64url DER), never as its path: a path means nothing on
// another machine and tells of this one.
//
//   ech-workers://server?v=1&name=Tokyo&address=w.example%3A443%2Fws&token=...

// Links longer than this are refused unread: a pasted page, not a link.
constexpr qsizetype kMaxShareLinkLength = 8 * 1024;

// At most this many certificates travel in a link (a CA and an intermediate or two).
constexpr qsizetype kMaxShareLinkCertificates = 4;

// `caCertificates` (DER) stand for server.caFile, whose path is left out.
QString shareLinkFor(const ServerProfile& server, bool includeToken,
                     const QList<QByteArray>& caCertificates = {});

struct SharedServer {
    ServerProfile server; // caFile empty: the receiver stores caCertificates and points at them
    QList<QByteArray> caCertificates; // DER as the link carried it, not yet checked
};

// The server in the link with a fresh id, or a sentence naming the field that is
// wrong. Unknown keys are ignored so newer versions can add fields (and a
// "caFile" path of older links is ignored: it was never usable elsewhere). The
// server is checked like one typed into the settings dialog. Errors never quote
// the token.
std::variant<SharedServer, QString> serverFromShareLink(const QString& link);

} // namespace echw
