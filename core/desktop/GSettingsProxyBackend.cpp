#include "desktop/GSettingsProxyBackend.h"

#include "desktop/DesktopTool.h"

namespace echw {

namespace {

// Keys are "schema key", as gsettings takes them. The mode comes first: write() orders it.
const QString kMode = QStringLiteral("org.gnome.system.proxy mode");
const QString kIgnoreHosts = QStringLiteral("org.gnome.system.proxy ignore-hosts");
const QString kHttpHost = QStringLiteral("org.gnome.system.proxy.http host");
const QString kHttpPort = QStringLiteral("org.gnome.system.proxy.http port");
const QString kHttpsHost = QStringLiteral("org.gnome.system.proxy.https host");
const QString kHttpsPort = QStringLiteral("org.gnome.system.proxy.https port");
const QString kSocksHost = QStringLiteral("org.gnome.system.proxy.socks host");
const QString kSocksPort = QStringLiteral("org.gnome.system.proxy.socks port");

QStringList keys()
{
    return {kMode,      kIgnoreHosts, kHttpHost,  kHttpPort,
            kHttpsHost, kHttpsPort,   kSocksHost, kSocksPort};
}

// A GVariant string literal: single quotes, with backslash and quote escaped.
QString gvariantString(const QString& text)
{
    QString escaped = text;
    escaped.replace(QLatin1Char('\\'), QStringLiteral("\\\\"));
    escaped.replace(QLatin1Char('\''), QStringLiteral("\\'"));
    return QLatin1Char('\'') + escaped + QLatin1Char('\'');
}

QString gvariantStringArray(const QStringList& items)
{
    if (items.isEmpty())
        return QStringLiteral("@as []");
    QStringList quoted;
    for (const QString& item : items)
        quoted.append(gvariantString(item));
    return QLatin1Char('[') + quoted.join(QStringLiteral(", ")) + QLatin1Char(']');
}

} // namespace

GSettingsProxyBackend::GSettingsProxyBackend(QString program, int deadlineMs)
    : m_program(std::move(program))
    , m_deadlineMs(deadlineMs)
{}

QString GSettingsProxyBackend::availableTool()
{
    const QString program = findDesktopTool({QStringLiteral("gsettings")});
    if (program.isEmpty())
        return QString();
    const auto schema = runDesktopTool(
        program, {QStringLiteral("list-keys"), QStringLiteral("org.gnome.system.proxy")}, 3000);
    return std::holds_alternative<QByteArray>(schema) ? program : QString();
}

QString GSettingsProxyBackend::id() const
{
    return QStringLiteral("gsettings");
}

std::variant<ProxySettingValues, SystemProxyError> GSettingsProxyBackend::read()
{
    // One run for the schema and its children: "schema key value" per line, the value in
    // GVariant text (which may hold spaces). Only our keys are kept; the others (the proxy's
    // password among them) are dropped here.
    auto output = runDesktopTool(
        m_program, {QStringLiteral("list-recursively"), QStringLiteral("org.gnome.system.proxy")},
        m_deadlineMs);
    if (auto* error = std::get_if<SystemProxyError>(&output))
        return *error;
    const QStringList wanted = keys();
    ProxySettingValues values;
    const QStringList lines =
        QString::fromUtf8(std::get<QByteArray>(output)).split(QLatin1Char('\n'));
    for (const QString& line : lines) {
        const qsizetype schemaEnd = line.indexOf(QLatin1Char(' '));
        const qsizetype keyEnd = schemaEnd < 0 ? -1 : line.indexOf(QLatin1Char(' '), schemaEnd + 1);
        if (keyEnd < 0)
            continue;
        const QString key = line.left(keyEnd);
        if (wanted.contains(key))
            values.insert(key, line.mid(keyEnd + 1).trimmed());
    }
    for (const QString& key : wanted) {
        if (!values.contains(key) || values.value(key)->isEmpty())
            return SystemProxyError{
                SystemProxyError::Code::BadValue,
                {key, QStringLiteral("missing from gsettings list-recursively")}};
    }
    return values;
}

std::optional<SystemProxyError> GSettingsProxyBackend::write(const ProxySettingValues& values)
{
    // Applications watch the mode: with "manual" it goes last, after the hosts it points at;
    // any other mode goes first, so nothing reads half of the old manual settings.
    QStringList order = keys();
    const bool manual = values.value(kMode) == gvariantString(QStringLiteral("manual"));
    if (manual)
        order.move(0, order.size() - 1);
    for (const QString& key : order) {
        if (!values.contains(key))
            continue;
        const QStringList schemaAndKey = key.split(QLatin1Char(' '));
        const std::optional<QString> value = values.value(key);
        // Every key has a value in GSettings; an absent one goes back to its default.
        const QStringList arguments =
            value ? QStringList{QStringLiteral("set")} + schemaAndKey + QStringList{*value}
                  : QStringList{QStringLiteral("reset")} + schemaAndKey;
        auto output = runDesktopTool(m_program, arguments, m_deadlineMs);
        if (auto* error = std::get_if<SystemProxyError>(&output))
            return *error;
    }
    return std::nullopt;
}

ProxySettingValues GSettingsProxyBackend::valuesFor(const SystemProxyTarget& target) const
{
    const QString host = gvariantString(target.host);
    const QString port = QString::number(target.port);
    return {
        {kMode, gvariantString(QStringLiteral("manual"))},
        {kIgnoreHosts, gvariantStringArray(target.bypass)},
        {kHttpHost, host},
        {kHttpPort, port},
        {kHttpsHost, host},
        {kHttpsPort, port},
        {kSocksHost, host},
        {kSocksPort, port},
    };
}

} // namespace echw
