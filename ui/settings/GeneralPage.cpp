#include "GeneralPage.h"

#include "RoutingModes.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSignalBlocker>

namespace echw {

GeneralPage::GeneralPage(QWidget* parent)
    : QWidget(parent)
{
    m_listen = new QLineEdit;
    m_listen->setObjectName(QStringLiteral("listenEdit"));
    m_listen->setPlaceholderText(AppSettings{}.listen);
    m_listen->setToolTip(tr("Where the local SOCKS5 and HTTP proxy listens, as address:port. "
                            "Use 127.0.0.1 unless other devices should use this proxy."));

    // Who may use the proxy: on loopback only this machine; on a network address a user
    // name and password, or the explicit choice to run an open proxy.
    m_authUser = new QLineEdit;
    m_authUser->setObjectName(QStringLiteral("authUserEdit"));
    m_authUser->setPlaceholderText(tr("empty: no login (only this machine can connect)"));
    m_authPassword =
        new SecretField(QStringLiteral("authPasswordEdit"), QStringLiteral("showPasswordButton"));
    m_allowLan = new QCheckBox(tr("Allow other devices without a password (an open proxy)"));
    m_allowLan->setObjectName(QStringLiteral("allowLanCheck"));
    auto* accessNote = new QLabel(tr("SOCKS5 and HTTP clients log in with this user name and "
                                     "password. A listen address other than 127.0.0.1 needs "
                                     "them, or the box above."));
    accessNote->setWordWrap(true);

    m_routing = new QComboBox;
    m_routing->setObjectName(QStringLiteral("routingCombo"));
    for (const RoutingModeChoice& choice : routingModeChoices()) {
        m_routing->addItem(choice.label, routingModeName(choice.mode));
        m_routing->setItemData(m_routing->count() - 1, choice.description, Qt::ToolTipRole);
    }
    m_routingHint = new QLabel;
    m_routingHint->setObjectName(QStringLiteral("routingHint"));
    m_routingHint->setWordWrap(true);
    QWidget* routingRow = stacked({m_routing, m_routingHint});

    m_listDirectory = new QLineEdit;
    m_listDirectory->setObjectName(QStringLiteral("listDirectoryEdit"));
    m_listDirectory->setPlaceholderText(tr("empty: the bundled lists"));
    QWidget* listDirectoryRow =
        withBrowseButton(m_listDirectory, QStringLiteral("listDirectoryBrowseButton"), [this] {
            return QFileDialog::getExistingDirectory(this, tr("Folder with the China lists"),
                                                     m_listDirectory->text());
        });

    m_rulesFile = new QLineEdit;
    m_rulesFile->setObjectName(QStringLiteral("rulesFileEdit"));
    m_rulesFile->setPlaceholderText(tr("empty: no rules of your own"));
    QWidget* rulesFileRow =
        withBrowseButton(m_rulesFile, QStringLiteral("rulesFileBrowseButton"), [this] {
            return QFileDialog::getOpenFileName(this, tr("Rules file"), m_rulesFile->text(),
                                                tr("Text files (*.txt *.rules);;All files (*)"));
        });

    m_startMinimized = new QCheckBox(tr("Start minimized to the tray"));
    m_startMinimized->setObjectName(QStringLiteral("startMinimizedCheck"));
    m_systemProxy = new QCheckBox(tr("Set the system proxy when the proxy starts"));
    m_systemProxy->setObjectName(QStringLiteral("systemProxyCheck"));
    m_systemProxy->setToolTip(
        tr("Points the desktop's proxy settings at this proxy while it runs, and puts your own "
           "settings back when it stops."));

    m_theme = new QComboBox;
    m_theme->setObjectName(QStringLiteral("themeCombo"));
    m_theme->addItem(tr("System"), QStringLiteral("system"));
    m_theme->addItem(tr("Light"), QStringLiteral("light"));
    m_theme->addItem(tr("Dark"), QStringLiteral("dark"));
    m_startAtLogin = new QCheckBox(tr("Start at login"));
    m_startAtLogin->setObjectName(QStringLiteral("startAtLoginCheck"));
    m_startAtLogin->setToolTip(tr("Starts the app minimized to the tray, with the proxy "
                                  "running, when you log in."));
    m_startAtLogin->setVisible(false);

    m_language = new QComboBox;
    m_language->setObjectName(QStringLiteral("languageCombo"));
    m_language->addItem(tr("System default"), QString());
    // Each language by its own name, so it can be found whatever language the app shows.
    m_language->addItem(QStringLiteral("English"), QStringLiteral("en"));
    m_language->addItem(QStringLiteral("简体中文"), QStringLiteral("zh_CN"));
    auto* languageNote = new QLabel(tr("A new language applies after restarting the app."));
    languageNote->setObjectName(QStringLiteral("languageNote"));
    languageNote->setWordWrap(true);
    QWidget* languageRow = stacked({m_language, languageNote});

    // The settings the page opens with are not news; what their edits cause is.
    m_issues.quietNextIssues();
    auto* form = new QFormLayout(this);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(tr("&Listen address:"),
                 m_issues.wrap(QStringLiteral("listen"), m_listen, m_listen));
    form->addRow(tr("Proxy &user:"),
                 m_issues.wrap(QStringLiteral("authUser"), m_authUser, m_authUser));
    form->addRow(tr("Proxy &password:"), m_issues.wrap(QStringLiteral("authPassword"),
                                                       m_authPassword, m_authPassword->edit()));
    form->addRow(QString(), stacked({m_allowLan, accessNote}));
    form->addRow(tr("&Routing:"),
                 m_issues.wrap(QStringLiteral("routingMode"), routingRow, m_routing));
    form->addRow(tr("Chi&na lists folder:"),
                 m_issues.wrap(QStringLiteral("listDirectory"), listDirectoryRow, m_listDirectory));
    form->addRow(tr("Rules &file:"),
                 m_issues.wrap(QStringLiteral("rulesFile"), rulesFileRow, m_rulesFile));
    form->addRow(QString(), m_issues.wrap(QStringLiteral("startMinimized"), m_startMinimized,
                                          m_startMinimized));
    form->addRow(QString(), m_startAtLogin);
    form->addRow(QString(),
                 m_issues.wrap(QStringLiteral("systemProxy"), m_systemProxy, m_systemProxy));
    form->addRow(tr("&Theme:"), m_issues.wrap(QStringLiteral("theme"), m_theme, m_theme));
    form->addRow(tr("L&anguage:"),
                 m_issues.wrap(QStringLiteral("language"), languageRow, m_language));

    for (QLineEdit* edit :
         {m_listen, m_authUser, m_authPassword->edit(), m_listDirectory, m_rulesFile})
        connect(edit, &QLineEdit::textChanged, this, &GeneralPage::edited);
    connect(m_allowLan, &QCheckBox::toggled, this, &GeneralPage::edited);
    connect(m_routing, &QComboBox::currentIndexChanged, this, [this] {
        updateRoutingHint();
        Q_EMIT edited();
    });
    connect(m_startMinimized, &QCheckBox::toggled, this, &GeneralPage::edited);
    connect(m_systemProxy, &QCheckBox::toggled, this, &GeneralPage::edited);
    connect(m_startAtLogin, &QCheckBox::toggled, this, &GeneralPage::edited);
    connect(m_language, &QComboBox::currentIndexChanged, this, &GeneralPage::edited);
    connect(m_theme, &QComboBox::currentIndexChanged, this, &GeneralPage::edited);

    setSettings(AppSettings{});
}

void GeneralPage::setSettings(const AppSettings& settings)
{
    const QSignalBlocker blockListen(m_listen);
    const QSignalBlocker blockAuthUser(m_authUser);
    const QSignalBlocker blockAuthPassword(m_authPassword->edit());
    const QSignalBlocker blockAllowLan(m_allowLan);
    const QSignalBlocker blockRouting(m_routing);
    const QSignalBlocker blockListDirectory(m_listDirectory);
    const QSignalBlocker blockRulesFile(m_rulesFile);
    const QSignalBlocker blockStartMinimized(m_startMinimized);
    const QSignalBlocker blockSystemProxy(m_systemProxy);
    const QSignalBlocker blockLanguage(m_language);
    const QSignalBlocker blockTheme(m_theme);

    m_listen->setText(settings.listen);
    m_authUser->setText(settings.authUser);
    m_authPassword->edit()->setText(settings.authPassword);
    m_authPassword->conceal();
    m_allowLan->setChecked(settings.allowLanWithoutAuth);
    m_routing->setCurrentIndex(m_routing->findData(routingModeName(settings.routing)));
    m_listDirectory->setText(settings.listDirectory);
    m_rulesFile->setText(settings.rulesFile);
    m_startMinimized->setChecked(settings.startMinimized);
    m_systemProxy->setChecked(settings.systemProxy);
    const int theme = m_theme->findData(settings.theme);
    m_theme->setCurrentIndex(theme < 0 ? 0 : theme);
    int language = m_language->findData(settings.language);
    if (language < 0) {
        // A language set elsewhere (e.g. by hand in the file) is kept, not lost.
        m_language->addItem(settings.language, settings.language);
        language = m_language->count() - 1;
    }
    m_language->setCurrentIndex(language);
    updateRoutingHint();
}

void GeneralPage::applyTo(AppSettings& settings) const
{
    settings.listen = m_listen->text().trimmed();
    settings.authUser = m_authUser->text();
    settings.authPassword = m_authPassword->edit()->text();
    settings.allowLanWithoutAuth = m_allowLan->isChecked();
    settings.routing =
        routingModeFromName(m_routing->currentData().toString()).value_or(settings.routing);
    settings.listDirectory = m_listDirectory->text().trimmed();
    settings.rulesFile = m_rulesFile->text().trimmed();
    settings.startMinimized = m_startMinimized->isChecked();
    settings.systemProxy = m_systemProxy->isChecked();
    settings.theme = m_theme->currentData().toString();
    settings.language = m_language->currentData().toString();
}

void GeneralPage::setStartAtLogin(bool enabled)
{
    const QSignalBlocker block(m_startAtLogin);
    m_startAtLogin->setChecked(enabled);
    m_startAtLogin->setVisible(true);
    m_startAtLoginOffered = true;
}

std::optional<bool> GeneralPage::startAtLogin() const
{
    if (!m_startAtLoginOffered)
        return std::nullopt;
    return m_startAtLogin->isChecked();
}

void GeneralPage::showIssues(const IssueMessages& messages)
{
    m_issues.show(messages);
}

bool GeneralPage::focusField(const QString& key)
{
    return m_issues.focusField(key);
}

void GeneralPage::updateRoutingHint()
{
    m_routingHint->setText(m_routing->currentData(Qt::ToolTipRole).toString());
}

} // namespace echw
