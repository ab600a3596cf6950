#include "config/SettingsStore.h"
#include "config/ShareLink.h"
#include "settings/ServerListModel.h"
#include "settings/SettingsDialog.h"
#include "tls/CertificateFile.h"
#include "tls/TlsCredentials.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <functional>

using echw::AppSettings;
using echw::RoutingMode;
using echw::ServerListModel;
using echw::ServerProfile;
using echw::SettingsDialog;
using echw::SettingsStore;

namespace {

const QString kToken = QStringLiteral("s3cr3t-T0ken");

ServerProfile validServer(const QString& name)
{
    ServerProfile server;
    server.id = ServerProfile::newId();
    server.name = name;
    server.address = QStringLiteral("%1.example:443/ws").arg(name.toLower());
    server.token = kToken;
    return server;
}

AppSettings twoServers()
{
    AppSettings settings;
    settings.servers = {validServer(QStringLiteral("Alpha")), validServer(QStringLiteral("Beta"))};
    settings.activeServerId = settings.servers[0].id;
    return settings;
}

template <typename T> T* find(const QObject* parent, const QString& name)
{
    T* child = parent->findChild<T*>(name);
    if (!child)
        qWarning().noquote() << "no child named" << name;
    return child;
}

// Runs action on the modal dialog a button opens (message box, input dialog),
// once its event loop runs; retries a few turns in case it is not up yet.
void whenModal(std::function<void(QWidget*)> action, int turnsLeft = 100)
{
    QTimer::singleShot(0, qApp, [action = std::move(action), turnsLeft]() mutable {
        if (QWidget* modal = QApplication::activeModalWidget()) {
            action(modal);
            // A failed check inside action returns early; close the dialog so
            // the test fails instead of hanging.
            if (modal->isVisible())
                modal->close();
        } else if (turnsLeft > 0)
            whenModal(std::move(action), turnsLeft - 1);
    });
}

void clickButton(const QObject* parent, const QString& name)
{
    auto* button = find<QPushButton>(parent, name);
    QVERIFY(button);
    QVERIFY2(button->isEnabled(), qPrintable(name));
    QTest::mouseClick(button, Qt::LeftButton);
}

void replaceText(QLineEdit* edit, const QString& text)
{
    edit->selectAll();
    QTest::keyClick(edit, Qt::Key_Delete);
    QTest::keyClicks(edit, text);
}

void selectRow(const SettingsDialog& dialog, int row)
{
    auto* list = find<QListView>(&dialog, QStringLiteral("serverList"));
    list->setCurrentIndex(list->model()->index(row, 0));
}

QString rowText(const SettingsDialog& dialog, int row)
{
    const auto* list = find<QListView>(&dialog, QStringLiteral("serverList"));
    return list->model()->index(row, 0).data().toString();
}

bool writeFile(const QString& path, const QByteArray& bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

// Shown on its page (the page itself may be a hidden tab).
// An error line keeps its space when empty; its whole message is the tooltip (the line itself
// may end in "…").
bool showsMessage(const QLabel* label)
{
    return label && !label->isHidden() && !label->toolTip().isEmpty();
}

QStringList names(const AppSettings& settings)
{
    QStringList result;
    for (const ServerProfile& server : settings.servers)
        result.append(server.name);
    return result;
}

ServerProfile withoutId(ServerProfile server)
{
    server.id.clear();
    return server;
}

// "Add from share link…" with link typed into the dialog it opens.
void addFromShareLink(SettingsDialog& dialog, const QString& link)
{
    whenModal([link](QWidget* modal) {
        auto* input = qobject_cast<QInputDialog*>(modal);
        QVERIFY(input);
        input->setTextValue(link);
        input->accept();
    });
    clickButton(&dialog, QStringLiteral("addFromShareLinkButton"));
}

// The same with a link the dialog refuses: the text of the warning it shows.
QString warningForShareLink(SettingsDialog& dialog, const QString& link)
{
    QString warning;
    whenModal([&](QWidget* modal) {
        auto* input = qobject_cast<QInputDialog*>(modal);
        QVERIFY(input);
        input->setTextValue(link);
        // The warning follows once the input dialog is gone.
        whenModal([&](QWidget* next) {
            auto* box = qobject_cast<QMessageBox*>(next);
            QVERIFY(box);
            warning = box->text();
            box->accept();
        });
        input->accept();
    });
    clickButton(&dialog, QStringLiteral("addFromShareLinkButton"));
    return warning;
}

} // namespace

class TestSettingsDialog : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void showsTheSettingsItWasGiven();
    void showsAnAddressErrorUntilItIsFixed();
    void theFormDoesNotMoveAsMessagesComeAndGo();
    void okWithAnInvalidFieldDoesNotApply();
    void okWithAnInvalidGeneralFieldShowsTheGeneralTab();
    void applyEmitsTheEditedSettings();
    void startAtLoginIsOfferedOnlyWhenSetAndAppliedWithTheSettings();
    void aNetworkListenAddressNeedsCredentialsOrTheOpenProxyBox();
    void addsASelectedEmptyServer();
    void renamingUpdatesTheListLive();
    void duplicatesWithANewId();
    void copyNamesTakeTheFirstFreeNumber();
    void deletesAfterConfirmation();
    void movesServersUpAndDown();
    void usesTheSelectedServer();
    void savedSettingsShowTheSameValuesAfterReload();
    void importsTheGoodLegacyServerAndReportsTheBadOne();
    void hidesTheTokenByDefault();
    void copiesAShareLinkWithoutTheTokenByDefault();
    void addsAServerFromAPastedShareLink();
    void aSharedServerWithATakenNameGetsACopyName();
    void reportsABadShareLink();
    void aShareLinkCarriesTheCaCertificateNotItsPath();
    void aShareLinkWhoseCaIsNoCertificateIsRefused();
};

