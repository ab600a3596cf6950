#include "desktop/ProxySettingsBackend.h"

namespace echw {

QStringList defaultProxyBypass()
{
    return {
        QStringLiteral("localhost"),     QStringLiteral("127.0.0.0/8"),
        QStringLiteral("::1"),           QStringLiteral("169.254.0.0/16"),
        QStringLiteral("fe80::/10"),     QStringLiteral("10.0.0.0/8"),
        QStringLiteral("172.16.0.0/12"), QStringLiteral("192.168.0.0/16"),
        QStringLiteral("fc00::/7"),      QStringLiteral("*.local"),
    };
}

QString SystemProxyError::text() const
{
    const auto arg = [this](int i) {
        return i < args.size() ? args.at(i) : QString();
    };
    switch (code) {
    case Code::Unsupported:
        return QStringLiteral("this desktop (%1) has no proxy setting that ECH Workers knows "
                              "how to change: set the environment in your shell instead")
            .arg(arg(0).isEmpty() ? QStringLiteral("unknown") : arg(0));
    case Code::ToolFailed:
        return arg(2).isEmpty() ? QStringLiteral("%1 failed: %2").arg(arg(0), arg(1))
                                : QStringLiteral("%1 failed: %2: %3").arg(arg(0), arg(1), arg(2));
    case Code::ToolTimedOut:
        return QStringLiteral("%1 did not finish within %2 ms").arg(arg(0), arg(1));
    case Code::RecoveryFile:
        return QStringLiteral("the system proxy recovery file %1: %2").arg(arg(0), arg(1));
    case Code::BadValue:
        return QStringLiteral("unexpected value of %1: %2").arg(arg(0), arg(1));
    }
    return QString();
}

} // namespace echw
