#include "ServerEditor.h"

#include <QCheckBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSpinBox>

#include <vector>

namespace echw {

namespace {

QLineEdit* makeLineEdit(const QString& objectName, const QString& placeholder)
{
    auto* edit = new QLineEdit;
    edit->setObjectName(objectName);
    edit->setPlaceholderText(placeholder);
    edit->setClearButtonEnabled(true);
    return edit;
}

QSpinBox* makeSpinBox(const QString& objectName, int minimum, int maximum)
{
    auto* spin = new QSpinBox;
    spin->setObjectName(objectName);
    spin->setRange(minimum, maximum);
    spin->setGroupSeparatorShown(true);
    return spin;
}

} // namespace

ServerEditor::ServerEditor(QWidget* parent)
    : QWidget(parent)
{
    const ServerProfile defaults;
    m_name = makeLineEdit(QStringLiteral("nameEdit"), tr("e.g. Tokyo"));
    m_address =
        makeLineEdit(QStringLiteral("addressEdit"), QStringLiteral("your-worker.workers.dev:443"));
    m_address->setToolTip(tr("The worker as host:port, optionally with a path: host:port/path"));
    m_preferredIp = makeLineEdit(QStringLiteral("preferredIpEdit"), tr("optional"));
    m_preferredIp->setToolTip(tr("Connect to this IP address or host name instead of resolving "
                                 "the worker's host; the TLS server name stays the host."));

    m_tokenField = new SecretField(QStringLiteral("tokenEdit"), QStringLiteral("showTokenButton"));
    m_token = m_tokenField->edit();
    m_token->setPlaceholderText(tr("optional"));

    m_dohServer = makeLineEdit(QStringLiteral("dohServerEdit"), defaults.dohServer);
    m_echDomain = makeLineEdit(QStringLiteral("echDomainEdit"), defaults.echDomain);
    m_withoutEch = new QCheckBox(tr("No-ECH mode (plain TLS 1.3)"));
    m_withoutEch->setObjectName(QStringLiteral("withoutEchCheck"));
    m_withoutEchWarning = new QLabel(
        tr("Without ECH the worker's host name is sent in clear: anyone on the path can see "
           "which server you use, and it can be blocked by name."));
    m_withoutEchWarning->setObjectName(QStringLiteral("withoutEchWarning"));
    m_withoutEchWarning->setWordWrap(true);
    QWidget* withoutEchRow = stacked({m_withoutEch, m_withoutEchWarning});

    m_caFile = makeLineEdit(QStringLiteral("caFileEdit"), tr("none: the system's trust store"));
    QWidget* caFileRow = withBrowseButton(m_caFile, QStringLiteral("caFileBrowseButton"), [this] {
        return QFileDialog::getOpenFileName(this, tr("Extra CA file"), m_caFile->text(),
                                            tr("Certificates (*.pem *.crt *.cer);;All files (*)"));
    });

    m_connectionLimit =
        makeSpinBox(QStringLiteral("connectionLimitSpin"), ServerProfile::kMinConnectionLimit,
                    ServerProfile::kMaxConnectionLimit);
    m_connectionLimit->setToolTip(tr("Above this many open connections new ones wait."));
    m_warmPoolSize =
        makeSpinBox(QStringLiteral("warmPoolSizeSpin"), 0, ServerProfile::kMaxWarmPoolSize);
    m_warmPoolSize->setToolTip(tr("Tunnels opened ahead of time; 0 opens them on demand."));

    auto* serverError = makeErrorLabel(QStringLiteral("serverError"));
    m_issues.setFallback(serverError);

    auto* form = new QFormLayout(this);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(serverError);
    form->addRow(tr("&Name:"), m_issues.wrap(QStringLiteral("name"), m_name, m_name));
    form->addRow(tr("Add&ress:"), m_issues.wrap(QStringLiteral("address"), m_address, m_address));
    form->addRow(tr("&Preferred IP:"),
                 m_issues.wrap(QStringLiteral("preferredIp"), m_preferredIp, m_preferredIp));
    form->addRow(tr("&Token:"), m_issues.wrap(QStringLiteral("token"), m_tokenField, m_token));
    form->addRow(tr("Do&H server:"),
                 m_issues.wrap(QStringLiteral("dohServer"), m_dohServer, m_dohServer));
    form->addRow(tr("&ECH domain:"),
                 m_issues.wrap(QStringLiteral("echDomain"), m_echDomain, m_echDomain));
    form->addRow(QString(),
                 m_issues.wrap(QStringLiteral("withoutEch"), withoutEchRow, m_withoutEch));
    form->addRow(tr("Extra CA &file:"),
                 m_issues.wrap(QStringLiteral("caFile"), caFileRow, m_caFile));
    form->addRow(tr("Connection &limit:"), m_issues.wrap(QStringLiteral("connectionLimit"),
                                                         m_connectionLimit, m_connectionLimit));
    form->addRow(tr("&Warm pool size:"),
                 m_issues.wrap(QStringLiteral("warmPoolSize"), m_warmPoolSize, m_warmPoolSize));

    for (QLineEdit* edit :
         {m_name, m_address, m_preferredIp, m_token, m_dohServer, m_echDomain, m_caFile})
        connect(edit, &QLineEdit::textChanged, this, &ServerEditor::edited);
    for (QSpinBox* spin : {m_connectionLimit, m_warmPoolSize})
        connect(spin, &QSpinBox::valueChanged, this, &ServerEditor::edited);
    connect(m_withoutEch, &QCheckBox::toggled, this, [this] {
        updateEchFields();
        Q_EMIT edited();
    });

    setServer(defaults);
}

void ServerEditor::setServer(const ServerProfile& server)
{
    // Filling the form is not an edit.
    std::vector<QSignalBlocker> blockers;
    for (QObject* field : std::initializer_list<QObject*>{
             m_name, m_address, m_preferredIp, m_token, m_dohServer, m_echDomain, m_withoutEch,
             m_caFile, m_connectionLimit, m_warmPoolSize})
        blockers.emplace_back(field);

    m_id = server.id;
    m_name->setText(server.name);
    m_address->setText(server.address);
    m_preferredIp->setText(server.preferredIp);
    m_token->setText(server.token);
    m_dohServer->setText(server.dohServer);
    m_echDomain->setText(server.echDomain);
    m_withoutEch->setChecked(server.withoutEch);
    m_caFile->setText(server.caFile);
    m_connectionLimit->setValue(server.connectionLimit);
    m_warmPoolSize->setValue(server.warmPoolSize);
    m_tokenField->conceal();
    updateEchFields();
    // What a server comes with is not news; what its edits cause is.
    m_issues.quietNextIssues();
}

ServerProfile ServerEditor::server() const
{
    ServerProfile server;
    server.id = m_id;
    server.name = m_name->text();
    server.address = m_address->text().trimmed();
    server.preferredIp = m_preferredIp->text().trimmed();
    server.token = m_token->text();
    server.dohServer = m_dohServer->text().trimmed();
    server.echDomain = m_echDomain->text().trimmed();
    server.withoutEch = m_withoutEch->isChecked();
    server.caFile = m_caFile->text().trimmed();
    server.connectionLimit = m_connectionLimit->value();
    server.warmPoolSize = m_warmPoolSize->value();
    return server;
}

void ServerEditor::showIssues(const IssueMessages& messages)
{
    m_issues.show(messages);
}

bool ServerEditor::focusField(const QString& key)
{
    return m_issues.focusField(key);
}

void ServerEditor::updateEchFields()
{
    const bool withoutEch = m_withoutEch->isChecked();
    m_withoutEchWarning->setVisible(withoutEch);
    // Unused without ECH; kept so switching back restores them.
    m_dohServer->setEnabled(!withoutEch);
    m_echDomain->setEnabled(!withoutEch);
}

} // namespace echw