void TestSettingsDialog::showsTheSettingsItWasGiven()
{
    const AppSettings settings = twoServers();
    SettingsDialog dialog(settings);
    QCOMPARE(dialog.settings(), settings);
    // The active server is shown first.
    QCOMPARE(find<QLineEdit>(&dialog, QStringLiteral("nameEdit"))->text(), QStringLiteral("Alpha"));
    QCOMPARE(rowText(dialog, 1), QStringLiteral("Beta"));
    const auto* list = find<QListView>(&dialog, QStringLiteral("serverList"));
    QVERIFY(list->model()->index(0, 0).data(ServerListModel::ActiveRole).toBool());
    QVERIFY(!list->model()->index(1, 0).data(ServerListModel::ActiveRole).toBool());

    dialog.selectServer(settings.servers[1].id);
    QCOMPARE(find<QLineEdit>(&dialog, QStringLiteral("addressEdit"))->text(),
             settings.servers[1].address);
}

void TestSettingsDialog::showsAnAddressErrorUntilItIsFixed()
{
    SettingsDialog dialog(twoServers());
    auto* address = find<QLineEdit>(&dialog, QStringLiteral("addressEdit"));
    auto* error = find<QLabel>(&dialog, QStringLiteral("addressError"));
    QVERIFY(address && error);
    QVERIFY(!showsMessage(error));

    replaceText(address, QStringLiteral("https://w.example"));
    QVERIFY(showsMessage(error));
    QVERIFY2(error->toolTip().contains(u"without a scheme"), qPrintable(error->toolTip()));
    const auto* list = find<QListView>(&dialog, QStringLiteral("serverList"));
    QVERIFY(list->model()->index(0, 0).data(ServerListModel::HasIssuesRole).toBool());
    QVERIFY(!list->model()->index(1, 0).data(ServerListModel::HasIssuesRole).toBool());

    replaceText(address, QStringLiteral("w.example:443"));
    QVERIFY(!showsMessage(error));
    QVERIFY(error->toolTip().isEmpty());
    QVERIFY(!list->model()->index(0, 0).data(ServerListModel::HasIssuesRole).toBool());
    QCOMPARE(dialog.settings().servers[0].address, QStringLiteral("w.example:443"));
}

void TestSettingsDialog::theFormDoesNotMoveAsMessagesComeAndGo()
{
    SettingsDialog dialog(twoServers());
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    auto* address = find<QLineEdit>(&dialog, QStringLiteral("addressEdit"));
    auto* below = find<QLineEdit>(&dialog, QStringLiteral("preferredIpEdit"));
    const QPoint before = below->mapTo(&dialog, QPoint());
    replaceText(address, QStringLiteral("https://w.example/a/very/long/path/that/does/not/fit"));
    QVERIFY(showsMessage(find<QLabel>(&dialog, QStringLiteral("addressError"))));
    QCoreApplication::processEvents();
    QCOMPARE(below->mapTo(&dialog, QPoint()), before);
    replaceText(address, QStringLiteral("w.example:443"));
    QCoreApplication::processEvents();
    QCOMPARE(below->mapTo(&dialog, QPoint()), before);
}

void TestSettingsDialog::okWithAnInvalidFieldDoesNotApply()
{
    SettingsDialog dialog(twoServers());
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QSignalSpy applied(&dialog, &SettingsDialog::applied);

    dialog.selectServer(dialog.settings().servers[1].id);
    replaceText(find<QLineEdit>(&dialog, QStringLiteral("addressEdit")),
                QStringLiteral("w.example:99999"));
    selectRow(dialog, 0);
    find<QTabWidget>(&dialog, QStringLiteral("tabs"))->setCurrentIndex(1);

    auto* buttons = find<QDialogButtonBox>(&dialog, QStringLiteral("buttonBox"));
    QTest::mouseClick(buttons->button(QDialogButtonBox::Ok), Qt::LeftButton);
    QCOMPARE(applied.count(), 0);
    QVERIFY(dialog.isVisible());
    // The dialog shows the bad server and its message.
    QCOMPARE(find<QTabWidget>(&dialog, QStringLiteral("tabs"))->currentIndex(), 0);
    QCOMPARE(find<QLineEdit>(&dialog, QStringLiteral("nameEdit"))->text(), QStringLiteral("Beta"));
    QVERIFY(showsMessage(find<QLabel>(&dialog, QStringLiteral("addressError"))));
    QVERIFY(QTest::qWaitForWindowActive(&dialog));
    QVERIFY(find<QLineEdit>(&dialog, QStringLiteral("addressEdit"))->hasFocus());

    QTest::mouseClick(buttons->button(QDialogButtonBox::Apply), Qt::LeftButton);
    QCOMPARE(applied.count(), 0);
}

