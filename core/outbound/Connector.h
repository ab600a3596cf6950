#pragma once

#include "net/ByteStream.h"
#include "net/ConnectError.h"
#include "net/TargetAddress.h"

#include <QObject>

#include <functional>
#include <memory>
#include <variant>

namespace echw {

class ConnectionEntry;

// Opens a stream to a target: directly, or later through the tunnel. Each open() returns a
// handle; destroying the handle cancels the attempt, and then the callback is never called.
class Connector {
public:
    using Result = std::variant<std::unique_ptr<ByteStream>, ConnectError>;
    using Callback = std::function<void(Result)>;

    virtual ~Connector() = default;
    // `earlyData` is what the client already sent for the target; it is delivered before any
    // byte written to the returned stream (inside the tunnel set-up where that saves a round
    // trip). `entry` (may be null) is the dashboard's record of the connection: a connector
    // that decides the route tells it there.
    virtual std::unique_ptr<QObject> open(const TargetAddress& target, QByteArray earlyData,
                                          Callback callback, ConnectionEntry* entry) = 0;
};

} // namespace echw
