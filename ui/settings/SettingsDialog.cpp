#include "SettingsDialog.h"

#include "config/LegacyConfigImport.h"
#include "config/ShareLink.h"
#include "settings/GeneralPage.h"
#include "settings/ServerEditor.h"
#include "settings/ServerListModel.h"
#include "settings/SettingsWidgets.h"
#include "tls/CertificateFile.h"

#include <QClipboard>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QListView>
#include <QMessageBox>
#include <QPixmap>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QStackedWidget>
#include <QStyle>
#include <QTabWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <optional>

namespace echw {

namespace {

const QString kActiveServerIdField = QStringLiteral("activeServerId");

QPushButton* makeButton(const QString& text, const QString& objectName)
{
    auto* button = new QPushButton(text);
    button->setObjectName(objectName);
    button->setAutoDefault(false);
    return button;
}

} // namespace

SettingsDialog::SettingsDialog(const AppSettings& settings, QWidget* parent)
    : QDialog(parent)
    , m_model(new ServerListModel(this))
{
    setWindowTitle(tr("Settings"));
    setMinimumSize(760, 480);

    m_tabs = new QTabWidget;
    m_tabs->setObjectName(QStringLiteral("tabs"));
    m_serversTab = createServersTab();
    m_tabs->addTab(m_serversTab, tr("&Servers"));
    m_general = new GeneralPage;
    m_tabs->addTab(m_general, tr("&General"));

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel |
                                         QDialogButtonBox::Apply);
    buttons->setObjectName(QStringLiteral("buttonBox"));
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        if (apply())
            accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(buttons->button(QDialogButtonBox::Apply), &QPushButton::clicked, this,
            &SettingsDialog::apply);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_tabs, 1);
    layout->addWidget(buttons);

    connect(m_list->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &SettingsDialog::showCurrentServer);
    connect(m_editor, &ServerEditor::edited, this, [this] {
        if (const int row = currentRow(); row >= 0) {
            m_model->setServer(row, m_editor->server());
            revalidate();
        }
    });
    connect(m_general, &GeneralPage::edited, this, &SettingsDialog::revalidate);

    load(settings);
}

