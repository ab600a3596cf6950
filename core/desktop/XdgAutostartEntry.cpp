#include "XdgAutostartEntry.h"

#include "system/BoundedFile.h"
#include "system/PrivateFile.h"

#include <QFile>
#include <QStandardPaths>

namespace echw {

namespace {

// Desktop Entry Specification, "The Exec key": an argument holding one of these is quoted.
constexpr QStringView kReservedCharacters = u" \t\n\"'\\><~|&;$*?#()`";
// Inside double quotes these take a backslash.
constexpr QStringView kEscapedInQuotes = u"\"`$\\";

// One argument as the Exec key's own quoting wants it, or nothing for an argument that
// cannot be written (control characters have no place in a command line of a desktop entry).
std::optional<QString> execArgument(const QString& argument)
{
    bool needsQuotes = argument.isEmpty();
    for (QChar c : argument) {
        if (c.unicode() < 0x20 || c.unicode() == 0x7f)
            return std::nullopt;
        needsQuotes = needsQuotes || kReservedCharacters.contains(c);
    }
    QString quoted;
    if (!needsQuotes) {
        quoted = argument;
    } else {
        quoted += u'"';
        for (QChar c : argument) {
            if (kEscapedInQuotes.contains(c))
                quoted += u'\\';
            quoted += c;
        }
        quoted += u'"';
    }
    // A single '%' starts a field code (%f, %u, ...); a literal one is doubled.
    return quoted.replace(u'%', QStringLiteral("%%"));
}

// Whether the entry's [Desktop Entry] group leaves it on: Hidden=true (the spec's way to
// turn an autostart entry off) and X-GNOME-Autostart-enabled=false (GNOME's) turn it off.
bool entryIsOn(const QByteArray& text)
{
    bool inMainGroup = false;
    bool sawMainGroup = false;
    for (const QByteArray& rawLine : text.split('\n')) {
        const QByteArray line = rawLine.trimmed();
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        if (line.startsWith('[')) {
            inMainGroup = line == "[Desktop Entry]";
            sawMainGroup = sawMainGroup || inMainGroup;
            continue;
        }
        if (!inMainGroup)
            continue;
        const qsizetype equals = line.indexOf('=');
        if (equals < 0)
            continue;
        const QByteArray key = line.left(equals).trimmed();
        const QByteArray value = line.mid(equals + 1).trimmed();
        if (key == "Hidden" && value == "true")
            return false;
        if (key == "X-GNOME-Autostart-enabled" && value == "false")
            return false;
    }
    return sawMainGroup;
}

} // namespace

XdgAutostartEntry::XdgAutostartEntry(QString filePath, Launch launch)
    : m_path(std::move(filePath))
    , m_launch(std::move(launch))
{}

QString XdgAutostartEntry::defaultPath()
{
    // Qt reads $XDG_CONFIG_HOME and falls back to ~/.config, as the spec says.
    return QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation) +
           QStringLiteral("/autostart/ech-workers.desktop");
}

QString XdgAutostartEntry::execValue(const Launch& launch)
{
    QStringList words;
    for (const QString& argument : QStringList{launch.program} + launch.arguments) {
        const auto word = execArgument(argument);
        if (!word)
            return {};
        words.append(*word);
    }
    // The Exec value is a string value as well: its backslashes are escaped once more.
    return words.join(u' ').replace(u'\\', QStringLiteral("\\\\"));
}

std::optional<QByteArray> XdgAutostartEntry::entryText(const Launch& launch)
{
    const QString exec = execValue(launch);
    if (exec.isEmpty())
        return std::nullopt;
    return QByteArrayLiteral("[Desktop Entry]\n"
                             "Type=Application\n"
                             "Name=ECH Workers\n"
                             "Comment=Local SOCKS5 and HTTP proxy through a Cloudflare Worker\n"
                             "Exec=") +
           exec.toUtf8() +
           QByteArrayLiteral("\n"
                             "Terminal=false\n"
                             "X-GNOME-Autostart-enabled=true\n");
}

bool XdgAutostartEntry::isEnabled() const
{
    const auto text = readBoundedFile(m_path, kMaxEntryBytes);
    const auto* bytes = std::get_if<QByteArray>(&text);
    return bytes && entryIsOn(*bytes);
}

std::optional<QString> XdgAutostartEntry::setEnabled(bool enabled)
{
    if (!enabled) {
        QFile entry(m_path);
        if (entry.exists() && !entry.remove())
            return QStringLiteral("could not remove %1 (%2)").arg(m_path, entry.errorString());
        return std::nullopt;
    }

    const auto text = entryText(m_launch);
    if (!text)
        return QStringLiteral("could not write %1: the program's path %2 has a control "
                              "character in it")
            .arg(m_path, m_launch.program);
    // Replaced whole (the session reads the entry at login, never half of one); owner-only
    // does no harm, as only the user's own session starts it.
    return writePrivateFile(m_path, *text);
}

} // namespace echw