void TestSettingsDialog::okWithAnInvalidGeneralFieldShowsTheGeneralTab()
{
    SettingsDialog dialog(twoServers());
    QSignalSpy applied(&dialog, &SettingsDialog::applied);
    auto* listen = find<QLineEdit>(&dialog, QStringLiteral("listenEdit"));
    replaceText(listen, QStringLiteral("localhost"));
    QVERIFY(showsMessage(find<QLabel>(&dialog, QStringLiteral("listenError"))));

    auto* buttons = find<QDialogButtonBox>(&dialog, QStringLiteral("buttonBox"));
    QTest::mouseClick(buttons->button(QDialogButtonBox::Ok), Qt::LeftButton);
    QCOMPARE(applied.count(), 0);
    QCOMPARE(find<QTabWidget>(&dialog, QStringLiteral("tabs"))->currentIndex(), 1);
}

void TestSettingsDialog::applyEmitsTheEditedSettings()
{
    SettingsDialog dialog(twoServers());
    QSignalSpy applied(&dialog, &SettingsDialog::applied);
    replaceText(find<QLineEdit>(&dialog, QStringLiteral("listenEdit")),
                QStringLiteral("127.0.0.1:30001"));
    auto* routing = find<QComboBox>(&dialog, QStringLiteral("routingCombo"));
    routing->setCurrentIndex(routing->findData(QStringLiteral("none")));
    QVERIFY(!find<QLabel>(&dialog, QStringLiteral("routingHint"))->text().isEmpty());

    auto* buttons = find<QDialogButtonBox>(&dialog, QStringLiteral("buttonBox"));
    QTest::mouseClick(buttons->button(QDialogButtonBox::Apply), Qt::LeftButton);
    QCOMPARE(applied.count(), 1);
    const auto settings = applied.first().first().value<AppSettings>();
    QCOMPARE(settings.listen, QStringLiteral("127.0.0.1:30001"));
    QCOMPARE(settings.routing, RoutingMode::None);
    QCOMPARE(settings, dialog.settings());

    QTest::mouseClick(buttons->button(QDialogButtonBox::Ok), Qt::LeftButton);
    QCOMPARE(applied.count(), 2);
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
}

void TestSettingsDialog::startAtLoginIsOfferedOnlyWhenSetAndAppliedWithTheSettings()
{
    SettingsDialog dialog(twoServers());
    QSignalSpy chosen(&dialog, &SettingsDialog::startAtLoginChosen);
    auto* box = find<QCheckBox>(&dialog, QStringLiteral("startAtLoginCheck"));
    auto* buttons = find<QDialogButtonBox>(&dialog, QStringLiteral("buttonBox"));
    // A platform without a login item never shows the box (on its page), and nothing is chosen.
    QVERIFY(!box->isVisibleTo(box->parentWidget()));
    QTest::mouseClick(buttons->button(QDialogButtonBox::Apply), Qt::LeftButton);
    QCOMPARE(chosen.count(), 0);

    dialog.setStartAtLogin(true);
    QVERIFY(box->isVisibleTo(box->parentWidget()));
    QVERIFY(box->isChecked());
    box->setChecked(false);
    QTest::mouseClick(buttons->button(QDialogButtonBox::Apply), Qt::LeftButton);
    QCOMPARE(chosen.count(), 1);
    QCOMPARE(chosen.first().first().toBool(), false);
}