QWidget* SettingsDialog::createServersTab()
{
    m_list = new QListView;
    m_list->setObjectName(QStringLiteral("serverList"));
    m_list->setModel(m_model);
    m_list->setSelectionMode(QAbstractItemView::SingleSelection);
    m_list->setEditTriggers(QAbstractItemView::NoEditTriggers);
    const int iconSize = style()->pixelMetric(QStyle::PM_SmallIconSize);
    QPixmap blank(iconSize, iconSize);
    blank.fill(Qt::transparent);
    m_model->setIcons(style()->standardIcon(QStyle::SP_DialogApplyButton),
                      style()->standardIcon(QStyle::SP_MessageBoxWarning), QIcon(blank));
    m_list->setIconSize(QSize(iconSize, iconSize));
    m_activeServerError = makeErrorLabel(QStringLiteral("activeServerIdError"));

    auto* add = makeButton(tr("&Add"), QStringLiteral("addButton"));
    m_duplicate = makeButton(tr("D&uplicate"), QStringLiteral("duplicateButton"));
    m_delete = makeButton(tr("&Delete"), QStringLiteral("deleteButton"));
    m_moveUp = makeButton(tr("&Move up"), QStringLiteral("moveUpButton"));
    m_moveDown = makeButton(tr("Move d&own"), QStringLiteral("moveDownButton"));
    m_useServer = makeButton(tr("Use this ser&ver"), QStringLiteral("useServerButton"));
    m_useServer->setToolTip(tr("Connect through this server (shown in bold)"));
    connect(add, &QPushButton::clicked, this, &SettingsDialog::addServer);
    connect(m_duplicate, &QPushButton::clicked, this, &SettingsDialog::duplicateServer);
    connect(m_delete, &QPushButton::clicked, this, &SettingsDialog::deleteServer);
    connect(m_moveUp, &QPushButton::clicked, this, [this] { moveServer(-1); });
    connect(m_moveDown, &QPushButton::clicked, this, [this] { moveServer(+1); });
    connect(m_useServer, &QPushButton::clicked, this, &SettingsDialog::useServer);

    auto* listButtons = new QGridLayout;
    listButtons->addWidget(add, 0, 0);
    listButtons->addWidget(m_duplicate, 0, 1);
    listButtons->addWidget(m_delete, 0, 2);
    listButtons->addWidget(m_moveUp, 1, 0);
    listButtons->addWidget(m_moveDown, 1, 1);
    listButtons->addWidget(m_useServer, 2, 0, 1, 3);

    auto* listSide = new QWidget;
    listSide->setMinimumWidth(240);
    auto* listLayout = new QVBoxLayout(listSide);
    listLayout->setContentsMargins(0, 0, 0, 0);
    listLayout->addWidget(m_list, 1);
    listLayout->addWidget(m_activeServerError);
    listLayout->addLayout(listButtons);

    m_editor = new ServerEditor;
    m_editor->setObjectName(QStringLiteral("serverEditor"));
    auto* editorScroll = new QScrollArea;
    editorScroll->setWidgetResizable(true);
    editorScroll->setFrameShape(QFrame::NoFrame);
    editorScroll->setWidget(m_editor);
    // Blend in with the tab page rather than show a box.
    editorScroll->viewport()->setAutoFillBackground(false);
    m_editor->setAutoFillBackground(false);
    auto* emptyHint = new QLabel(tr("No servers yet. Add one, paste a share link or import the "
                                    "config.json of the previous ECH Workers client."));
    emptyHint->setWordWrap(true);
    emptyHint->setAlignment(Qt::AlignCenter);
    m_editorStack = new QStackedWidget;
    m_editorStack->addWidget(emptyHint);
    m_editorStack->addWidget(editorScroll);

    auto* splitter = new QSplitter;
    splitter->setChildrenCollapsible(false);
    splitter->addWidget(listSide);
    splitter->addWidget(m_editorStack);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({260, 500});

    auto* importButton = makeButton(tr("&Import config.json…"), QStringLiteral("importButton"));
    m_copyShareLink = makeButton(tr("&Copy share link…"), QStringLiteral("copyShareLinkButton"));
    auto* addFromLink =
        makeButton(tr("Add from share lin&k…"), QStringLiteral("addFromShareLinkButton"));
    connect(importButton, &QPushButton::clicked, this, &SettingsDialog::chooseLegacyFile);
    connect(m_copyShareLink, &QPushButton::clicked, this, &SettingsDialog::copyShareLink);
    connect(addFromLink, &QPushButton::clicked, this, &SettingsDialog::addFromShareLink);
    m_status = new QLabel;
    m_status->setObjectName(QStringLiteral("statusLabel"));

    auto* transferRow = new QHBoxLayout;
    transferRow->addWidget(importButton);
    transferRow->addWidget(m_copyShareLink);
    transferRow->addWidget(addFromLink);
    transferRow->addWidget(m_status, 1);

    auto* tab = new QWidget;
    auto* layout = new QVBoxLayout(tab);
    layout->addWidget(splitter, 1);
    layout->addLayout(transferRow);
    return tab;
}

AppSettings SettingsDialog::settings() const
{
    AppSettings settings;
    settings.servers = m_model->servers();
    settings.activeServerId = m_model->activeServerId();
    m_general->applyTo(settings);
    return settings;
}

void SettingsDialog::selectServer(const QString& id)
{
    const int row = m_model->rowOf(id);
    if (row < 0)
        return;
    m_tabs->setCurrentWidget(m_serversTab);
    selectRow(row);
}

void SettingsDialog::addServer()
{
    ServerProfile server;
    server.id = ServerProfile::newId();
    insertServer(m_model->rowCount(), server);
    m_editor->focusField(QStringLiteral("name"));
}

