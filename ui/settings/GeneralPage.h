#pragma once

#include "config/AppSettings.h"
#include "settings/SettingsWidgets.h"

#include <QWidget>

#include <optional>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;

namespace echw {

// The settings that are not per server: listen address and who may use the
// proxy, routing, lists, start-up and language.
class GeneralPage final : public QWidget {
    Q_OBJECT
public:
    explicit GeneralPage(QWidget* parent = nullptr);

    // Shows the general fields of settings without emitting edited().
    void setSettings(const AppSettings& settings);
    // Writes the fields as shown into settings; servers stay untouched.
    void applyTo(AppSettings& settings) const;

    // Messages by key ("listen", "rulesFile", ...), as validate() names them.
    void showIssues(const IssueMessages& messages);
    // Every issue shows, also those the form was filled with (OK was pressed).
    void revealIssues() { m_issues.revealAll(); }
    bool focusField(const QString& key);

    // "Start at login" is no field of AppSettings: its truth is the login item on disk. The
    // box is hidden until this is called (a platform without a login item never shows it).
    void setStartAtLogin(bool enabled);
    // The box as shown; nothing while it is not offered.
    std::optional<bool> startAtLogin() const;

Q_SIGNALS:
    void edited();

private:
    void updateRoutingHint();

    FieldIssues m_issues;
    QLineEdit* m_listen = nullptr;
    QLineEdit* m_authUser = nullptr;
    SecretField* m_authPassword = nullptr;
    QCheckBox* m_allowLan = nullptr;
    QComboBox* m_routing = nullptr;
    QLabel* m_routingHint = nullptr;
    QLineEdit* m_listDirectory = nullptr;
    QLineEdit* m_rulesFile = nullptr;
    QCheckBox* m_startMinimized = nullptr;
    QCheckBox* m_systemProxy = nullptr;
    QComboBox* m_theme = nullptr;
    QCheckBox* m_startAtLogin = nullptr;
    bool m_startAtLoginOffered = false;
    QComboBox* m_language = nullptr;
};

} // namespace echw