void TestSettingsDialog::aNetworkListenAddressNeedsCredentialsOrTheOpenProxyBox()
{
    SettingsDialog dialog(twoServers());
    QSignalSpy applied(&dialog, &SettingsDialog::applied);
    auto* buttons = find<QDialogButtonBox>(&dialog, QStringLiteral("buttonBox"));
    auto* listenError = find<QLabel>(&dialog, QStringLiteral("listenError"));
    replaceText(find<QLineEdit>(&dialog, QStringLiteral("listenEdit")),
                QStringLiteral("0.0.0.0:30001"));
    QVERIFY(showsMessage(listenError));
    QVERIFY(listenError->toolTip().contains(QStringLiteral("open the proxy to the network")));
    QTest::mouseClick(buttons->button(QDialogButtonBox::Apply), Qt::LeftButton);
    QCOMPARE(applied.count(), 0);

    // A user name alone is not enough; with the password the address is fine.
    replaceText(find<QLineEdit>(&dialog, QStringLiteral("authUserEdit")), QStringLiteral("me"));
    QVERIFY(showsMessage(find<QLabel>(&dialog, QStringLiteral("authPasswordError"))));
    auto* password = find<QLineEdit>(&dialog, QStringLiteral("authPasswordEdit"));
    QCOMPARE(password->echoMode(), QLineEdit::Password);
    replaceText(password, QStringLiteral("pa55"));
    QVERIFY(!showsMessage(listenError));
    QTest::mouseClick(buttons->button(QDialogButtonBox::Apply), Qt::LeftButton);
    QCOMPARE(applied.count(), 1);
    auto settings = applied.last().first().value<AppSettings>();
    QCOMPARE(settings.authUser, QStringLiteral("me"));
    QCOMPARE(settings.authPassword, QStringLiteral("pa55"));

    // Or no credentials and the explicit open-proxy choice.
    replaceText(find<QLineEdit>(&dialog, QStringLiteral("authUserEdit")), QString());
    replaceText(password, QString());
    QVERIFY(showsMessage(listenError));
    find<QCheckBox>(&dialog, QStringLiteral("allowLanCheck"))->setChecked(true);
    QVERIFY(!showsMessage(listenError));
    QTest::mouseClick(buttons->button(QDialogButtonBox::Apply), Qt::LeftButton);
    QCOMPARE(applied.count(), 2);
    settings = applied.last().first().value<AppSettings>();
    QVERIFY(settings.allowLanWithoutAuth);
    QVERIFY(settings.authUser.isEmpty());
}

void TestSettingsDialog::addsASelectedEmptyServer()
{
    SettingsDialog dialog(AppSettings{});
    clickButton(&dialog, QStringLiteral("addButton"));
    const AppSettings settings = dialog.settings();
    QCOMPARE(settings.servers.size(), 1);
    QVERIFY(!settings.servers[0].id.isEmpty());
    QVERIFY(settings.servers[0].name.isEmpty());
    // The first server is the one in use.
    QCOMPARE(settings.activeServerId, settings.servers[0].id);
    // Nothing is red before anything was typed; OK shows what is missing.
    QVERIFY(!showsMessage(find<QLabel>(&dialog, QStringLiteral("nameError"))));
    QVERIFY(!showsMessage(find<QLabel>(&dialog, QStringLiteral("addressError"))));
    QTest::mouseClick(find<QDialogButtonBox>(&dialog, QStringLiteral("buttonBox"))
                          ->button(QDialogButtonBox::Apply),
                      Qt::LeftButton);
    QVERIFY(showsMessage(find<QLabel>(&dialog, QStringLiteral("nameError"))));
    QVERIFY(showsMessage(find<QLabel>(&dialog, QStringLiteral("addressError"))));

    dialog.addServer();
    QCOMPARE(dialog.settings().servers.size(), 2);
    QVERIFY(dialog.settings().servers[1].id != settings.servers[0].id);
    QCOMPARE(dialog.settings().activeServerId, settings.servers[0].id);
    QCOMPARE(find<QListView>(&dialog, QStringLiteral("serverList"))->currentIndex().row(), 1);
}

void TestSettingsDialog::renamingUpdatesTheListLive()
{
    SettingsDialog dialog(twoServers());
    selectRow(dialog, 1);
    auto* name = find<QLineEdit>(&dialog, QStringLiteral("nameEdit"));
    replaceText(name, QStringLiteral("Gamma"));
    QCOMPARE(rowText(dialog, 1), QStringLiteral("Gamma"));
    QCOMPARE(names(dialog.settings()),
             (QStringList{QStringLiteral("Alpha"), QStringLiteral("Gamma")}));
}

void TestSettingsDialog::duplicatesWithANewId()
{
    const AppSettings original = twoServers();
    SettingsDialog dialog(original);
    selectRow(dialog, 0);
    clickButton(&dialog, QStringLiteral("duplicateButton"));
    const AppSettings settings = dialog.settings();
    QCOMPARE(settings.servers.size(), 3);
    const ServerProfile& copy = settings.servers[1];
    QVERIFY(!copy.id.isEmpty());
    QVERIFY(copy.id != original.servers[0].id);
    QCOMPARE(copy.name, QStringLiteral("Alpha (copy)"));
    ServerProfile sameButName = withoutId(copy);
    sameButName.name = original.servers[0].name;
    QCOMPARE(sameButName, withoutId(original.servers[0]));
    QCOMPARE(settings.activeServerId, original.activeServerId);
    QCOMPARE(find<QListView>(&dialog, QStringLiteral("serverList"))->currentIndex().row(), 1);
    QVERIFY(settings.validate().isEmpty());

    // Again, from the original or from the copy: the next free number.
    selectRow(dialog, 0);
    clickButton(&dialog, QStringLiteral("duplicateButton"));
    selectRow(dialog, 2);
    clickButton(&dialog, QStringLiteral("duplicateButton"));
    QCOMPARE(names(dialog.settings()),
             (QStringList{QStringLiteral("Alpha"), QStringLiteral("Alpha (copy 2)"),
                          QStringLiteral("Alpha (copy)"), QStringLiteral("Alpha (copy 3)"),
                          QStringLiteral("Beta")}));
}