void SettingsDialog::importLegacyFile(const QString& path)
{
    const LegacyImport imported = importLegacyConfigFile(path);
    AppSettings merged = settings();
    const qsizetype before = merged.servers.size();
    imported.mergeInto(merged);
    const qsizetype added = merged.servers.size() - before;
    load(merged);
    if (added > 0)
        selectRow(int(before));

    QMessageBox report(this);
    report.setObjectName(QStringLiteral("importReport"));
    report.setWindowTitle(tr("Import config.json"));
    report.setIcon(imported.problems.isEmpty() ? QMessageBox::Information : QMessageBox::Warning);
    if (added == 0)
        report.setText(tr("No servers were added from %1.").arg(QDir::toNativeSeparators(path)));
    else if (added == 1)
        report.setText(tr("Added 1 server from %1.").arg(QDir::toNativeSeparators(path)));
    else
        report.setText(
            tr("Added %1 servers from %2.").arg(added).arg(QDir::toNativeSeparators(path)));
    if (!imported.problems.isEmpty()) {
        report.setInformativeText(tr("Not imported:") + QStringLiteral("\n• ") +
                                  imported.problems.join(QStringLiteral("\n• ")));
    }
    report.exec();
}

void SettingsDialog::setStartAtLogin(bool enabled)
{
    m_general->setStartAtLogin(enabled);
}

void SettingsDialog::load(const AppSettings& settings)
{
    m_model->setServers(settings.servers, settings.activeServerId);
    m_general->setSettings(settings);
    selectRow(std::max(0, m_model->rowOf(settings.activeServerId)));
    showCurrentServer();
}

int SettingsDialog::currentRow() const
{
    const QModelIndex current = m_list->currentIndex();
    return current.isValid() ? current.row() : -1;
}

void SettingsDialog::selectRow(int row)
{
    if (row >= 0 && row < m_model->rowCount())
        m_list->setCurrentIndex(m_model->index(row));
}

void SettingsDialog::showCurrentServer()
{
    const int row = currentRow();
    if (row >= 0)
        m_editor->setServer(m_model->server(row));
    m_editorStack->setCurrentIndex(row >= 0 ? 1 : 0);
    updateButtons();
    revalidate();
}

void SettingsDialog::updateButtons()
{
    const int row = currentRow();
    const bool selected = row >= 0;
    m_duplicate->setEnabled(selected);
    m_delete->setEnabled(selected);
    m_copyShareLink->setEnabled(selected);
    m_moveUp->setEnabled(row > 0);
    m_moveDown->setEnabled(selected && row < m_model->rowCount() - 1);
    m_useServer->setEnabled(selected && m_model->server(row).id != m_model->activeServerId());
}

void SettingsDialog::revalidate()
{
    m_issues = settings().validate();
    QHash<int, QStringList> byRow;
    QHash<int, IssueMessages> byRowAndKey;
    IssueMessages general;
    QStringList active;
    for (const SettingsIssue& issue : std::as_const(m_issues)) {
        const QString message = issue.message();
        if (issue.server != SettingsIssue::kGeneral) {
            byRow[issue.server].append(message);
            byRowAndKey[issue.server][issue.key].append(message);
        } else if (issue.key == kActiveServerIdField) {
            active.append(message);
        } else {
            general[issue.key].append(message);
        }
    }
    m_model->setIssues(byRow);
    m_editor->showIssues(byRowAndKey.value(currentRow()));
    m_general->showIssues(general);
    if (m_issuesRevealed) {
        m_editor->revealIssues();
        m_general->revealIssues();
    }
    setErrorText(m_activeServerError, active);

    // A blank icon of the same size when all is well: a tab that gains an icon grows, and the
    // form under it would move.
    const QIcon warning = style()->standardIcon(QStyle::SP_MessageBoxWarning);
    const QSize size = m_tabs->iconSize();
    QPixmap blankPixmap(size * devicePixelRatio());
    blankPixmap.setDevicePixelRatio(devicePixelRatio());
    blankPixmap.fill(Qt::transparent);
    const QIcon blank(blankPixmap);
    m_tabs->setTabIcon(m_tabs->indexOf(m_serversTab),
                       byRow.isEmpty() && active.isEmpty() ? blank : warning);
    m_tabs->setTabIcon(m_tabs->indexOf(m_general), general.isEmpty() ? blank : warning);
}

