#include "desktop/KioProxyBackend.h"

#include "desktop/DesktopTool.h"

#include <QLoggingCategory>

namespace echw {

namespace {

Q_LOGGING_CATEGORY(lcKio, "echw.desktop.kio")

const QString kFile = QStringLiteral("kioslaverc");
const QString kGroup = QStringLiteral("Proxy Settings");
const QString kProxyType = QStringLiteral("ProxyType");
// kreadconfig prints its --default for a key that is not in the file: this text, which no
// proxy setting holds, tells an absent key from an empty one.
const QString kAbsent = QStringLiteral("echw-absent-key-7f3a9c");

QStringList keys()
{
    return {kProxyType,
            QStringLiteral("httpProxy"),
            QStringLiteral("httpsProxy"),
            QStringLiteral("socksProxy"),
            QStringLiteral("NoProxyFor"),
            QStringLiteral("ReversedException")};
}

QStringList location(const QString& key)
{
    return {QStringLiteral("--file"), kFile, QStringLiteral("--group"), kGroup,
            QStringLiteral("--key"),  key};
}

} // namespace

KioProxyBackend::KioProxyBackend(Tools tools, int deadlineMs)
    : m_tools(std::move(tools))
    , m_deadlineMs(deadlineMs)
{}

std::optional<KioProxyBackend::Tools> KioProxyBackend::availableTools()
{
    for (const QString& version : {QStringLiteral("6"), QStringLiteral("5")}) {
        Tools tools{findDesktopTool({QStringLiteral("kreadconfig") + version}),
                    findDesktopTool({QStringLiteral("kwriteconfig") + version}),
                    findDesktopTool({QStringLiteral("dbus-send")})};
        if (!tools.read.isEmpty() && !tools.write.isEmpty())
            return tools;
    }
    return std::nullopt;
}

QString KioProxyBackend::id() const
{
    return QStringLiteral("kioslaverc");
}

std::variant<ProxySettingValues, SystemProxyError> KioProxyBackend::read()
{
    ProxySettingValues values;
    for (const QString& key : keys()) {
        auto output = runDesktopTool(
            m_tools.read, location(key) + QStringList{QStringLiteral("--default"), kAbsent},
            m_deadlineMs);
        if (auto* error = std::get_if<SystemProxyError>(&output))
            return *error;
        QString value = QString::fromUtf8(std::get<QByteArray>(output));
        if (value.endsWith(QLatin1Char('\n')))
            value.chop(1);
        if (value.contains(QLatin1Char('\n')))
            return SystemProxyError{SystemProxyError::Code::BadValue, {key, value}};
        values.insert(key, value == kAbsent ? std::nullopt : std::optional<QString>(value));
    }
    return values;
}

std::optional<SystemProxyError> KioProxyBackend::write(const ProxySettingValues& values)
{
    // ProxyType last when it turns the proxy on, first when it turns it off (see GSettings).
    QStringList order = keys();
    if (values.value(kProxyType) == QStringLiteral("1"))
        order.move(0, order.size() - 1);
    for (const QString& key : order) {
        if (!values.contains(key))
            continue;
        const std::optional<QString> value = values.value(key);
        const QStringList arguments = value
                                          ? location(key) + QStringList{*value}
                                          : QStringList{QStringLiteral("--delete")} + location(key);
        auto output = runDesktopTool(m_tools.write, arguments, m_deadlineMs);
        if (auto* error = std::get_if<SystemProxyError>(&output))
            return *error;
    }
    if (m_tools.notify.isEmpty())
        return std::nullopt;
    // KIO 5 and 6 both listen for this signal (KIO 6 kept its name).
    auto notified =
        runDesktopTool(m_tools.notify,
                       {QStringLiteral("--session"), QStringLiteral("--type=signal"),
                        QStringLiteral("/KIO/Scheduler"),
                        QStringLiteral("org.kde.KIO.Scheduler.reparseSlaveConfiguration"),
                        QStringLiteral("string:")},
                       m_deadlineMs);
    // The file is written either way; without a session bus, KDE applications read it when
    // they start.
    if (auto* error = std::get_if<SystemProxyError>(&notified))
        qCWarning(lcKio).noquote() << "could not tell KDE applications:" << error->text();
    return std::nullopt;
}

ProxySettingValues KioProxyBackend::valuesFor(const SystemProxyTarget& target) const
{
    // The form KDE's own proxy settings page writes: scheme, host, a space, the port.
    const QString endpoint = target.host + QLatin1Char(' ') + QString::number(target.port);
    return {
        {kProxyType, QStringLiteral("1")},
        {QStringLiteral("httpProxy"), QStringLiteral("http://") + endpoint},
        {QStringLiteral("httpsProxy"), QStringLiteral("http://") + endpoint},
        {QStringLiteral("socksProxy"), QStringLiteral("socks://") + endpoint},
        {QStringLiteral("NoProxyFor"), target.bypass.join(QLatin1Char(','))},
        {QStringLiteral("ReversedException"), QStringLiteral("false")},
    };
}

} // namespace echw