void TestSettingsDialog::copyNamesTakeTheFirstFreeNumber()
{
    using echw::copyName;
    QCOMPARE(copyName(QStringLiteral("Tokyo"), {QStringLiteral("Tokyo")}),
             QStringLiteral("Tokyo (copy)"));
    QCOMPARE(copyName(QStringLiteral("Tokyo"),
                      {QStringLiteral("Tokyo"), QStringLiteral("Tokyo (copy)")}),
             QStringLiteral("Tokyo (copy 2)"));
    QCOMPARE(
        copyName(QStringLiteral("Tokyo"), {QStringLiteral("Tokyo"), QStringLiteral("Tokyo (copy)"),
                                           QStringLiteral("Tokyo (copy 3)")}),
        QStringLiteral("Tokyo (copy 2)"));
    // A copy's copy is numbered after the original, not "(copy) (copy)".
    QCOMPARE(copyName(QStringLiteral("Tokyo (copy)"),
                      {QStringLiteral("Tokyo"), QStringLiteral("Tokyo (copy)")}),
             QStringLiteral("Tokyo (copy 2)"));
    QCOMPARE(copyName(QStringLiteral("Tokyo (copy 2)"),
                      {QStringLiteral("Tokyo (copy)"), QStringLiteral("Tokyo (copy 2)")}),
             QStringLiteral("Tokyo (copy 3)"));
    // Only a whole suffix counts; names with %-signs are taken literally.
    QCOMPARE(copyName(QStringLiteral("(copy) 100%1"), {}), QStringLiteral("(copy) 100%1 (copy)"));
    QCOMPARE(copyName(QString(), {QString()}), QString());
}

void TestSettingsDialog::deletesAfterConfirmation()
{
    const AppSettings original = twoServers();
    SettingsDialog dialog(original);
    selectRow(dialog, 0);

    whenModal([](QWidget* modal) {
        auto* box = qobject_cast<QMessageBox*>(modal);
        QVERIFY(box);
        box->button(QMessageBox::No)->click();
    });
    clickButton(&dialog, QStringLiteral("deleteButton"));
    QCOMPARE(dialog.settings(), original);

    whenModal([](QWidget* modal) {
        auto* box = qobject_cast<QMessageBox*>(modal);
        QVERIFY(box);
        QVERIFY(box->text().contains(u"Alpha"));
        box->button(QMessageBox::Yes)->click();
    });
    clickButton(&dialog, QStringLiteral("deleteButton"));
    const AppSettings settings = dialog.settings();
    QCOMPARE(names(settings), QStringList{QStringLiteral("Beta")});
    // The deleted server was in use; the remaining one takes over.
    QCOMPARE(settings.activeServerId, original.servers[1].id);
    QCOMPARE(find<QLineEdit>(&dialog, QStringLiteral("nameEdit"))->text(), QStringLiteral("Beta"));
}

void TestSettingsDialog::movesServersUpAndDown()
{
    AppSettings original = twoServers();
    original.servers.append(validServer(QStringLiteral("Gamma")));
    SettingsDialog dialog(original);
    selectRow(dialog, 0);
    auto* moveUp = find<QPushButton>(&dialog, QStringLiteral("moveUpButton"));
    QVERIFY(!moveUp->isEnabled());

    clickButton(&dialog, QStringLiteral("moveDownButton"));
    QCOMPARE(names(dialog.settings()), (QStringList{QStringLiteral("Beta"), QStringLiteral("Alpha"),
                                                    QStringLiteral("Gamma")}));
    clickButton(&dialog, QStringLiteral("moveDownButton"));
    QCOMPARE(names(dialog.settings()), (QStringList{QStringLiteral("Beta"), QStringLiteral("Gamma"),
                                                    QStringLiteral("Alpha")}));
    QVERIFY(!find<QPushButton>(&dialog, QStringLiteral("moveDownButton"))->isEnabled());
    // The moved server stays selected and in use.
    QCOMPARE(find<QLineEdit>(&dialog, QStringLiteral("nameEdit"))->text(), QStringLiteral("Alpha"));
    QCOMPARE(dialog.settings().activeServerId, original.servers[0].id);

    clickButton(&dialog, QStringLiteral("moveUpButton"));
    QCOMPARE(names(dialog.settings()), (QStringList{QStringLiteral("Beta"), QStringLiteral("Alpha"),
                                                    QStringLiteral("Gamma")}));
}

void TestSettingsDialog::usesTheSelectedServer()
{
    const AppSettings original = twoServers();
    SettingsDialog dialog(original);
    auto* use = find<QPushButton>(&dialog, QStringLiteral("useServerButton"));
    QVERIFY(!use->isEnabled()); // the active one is shown

    selectRow(dialog, 1);
    clickButton(&dialog, QStringLiteral("useServerButton"));
    QCOMPARE(dialog.settings().activeServerId, original.servers[1].id);
    QVERIFY(!use->isEnabled());
    const auto* list = find<QListView>(&dialog, QStringLiteral("serverList"));
    QVERIFY(list->model()->index(1, 0).data(ServerListModel::ActiveRole).toBool());
    QVERIFY(!list->model()->index(0, 0).data(ServerListModel::ActiveRole).toBool());
}

