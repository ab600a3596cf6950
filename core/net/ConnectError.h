#pragma once

#include <QString>

namespace echw {

// Why an outbound connection could not be made; mapped to a SOCKS5 reply code or an HTTP
// status at the edge.
struct ConnectError {
    enum class Kind {
        NameNotResolved, // the target's name has no address
        Refused,         // the target answered with a reset
        Unreachable,     // no route, network down
        TimedOut,        // the deadline passed
        Blocked,         // a user rule forbids the target
        Failed,          // anything else
    };
    Kind kind = Kind::Failed;
    QString message;
};

} // namespace echw
