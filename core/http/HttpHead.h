#pragma once

#include "http/HttpBodyFraming.h"
#include "http/HttpError.h"
#include "http/HttpFields.h"

#include <QByteArray>
#include <QByteArrayView>

#include <variant>

namespace echw::http {

// A parsed request head: request line (RFC 9112 section 3), fields, and body framing.
struct RequestHead {
    QByteArray method;    // a token, case-sensitive (RFC 9110 section 9.1)
    QByteArray target;    // visible ASCII, exactly as sent
    int versionMinor = 1; // HTTP/1.<minor>
    Fields fields;
    BodyFraming framing;
};

// A parsed response head: status line (RFC 9112 section 4) and fields. The body's framing
// depends on the request (HEAD), so it is left to responseFraming().
struct ResponseHead {
    int status = 0; // 100..599
    QByteArray reason;
    int versionMinor = 1;
    Fields fields;
};

// Parse a head as HeadScanner delimits it (start line and field lines, each ending in CRLF,
// then the empty line). A request line is method SP request-target SP HTTP-version with single
// spaces (section 3); a version other than HTTP/1.x is 505, a malformed one 400. A status line
// is HTTP/1.x SP 3DIGIT SP reason (the SP before an empty reason may be missing, as senders
// do). The request's framing is checked (requestFraming) as part of the head.
std::variant<RequestHead, Error> parseRequestHead(QByteArrayView head);
std::variant<ResponseHead, Error> parseResponseHead(QByteArrayView head);

} // namespace echw::http