void TestSettingsDialog::savedSettingsShowTheSameValuesAfterReload()
{
    QTemporaryDir directory;
    QVERIFY(directory.isValid());
    const QString caFile = directory.filePath(QStringLiteral("ca.pem"));
    QVERIFY(writeFile(caFile, {}));

    SettingsDialog dialog(twoServers());
    selectRow(dialog, 1);
    // QTest::keyClicks types ASCII only.
    find<QLineEdit>(&dialog, QStringLiteral("nameEdit"))->setText(QStringLiteral("默认服务器"));
    replaceText(find<QLineEdit>(&dialog, QStringLiteral("addressEdit")),
                QStringLiteral("edge.example:8443/path"));
    replaceText(find<QLineEdit>(&dialog, QStringLiteral("tokenEdit")), QStringLiteral("t0k&n"));
    replaceText(find<QLineEdit>(&dialog, QStringLiteral("preferredIpEdit")),
                QStringLiteral("saas.sin.fan"));
    replaceText(find<QLineEdit>(&dialog, QStringLiteral("caFileEdit")), caFile);
    find<QCheckBox>(&dialog, QStringLiteral("withoutEchCheck"))->setChecked(true);
    QVERIFY(find<QLabel>(&dialog, QStringLiteral("withoutEchWarning"))->isVisibleTo(&dialog));
    find<QSpinBox>(&dialog, QStringLiteral("connectionLimitSpin"))->setValue(200);
    find<QSpinBox>(&dialog, QStringLiteral("warmPoolSizeSpin"))->setValue(3);
    clickButton(&dialog, QStringLiteral("useServerButton"));
    replaceText(find<QLineEdit>(&dialog, QStringLiteral("listenEdit")),
                QStringLiteral("127.0.0.1:31000"));
    auto* routing = find<QComboBox>(&dialog, QStringLiteral("routingCombo"));
    routing->setCurrentIndex(routing->findData(QStringLiteral("global")));
    replaceText(find<QLineEdit>(&dialog, QStringLiteral("listDirectoryEdit")), directory.path());
    find<QCheckBox>(&dialog, QStringLiteral("startMinimizedCheck"))->setChecked(true);
    auto* language = find<QComboBox>(&dialog, QStringLiteral("languageCombo"));
    language->setCurrentIndex(language->findData(QStringLiteral("en")));

    const AppSettings edited = dialog.settings();
    QVERIFY(edited.validate().isEmpty());
    const QString path = directory.filePath(QStringLiteral("settings.json"));
    QCOMPARE(SettingsStore(path).save(edited), std::nullopt);

    SettingsStore store(path);
    const SettingsStore::LoadResult loaded = store.load();
    QCOMPARE(loaded.status, SettingsStore::LoadResult::Status::Loaded);
    SettingsDialog reopened(loaded.settings);
    QCOMPARE(reopened.settings(), edited);
    // The server in use is shown first.
    QCOMPARE(find<QLineEdit>(&reopened, QStringLiteral("nameEdit"))->text(),
             QStringLiteral("默认服务器"));
    QCOMPARE(find<QLineEdit>(&reopened, QStringLiteral("addressEdit"))->text(),
             QStringLiteral("edge.example:8443/path"));
    QCOMPARE(find<QLineEdit>(&reopened, QStringLiteral("tokenEdit"))->text(),
             QStringLiteral("t0k&n"));
    QCOMPARE(find<QLineEdit>(&reopened, QStringLiteral("preferredIpEdit"))->text(),
             QStringLiteral("saas.sin.fan"));
    QCOMPARE(find<QLineEdit>(&reopened, QStringLiteral("caFileEdit"))->text(), caFile);
    QVERIFY(find<QCheckBox>(&reopened, QStringLiteral("withoutEchCheck"))->isChecked());
    QCOMPARE(find<QSpinBox>(&reopened, QStringLiteral("connectionLimitSpin"))->value(), 200);
    QCOMPARE(find<QSpinBox>(&reopened, QStringLiteral("warmPoolSizeSpin"))->value(), 3);
    QCOMPARE(find<QLineEdit>(&reopened, QStringLiteral("listenEdit"))->text(),
             QStringLiteral("127.0.0.1:31000"));
    QCOMPARE(find<QComboBox>(&reopened, QStringLiteral("routingCombo"))->currentData().toString(),
             QStringLiteral("global"));
    QCOMPARE(find<QLineEdit>(&reopened, QStringLiteral("listDirectoryEdit"))->text(),
             directory.path());
    QVERIFY(find<QCheckBox>(&reopened, QStringLiteral("startMinimizedCheck"))->isChecked());
    QCOMPARE(find<QComboBox>(&reopened, QStringLiteral("languageCombo"))->currentData().toString(),
             QStringLiteral("en"));
}