bool SettingsDialog::apply()
{
    revalidate();
    if (!m_issues.isEmpty()) {
        // From now on every issue shows, in whichever server is selected.
        m_issuesRevealed = true;
        showFirstIssue();
        m_editor->revealIssues();
        m_general->revealIssues();
        return false;
    }
    Q_EMIT applied(settings());
    if (const auto startAtLogin = m_general->startAtLogin())
        Q_EMIT startAtLoginChosen(*startAtLogin);
    return true;
}

void SettingsDialog::showFirstIssue()
{
    // A copy: selecting the row revalidates, which replaces m_issues.
    const SettingsIssue first = m_issues.first();
    if (first.server != SettingsIssue::kGeneral) {
        m_tabs->setCurrentWidget(m_serversTab);
        selectRow(first.server);
        // A broken id has no field of its own; the name is the nearest.
        if (!m_editor->focusField(first.key))
            m_editor->focusField(QStringLiteral("name"));
    } else if (first.key == kActiveServerIdField) {
        m_tabs->setCurrentWidget(m_serversTab);
        m_list->setFocus(Qt::OtherFocusReason);
    } else {
        m_tabs->setCurrentWidget(m_general);
        m_general->focusField(first.key);
    }
}

void SettingsDialog::insertServer(int row, const ServerProfile& server)
{
    m_model->insertServer(row, server);
    if (m_model->activeServerId().isEmpty() || m_model->rowOf(m_model->activeServerId()) < 0)
        m_model->setActiveServerId(server.id);
    m_tabs->setCurrentWidget(m_serversTab);
    selectRow(row);
    showCurrentServer();
}

void SettingsDialog::duplicateServer()
{
    const int row = currentRow();
    if (row < 0)
        return;
    ServerProfile copy = m_model->server(row);
    copy.id = ServerProfile::newId();
    copy.name = copyName(copy.name, m_model->names());
    insertServer(row + 1, copy);
}

void SettingsDialog::deleteServer()
{
    const int row = currentRow();
    if (row < 0)
        return;
    const ServerProfile server = m_model->server(row);
    const QString name = server.name.trimmed().isEmpty() ? tr("this server") : server.name;
    const auto answer =
        QMessageBox::question(this, tr("Delete server"), tr("Delete \"%1\"?").arg(name),
                              QMessageBox::Yes | QMessageBox::No, QMessageBox::No);
    if (answer != QMessageBox::Yes)
        return;
    const bool wasActive = server.id == m_model->activeServerId();
    m_model->removeServer(row);
    // Someone has to be in use while there are servers; the first is the
    // least surprising.
    if (wasActive)
        m_model->setActiveServerId(m_model->rowCount() > 0 ? m_model->server(0).id : QString());
    selectRow(std::min(row, m_model->rowCount() - 1));
    showCurrentServer();
}

void SettingsDialog::moveServer(int by)
{
    const int row = currentRow();
    const int to = row + by;
    if (row < 0 || to < 0 || to >= m_model->rowCount())
        return;
    m_model->moveServer(row, to);
    selectRow(to);
    showCurrentServer();
}

void SettingsDialog::useServer()
{
    const int row = currentRow();
    if (row < 0)
        return;
    m_model->setActiveServerId(m_model->server(row).id);
    updateButtons();
    revalidate();
}

void SettingsDialog::chooseLegacyFile()
{
    QString directory = QDir::homePath();
    for (const QString& candidate : legacyConfigCandidates()) {
        if (QFileInfo::exists(candidate)) {
            directory = candidate;
            break;
        }
    }
    const QString path = QFileDialog::getOpenFileName(this, tr("Import config.json"), directory,
                                                      tr("config.json (*.json);;All files (*)"));
    if (!path.isEmpty())
        importLegacyFile(path);
}

