#pragma once

#include "config/AppSettings.h"

#include <QString>

#include <optional>

namespace echw {

// Loads and saves AppSettings as one JSON file at a path the caller chooses
// (the app uses QStandardPaths::AppConfigLocation + "/settings.json"). The file
// holds tokens, so it is written owner-only (0600), and atomically so a crash
// never leaves half a file.
class SettingsStore {
public:
    struct LoadResult {
        enum class Status {
            Loaded,     // settings come from the file
            Missing,    // no file yet: defaults
            MovedAside, // the file was unreadable or corrupt: moved to backupPath,
                        // defaults
            Failed,     // the file was unreadable or corrupt and could not be moved:
                        // defaults
        };
        Status status = Status::Missing;
        AppSettings settings;
        QString reason;     // MovedAside/Failed: what was wrong, for the user
        QString backupPath; // MovedAside: where the original bytes are now
    };

    explicit SettingsStore(QString path);

    const QString& path() const { return m_path; }

    LoadResult load();
    // nullopt on success, else why the file was left as it was.
    std::optional<QString> save(const AppSettings& settings);

private:
    QString moveAside(QString* error) const;

    QString m_path;
    // Set when load() found a bad file it could not move: saving would destroy
    // the only copy of what the user had, so save() refuses until a later load()
    // succeeds.
    bool m_protectExisting = false;
};

} // namespace echw
