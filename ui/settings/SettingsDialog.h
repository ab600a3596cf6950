#pragma once

#include "config/AppSettings.h"

#include <QDialog>
#include <QList>

class QLabel;
class QListView;
class QPushButton;
class QStackedWidget;
class QTabWidget;

namespace echw {

class GeneralPage;
class ServerEditor;
class ServerListModel;

// Edits a copy of the app's settings: the servers (list and form) on one tab,
// the rest on another. Every edit is validated at once and each problem shown
// next to its field; OK and Apply only hand the settings on when there are none.
class SettingsDialog final : public QDialog {
    Q_OBJECT
public:
    explicit SettingsDialog(const AppSettings& settings, QWidget* parent = nullptr);

    // The edited settings, as shown, valid or not.
    AppSettings settings() const;
    // Shows that server's page.
    void selectServer(const QString& id);
    // What the Add button does: a new, empty, selected server.
    void addServer();
    // What the Import button does once a file is chosen: merges the reference
    // GUI's config.json into the edited settings and reports what happened.
    void importLegacyFile(const QString& path);
    // Offers the "Start at login" box on the General page, checked as given.
    void setStartAtLogin(bool enabled);
    // Where the CA certificates of servers added from share links are kept (owner-only);
    // empty: such links are refused.
    void setCertificateDirectory(const QString& directory) { m_certificateDirectory = directory; }

Q_SIGNALS:
    // OK or Apply was pressed and validate() found nothing.
    void applied(const echw::AppSettings& settings);
    // Right after applied(), when the "Start at login" box is offered: its state.
    void startAtLoginChosen(bool enabled);

private:
    QWidget* createServersTab();
    void load(const AppSettings& settings);
    int currentRow() const;
    void selectRow(int row);
    void showCurrentServer();
    void updateButtons();
    void revalidate();
    bool apply();
    void showFirstIssue();
    void insertServer(int row, const ServerProfile& server);

    void duplicateServer();
    void deleteServer();
    void moveServer(int by);
    void useServer();
    void chooseLegacyFile();
    void copyShareLink();
    void addFromShareLink();

    QList<SettingsIssue> m_issues;
    bool m_issuesRevealed = false; // OK or Apply found issues once
    QString m_certificateDirectory;
    ServerListModel* m_model = nullptr;
    QTabWidget* m_tabs = nullptr;
    QWidget* m_serversTab = nullptr;
    GeneralPage* m_general = nullptr;
    QListView* m_list = nullptr;
    QLabel* m_activeServerError = nullptr;
    QStackedWidget* m_editorStack = nullptr;
    ServerEditor* m_editor = nullptr;
    QLabel* m_status = nullptr;
    QPushButton* m_duplicate = nullptr;
    QPushButton* m_delete = nullptr;
    QPushButton* m_moveUp = nullptr;
    QPushButton* m_moveDown = nullptr;
    QPushButton* m_useServer = nullptr;
    QPushButton* m_copyShareLink = nullptr;
};

} // namespace echw
