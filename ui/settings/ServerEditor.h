#pragma once

#include "config/AppSettings.h"
#include "settings/SettingsWidgets.h"

#include <QWidget>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace echw {

// The form for one server. It edits a copy: edited() says a field changed and
// server() returns the copy with the fields as shown.
class ServerEditor final : public QWidget {
    Q_OBJECT
public:
    explicit ServerEditor(QWidget* parent = nullptr);

    // Shows server without emitting edited(); the token starts hidden.
    void setServer(const ServerProfile& server);
    ServerProfile server() const;

    // Messages by field key ("address", "token", ...), as validate() names them.
    void showIssues(const IssueMessages& messages);
    // Every issue shows, also those the form was filled with (OK was pressed).
    void revealIssues() { m_issues.revealAll(); }
    bool focusField(const QString& key);

Q_SIGNALS:
    void edited();

private:
    void updateEchFields();

    QString m_id;
    FieldIssues m_issues;
    QLineEdit* m_name = nullptr;
    QLineEdit* m_address = nullptr;
    QLineEdit* m_preferredIp = nullptr;
    QLineEdit* m_token = nullptr;
    SecretField* m_tokenField = nullptr;
    QLineEdit* m_dohServer = nullptr;
    QLineEdit* m_echDomain = nullptr;
    QCheckBox* m_withoutEch = nullptr;
    QLabel* m_withoutEchWarning = nullptr;
    QLineEdit* m_caFile = nullptr;
    QSpinBox* m_connectionLimit = nullptr;
    QSpinBox* m_warmPoolSize = nullptr;
};

} // namespace echw
