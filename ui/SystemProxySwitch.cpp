#include "SystemProxySwitch.h"

#include <QHostAddress>
#include <QLoggingCategory>

namespace echw {

namespace {

Q_LOGGING_CATEGORY(lcSwitch, "echw.app.systemproxy")

void logOutcome(const SystemProxy::Outcome& outcome, const QString& when)
{
    const QString prefix = when.isEmpty() ? QString() : when + QLatin1Char(' ');
    if (!outcome.restored.isEmpty())
        qCInfo(lcSwitch).noquote()
            << prefix + QStringLiteral("put the desktop's proxy settings back:")
            << outcome.restored.join(QStringLiteral(", "));
    if (!outcome.leftAlone.isEmpty())
        qCInfo(lcSwitch).noquote()
            << prefix + QStringLiteral("left the desktop's proxy settings alone, another "
                                       "program changed them since:")
            << outcome.leftAlone.join(QStringLiteral(", "));
}

} // namespace

std::optional<SystemProxyTarget> systemProxyTargetFor(const QString& listenAddress)
{
    const int colon = listenAddress.lastIndexOf(QLatin1Char(':'));
    if (colon <= 0)
        return std::nullopt;
    bool ok = false;
    const uint port = listenAddress.mid(colon + 1).toUInt(&ok);
    if (!ok || port == 0 || port > 65535)
        return std::nullopt;
    QString host = listenAddress.left(colon);
    if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
        host = host.mid(1, host.size() - 2);
    const QHostAddress address(host);
    if (address.isNull())
        return std::nullopt;
    if (address == QHostAddress::AnyIPv4 || address == QHostAddress::Any)
        host = QStringLiteral("127.0.0.1");
    else if (address == QHostAddress::AnyIPv6)
        host = QStringLiteral("::1");
    return SystemProxyTarget{host, quint16(port), defaultProxyBypass()};
}

SystemProxySwitch::SystemProxySwitch(std::unique_ptr<SystemProxy> proxy, QObject* parent)
    : QObject(parent)
    , m_proxy(std::move(proxy))
{}

SystemProxySwitch::~SystemProxySwitch()
{
    // The owner calls proxyStopped() on quit; this is the last chance when it did not.
    if (isActive())
        logOutcome(m_proxy->restore(), QStringLiteral("at exit:"));
}

QString SystemProxySwitch::unsupportedReason() const
{
    if (!m_proxy)
        return tr("The system proxy is not available in this run.");
    return SystemProxyError{SystemProxyError::Code::Unsupported, {m_proxy->desktop()}}.text();
}

void SystemProxySwitch::recover()
{
    if (!m_proxy || !m_proxy->isSet())
        return;
    const SystemProxy::Outcome outcome = m_proxy->restore();
    logOutcome(outcome, QStringLiteral("after an earlier run that did not end cleanly:"));
    if (outcome.error)
        Q_EMIT failed(*outcome.error);
}

void SystemProxySwitch::setWanted(bool wanted)
{
    m_wanted = wanted;
    apply();
}

void SystemProxySwitch::proxyRunning(const QString& listenAddress)
{
    m_running = systemProxyTargetFor(listenAddress);
    apply();
}

void SystemProxySwitch::proxyStopped()
{
    m_running.reset();
    apply();
}

QString SystemProxySwitch::environmentCommands() const
{
    return m_running ? proxyEnvironmentCommands(*m_running) : QString();
}

void SystemProxySwitch::apply()
{
    if (!m_proxy)
        return;
    const bool before = m_proxy->isSet();
    if (m_wanted && m_running && m_proxy->supported()) {
        // Reconfiguring reports the same address again: nothing to write then.
        if (before && m_applied == m_running)
            return;
        m_applied.reset();
        if (auto error = m_proxy->set(*m_running))
            Q_EMIT failed(*error);
        else
            m_applied = m_running;
        if (m_applied)
            qCInfo(lcSwitch).noquote()
                << "the desktop's proxy points at" << m_running->host << m_running->port;
    } else if (before) {
        m_applied.reset();
        const SystemProxy::Outcome outcome = m_proxy->restore();
        logOutcome(outcome, QString());
        if (outcome.error)
            Q_EMIT failed(*outcome.error);
    }
    if (m_proxy->isSet() != before)
        Q_EMIT activeChanged(m_proxy->isSet());
}

} // namespace echw