void TestSettingsDialog::importsTheGoodLegacyServerAndReportsTheBadOne()
{
    QTemporaryDir directory;
    QVERIFY(directory.isValid());
    const QString path = directory.filePath(QStringLiteral("config.json"));
    const QByteArray config = R"({"servers": [
            {"id": "0b4e7c1e-4a7c-4c55-9d55-1f1f6c0d9a01", "name": "默认服务器",
             "server": "good.example:443", "listen": "127.0.0.1:30002", "token": "abc",
             "ip": "saas.sin.fan", "dns": "dns.alidns.com/dns-query",
             "ech": "cloudflare-ech.com", "routing_mode": "global"},
            {"id": "0b4e7c1e-4a7c-4c55-9d55-1f1f6c0d9a02", "name": "Broken",
             "server": "https://bad.example", "listen": "127.0.0.1:30000", "token": "",
             "ip": "", "dns": "dns.alidns.com/dns-query", "ech": "cloudflare-ech.com",
             "routing_mode": "bypass_cn"}],
            "current_server_id": "0b4e7c1e-4a7c-4c55-9d55-1f1f6c0d9a01"})";
    QVERIFY(writeFile(path, config));

    SettingsDialog dialog(AppSettings{});
    QString reportText;
    QString reportDetails;
    whenModal([&](QWidget* modal) {
        auto* box = qobject_cast<QMessageBox*>(modal);
        QVERIFY(box);
        reportText = box->text();
        reportDetails = box->informativeText();
        box->accept();
    });
    dialog.importLegacyFile(path);

    QVERIFY2(reportText.contains(u"Added 1 server"), qPrintable(reportText));
    QVERIFY2(reportDetails.contains(u"Broken"), qPrintable(reportDetails));
    QVERIFY(!reportDetails.contains(u"abc"));
    const AppSettings settings = dialog.settings();
    QCOMPARE(names(settings), QStringList{QStringLiteral("默认服务器")});
    QCOMPARE(settings.servers[0].address, QStringLiteral("good.example:443"));
    QCOMPARE(settings.servers[0].token, QStringLiteral("abc"));
    QCOMPARE(settings.activeServerId, settings.servers[0].id);
    // A first import also takes the old listen address and routing mode.
    QCOMPARE(settings.listen, QStringLiteral("127.0.0.1:30002"));
    QCOMPARE(settings.routing, RoutingMode::Global);
    QCOMPARE(find<QLineEdit>(&dialog, QStringLiteral("nameEdit"))->text(),
             QStringLiteral("默认服务器"));
    QCOMPARE(find<QLineEdit>(&dialog, QStringLiteral("listenEdit"))->text(),
             QStringLiteral("127.0.0.1:30002"));

    // Importing the same file again adds nothing.
    whenModal([&](QWidget* modal) {
        auto* box = qobject_cast<QMessageBox*>(modal);
        QVERIFY(box);
        reportText = box->text();
        box->accept();
    });
    dialog.importLegacyFile(path);
    QVERIFY2(reportText.contains(u"No servers were added"), qPrintable(reportText));
    QCOMPARE(dialog.settings().servers.size(), 1);
}

void TestSettingsDialog::hidesTheTokenByDefault()
{
    SettingsDialog dialog(twoServers());
    auto* token = find<QLineEdit>(&dialog, QStringLiteral("tokenEdit"));
    QCOMPARE(token->echoMode(), QLineEdit::Password);
    clickButton(&dialog, QStringLiteral("showTokenButton"));
    QCOMPARE(token->echoMode(), QLineEdit::Normal);
    clickButton(&dialog, QStringLiteral("showTokenButton"));
    QCOMPARE(token->echoMode(), QLineEdit::Password);

    // Another server's token starts hidden again.
    clickButton(&dialog, QStringLiteral("showTokenButton"));
    selectRow(dialog, 1);
    QCOMPARE(token->echoMode(), QLineEdit::Password);
}

void TestSettingsDialog::copiesAShareLinkWithoutTheTokenByDefault()
{
    const AppSettings original = twoServers();
    SettingsDialog dialog(original);
    QApplication::clipboard()->clear();
    whenModal([](QWidget* modal) {
        auto* box = qobject_cast<QMessageBox*>(modal);
        QVERIFY(box);
        QVERIFY(!box->text().contains(kToken));
        box->defaultButton()->click();
    });
    clickButton(&dialog, QStringLiteral("copyShareLinkButton"));

    const QString link = QApplication::clipboard()->text();
    QVERIFY2(link.startsWith(u"ech-workers://"), qPrintable(link));
    QVERIFY(!link.contains(kToken));
    QVERIFY(!link.contains(u"token"));
    const auto parsed = echw::serverFromShareLink(link);
    QVERIFY(std::holds_alternative<echw::SharedServer>(parsed));
    ServerProfile expected = original.servers[0];
    expected.token.clear();
    QCOMPARE(withoutId(std::get<echw::SharedServer>(parsed).server), withoutId(expected));
}

