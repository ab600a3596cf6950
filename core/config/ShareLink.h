#pragma once

#include "config/AppSettings.h"

#include <QString>

#include <variant>

namespace echw {

// A server profile as one ech-workers:// URL, to hand a server to another
// machine or person. Every field except the id travels as a query item; values
// equal to ServerProfile's defaults are left out. The token only travels when
// the caller asks for it.
//
//   ech-workers://server?v=1&name=Tokyo&address=w.example%3A443%2Fws&token=...

// Links longer than this are refused unread: a pasted page, not a link.
constexpr qsizetype kMaxShareLinkLength = 8 * 1024;

QString shareLinkFor(const ServerProfile& server, bool includeToken);

// The server in the link with a fresh id, or a sentence naming the field that is
// wrong. Unknown keys are ignored so newer versions can add fields. The server
// is checked like one typed into the settings dialog. Errors never quote the
// token.
std::variant<ServerProfile, QString> serverFromShareLink(const QString& link);

} // namespace echw