void SettingsDialog::copyShareLink()
{
    const int row = currentRow();
    if (row < 0)
        return;
    const ServerProfile server = m_model->server(row);
    bool includeToken = false;
    if (!server.token.isEmpty()) {
        QMessageBox question(QMessageBox::Question, tr("Copy share link"),
                             tr("Include the token in the link?"), QMessageBox::NoButton, this);
        question.setObjectName(QStringLiteral("shareTokenQuestion"));
        question.setInformativeText(
            tr("Anyone who has a link with the token can use this server. Without it, whoever "
               "receives the link types the token in themselves."));
        QPushButton* with = question.addButton(tr("Include token"), QMessageBox::YesRole);
        QPushButton* without = question.addButton(tr("Without token"), QMessageBox::NoRole);
        question.addButton(QMessageBox::Cancel);
        question.setDefaultButton(without);
        question.exec();
        if (question.clickedButton() != with && question.clickedButton() != without)
            return;
        includeToken = question.clickedButton() == with;
    }
    // The CA file travels as its certificates: its path means nothing elsewhere.
    QList<QByteArray> certificates;
    if (!server.caFile.isEmpty()) {
        auto read = readCertificateFile(server.caFile);
        if (const auto* reason = std::get_if<QString>(&read)) {
            m_status->setText(tr("No share link copied: the CA file %1 cannot be read (%2).")
                                  .arg(server.caFile, *reason));
            return;
        }
        certificates = std::get<QList<QByteArray>>(read);
        if (certificates.size() > kMaxShareLinkCertificates) {
            m_status->setText(tr("No share link copied: the CA file holds %1 certificates, a "
                                 "link carries at most %2.")
                                  .arg(certificates.size())
                                  .arg(kMaxShareLinkCertificates));
            return;
        }
    }
    const QString link = shareLinkFor(server, includeToken, certificates);
    if (link.size() > kMaxShareLinkLength) {
        m_status->setText(tr("No share link copied: with its CA certificates it would be longer "
                             "than a link may be (%1 KiB).")
                              .arg(kMaxShareLinkLength / 1024));
        return;
    }
    QGuiApplication::clipboard()->setText(link);
    m_status->setText(includeToken ? tr("Share link with the token copied.")
                                   : tr("Share link copied (without the token)."));
}

void SettingsDialog::addFromShareLink()
{
    QInputDialog input(this);
    input.setObjectName(QStringLiteral("shareLinkInput"));
    input.setWindowTitle(tr("Add from share link"));
    input.setLabelText(tr("Paste an ech-workers:// link:"));
    input.setInputMode(QInputDialog::TextInput);
    input.resize(560, input.sizeHint().height());
    const QString clipboard = QGuiApplication::clipboard()->text().trimmed();
    if (clipboard.startsWith(QStringLiteral("ech-workers://")))
        input.setTextValue(clipboard);
    if (input.exec() != QDialog::Accepted)
        return;

    const auto parsed = serverFromShareLink(input.textValue());
    if (const auto* error = std::get_if<QString>(&parsed)) {
        QString message = *error;
        if (!message.isEmpty())
            message[0] = message[0].toUpper();
        QMessageBox::warning(this, tr("Add from share link"), message + u'.');
        return;
    }
    SharedServer shared = std::get<SharedServer>(parsed);
    ServerProfile& server = shared.server;
    if (!shared.caCertificates.isEmpty()) {
        const auto saved = m_certificateDirectory.isEmpty()
                               ? decltype(saveCertificates({}, {}))(tr("no folder for them"))
                               : saveCertificates(m_certificateDirectory, shared.caCertificates);
        if (const auto* reason = std::get_if<QString>(&saved)) {
            QMessageBox::warning(
                this, tr("Add from share link"),
                tr("The share link's CA certificate cannot be used: %1.").arg(*reason));
            return;
        }
        server.caFile = std::get<SavedCertificates>(saved).path;
    }
    // The tray and the list tell servers apart by name: a taken one gets a copy's name.
    if (!server.name.isEmpty() && m_model->names().contains(server.name)) {
        server.name = copyName(server.name, m_model->names());
        m_status->setText(tr("Server added from the share link as \"%1\": a server with its "
                             "name exists.")
                              .arg(server.name));
    } else {
        m_status->setText(tr("Server added from the share link."));
    }
    insertServer(m_model->rowCount(), server);
}

} // namespace echw
