#pragma once

#include <QLatin1StringView>
#include <QProcessEnvironment>
#include <QString>

#include <functional>
#include <optional>
#include <variant>

namespace echw {

// A secret file holds one line; anything this large is not a token or a password.
inline constexpr qint64 kMaxSecretFileSize = 4096;

struct SecretFileError {
    QString message; // names the file, never quotes its content
};

// The secret in a file, as -token-file and -auth-file take it: at most kMaxSecretFileSize
// bytes, UTF-8, trailing line breaks removed. Refused when it is empty or unreadable, and on
// POSIX when the group or others have any access to it: as ssh refuses a private key that is
// not private, since the file exists to keep the secret from other local users.
std::variant<QString, SecretFileError> readSecretFile(const QString& path);

// Where a secret came from, for error lines: "flag -token", "flag -token-file", "environment
// variable ECH_WORKERS_TOKEN".
struct Secret {
    QString value;
    QString origin;
};

// One secret that a command line takes three ways: `-NAME VALUE`, which every local user can
// read (/proc/PID/cmdline, ps), `-NAME-file FILE`, or an environment variable, which counts
// only when neither flag is given. Both flags together are an error rather than one silently
// winning; repeating the same flag keeps the last, as every other flag does.
class SecretOption {
public:
    // `what` names the secret in errors: "token", "login".
    SecretOption(QLatin1StringView flag, QLatin1StringView fileFlag,
                 QLatin1StringView environmentVariable, QLatin1StringView what);

    // Whether `flag` is -NAME or -NAME-file.
    bool handles(const QString& flag) const;
    // Checks a secret and stores it; returns an error line, or an empty string.
    using Use = std::function<QString(const Secret&)>;

    // For -NAME and -NAME-file as the flag parser reads them: hands the secret (the file's
    // content for -NAME-file) to `use`; returns an error line naming the flag, or use's.
    QString take(const QString& flag, const QString& value, const Use& use);
    // After the flags: hands the environment variable's secret to `use` when it is set and no
    // flag gave one.
    QString takeFromEnvironment(const QProcessEnvironment& environment, const Use& use) const;

private:
    QLatin1StringView m_flag;
    QLatin1StringView m_fileFlag;
    QLatin1StringView m_environmentVariable;
    QLatin1StringView m_what;
    std::optional<QString> m_givenAs; // the flag that gave the secret so far
};

} // namespace echw