void TestSettingsDialog::addsAServerFromAPastedShareLink()
{
    const AppSettings original = twoServers();
    ServerProfile shared = validServer(QStringLiteral("Shared one"));
    shared.address = QStringLiteral("shared.example:2053/ws?ed=2048");
    shared.token = QStringLiteral("a&b#c%d+e");
    shared.connectionLimit = 77;
    shared.withoutEch = true;
    const QString link = echw::shareLinkFor(shared, true);

    SettingsDialog dialog(original);
    addFromShareLink(dialog, link);

    const AppSettings settings = dialog.settings();
    QCOMPARE(settings.servers.size(), 3);
    const ServerProfile& added = settings.servers[2];
    QVERIFY(added.id != shared.id);
    QCOMPARE(withoutId(added), withoutId(shared));
    QCOMPARE(settings.activeServerId, original.activeServerId);
    QCOMPARE(find<QLineEdit>(&dialog, QStringLiteral("nameEdit"))->text(),
             QStringLiteral("Shared one"));
}

void TestSettingsDialog::aSharedServerWithATakenNameGetsACopyName()
{
    const AppSettings original = twoServers();
    ServerProfile shared = validServer(QStringLiteral("Alpha"));
    const QString link = echw::shareLinkFor(shared, true);

    SettingsDialog dialog(original);
    addFromShareLink(dialog, link);
    QCOMPARE(names(dialog.settings()), (QStringList{QStringLiteral("Alpha"), QStringLiteral("Beta"),
                                                    QStringLiteral("Alpha (copy)")}));
    QVERIFY(find<QLabel>(&dialog, QStringLiteral("statusLabel"))
                ->text()
                .contains(QStringLiteral("Alpha (copy)")));
}

void TestSettingsDialog::reportsABadShareLink()
{
    const AppSettings original = twoServers();
    SettingsDialog dialog(original);
    const QString warning =
        warningForShareLink(dialog, QStringLiteral("ech-workers://server?v=1&name=x"));
    QVERIFY2(warning.contains(u"address"), qPrintable(warning));
    QCOMPARE(dialog.settings(), original);
}

void TestSettingsDialog::aShareLinkCarriesTheCaCertificateNotItsPath()
{
    QTemporaryDir directory;
    const auto pair = echw::generateSelfSignedCertificate({QStringLiteral("self.test")});
    QVERIFY(std::holds_alternative<echw::CertificatePair>(pair));
    const QByteArray pem = std::get<echw::CertificatePair>(pair).certificatePem;
    const QString caFile = directory.filePath(QStringLiteral("private/place/ca.pem"));
    QVERIFY(QDir().mkpath(QFileInfo(caFile).path()));
    QFile file(caFile);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(pem);
    file.close();

    AppSettings original = twoServers();
    original.servers[0].token.clear(); // no question about the token
    original.servers[0].caFile = caFile;
    SettingsDialog dialog(original);
    QApplication::clipboard()->clear();
    clickButton(&dialog, QStringLiteral("copyShareLinkButton"));
    const QString link = QApplication::clipboard()->text();
    QVERIFY2(link.startsWith(u"ech-workers://"), qPrintable(link));
    QVERIFY2(!link.contains(u"private") && !link.contains(u"caFile"), qPrintable(link));
    QVERIFY(link.contains(u"&ca="));

    // Another machine: the certificate is kept in its own folder, owner-only.
    QTemporaryDir elsewhere;
    SettingsDialog receiver(AppSettings{});
    receiver.setCertificateDirectory(elsewhere.filePath(QStringLiteral("certificates")));
    addFromShareLink(receiver, link);
    QCOMPARE(receiver.settings().servers.size(), 1);
    const QString stored = receiver.settings().servers[0].caFile;
    QVERIFY2(stored.startsWith(elsewhere.path()), qPrintable(stored));
    QFile kept(stored);
    QVERIFY(kept.open(QIODevice::ReadOnly));
    QCOMPARE(echw::pemCertificates(kept.readAll()), echw::pemCertificates(pem));
    QCOMPARE(kept.permissions() & (QFile::ReadGroup | QFile::ReadOther), QFile::Permissions());
    QVERIFY(receiver.settings().validate().isEmpty());
}

void TestSettingsDialog::aShareLinkWhoseCaIsNoCertificateIsRefused()
{
    QTemporaryDir elsewhere;
    SettingsDialog dialog(AppSettings{});
    dialog.setCertificateDirectory(elsewhere.path());
    const QString warning = warningForShareLink(
        dialog, QStringLiteral("ech-workers://server?v=1&name=x&address=x.example%3A443&ca=AAAA"));
    QVERIFY2(warning.contains(u"not a certificate"), qPrintable(warning));
    QVERIFY(dialog.settings().servers.isEmpty());
    QVERIFY(QDir(elsewhere.path()).isEmpty());
}

QTEST_MAIN(TestSettingsDialog)
#include "tst_settingsdialog.moc"
