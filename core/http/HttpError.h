#pragma once

#include <QByteArray>

namespace echw::http {

// Why a message was refused: the status a server answers with (400 malformed, 414 request
// line too long, 431 head too large, 501 unsupported coding, 505 version) and a short reason
// for the log and the error body. Readers of responses keep the reason and ignore the status.
struct Error {
    int status = 400;
    QByteArray reason;
};

} // namespace echw::http
