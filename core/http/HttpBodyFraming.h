#pragma once

#include "http/HttpError.h"
#include "http/HttpFields.h"

#include <variant>

namespace echw::http {

// How a message's body is delimited (RFC 9112 section 6.3).
struct BodyFraming {
    enum class Kind {
        None,           // no body at all
        Length,         // `length` bytes (Content-Length)
        Chunked,        // the chunked coding (section 7.1), ChunkedDecoder finds its end
        CloseDelimited, // responses only: the body ends when the connection closes
    };
    Kind kind = Kind::None;
    qint64 length = 0;
};

// Section 6.3 for a request of HTTP/1.<versionMinor>. Refused with 400, as a server must
// before closing: Transfer-Encoding together with Content-Length (sections 6.1 and 11.2: the
// classic smuggling pair), Transfer-Encoding in an HTTP/1.0 request (section 6.1: faulty
// framing), a coding list whose final coding is not chunked or that applies chunked twice
// (section 6.3 rule 4), and an invalid Content-Length (rule 6). Codings before the final
// chunked are the recipient's business; they do not change where the body ends.
std::variant<BodyFraming, Error> requestFraming(int versionMinor, const Fields& fields);

// Section 6.3 for a response with `status` to a request that was HEAD or not. No body for HEAD,
// 1xx, 204 and 304 (rule 1, whatever the fields say); chunked when it is the final coding, else
// close-delimited (rule 4). Refused as for requests: Transfer-Encoding with Content-Length (a
// response like that is an attack on the reader, rule 3, and we keep one rule for both
// directions), Transfer-Encoding over HTTP/1.0, chunked twice, an invalid Content-Length.
std::variant<BodyFraming, Error> responseFraming(bool requestWasHead, int status, int versionMinor,
                                                 const Fields& fields);

// RFC 9110 section 8.6: Content-Length = 1*DIGIT. Repeated fields or a list of identical values
// are taken as one value; any disagreement, a sign, a non-digit or an overflow is an error.
std::variant<qint64, Error> parseContentLength(QByteArrayView joinedValue);

} // namespace echw::http
