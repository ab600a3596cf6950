#include "Translation.h"
#include "config/AppSettings.h"
#include "dashboard/DashboardWindow.h"
#include "settings/SettingsDialog.h"
#include "tray/TrayController.h"

#include <QAbstractItemView>
#include <QAction>
#include <QApplication>
#include <QDialogButtonBox>
#include <QFile>
#include <QJsonDocument>
#include <QKeySequence>
#include <QLabel>
#include <QLibraryInfo>
#include <QPushButton>
#include <QRegularExpression>
#include <QSet>
#include <QTabBar>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>

using echw::AppSettings;
using echw::DashboardWindow;
using echw::ServerProfile;
using echw::SettingsDialog;
using echw::TrayController;

namespace {

// QT_TESTCASE_SOURCEDIR is this project's tests/ folder (Qt::Test defines it per target).
const QString kTsFile =
    QStringLiteral(QT_TESTCASE_SOURCEDIR "/../translations/ech-workers_zh_CN.ts");

// One <message> of a .ts file as far as these tests care.
struct TsMessage {
    QString context;
    QString source;
    QString type; // of <translation>: "" when translated, else unfinished/vanished/obsolete
    QStringList translations; // one per numerus form, or the one translation
};

QList<TsMessage> readTs(const QString& path, QString* error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot open %1").arg(path);
        return {};
    }
    QList<TsMessage> messages;
    QString context;
    QXmlStreamReader xml(&file);
    while (!xml.atEnd()) {
        xml.readNext();
        if (!xml.isStartElement())
            continue;
        if (xml.name() == u"name") {
            context = xml.readElementText();
        } else if (xml.name() == u"message") {
            TsMessage message;
            message.context = context;
            while (xml.readNextStartElement()) {
                if (xml.name() == u"source") {
                    message.source = xml.readElementText();
                } else if (xml.name() == u"translation") {
                    message.type = xml.attributes().value(QStringLiteral("type")).toString();
                    QString text;
                    while (!xml.atEnd()) {
                        xml.readNext();
                        if (xml.isCharacters())
                            text += xml.text();
                        else if (xml.isStartElement() && xml.name() == u"numerusform")
                            message.translations.append(xml.readElementText());
                        else if (xml.isEndElement() && xml.name() == u"translation")
                            break;
                    }
                    if (message.translations.isEmpty())
                        message.translations.append(text);
                } else {
                    xml.skipCurrentElement();
                }
            }
            messages.append(message);
        }
    }
    if (xml.hasError())
        *error =
            QStringLiteral("%1: %2 at line %3").arg(path, xml.errorString()).arg(xml.lineNumber());
    return messages;
}

// The %1, %2, ... and %n a text fills in, so a translation cannot lose or invent one.
QSet<QString> placeholders(const QString& text)
{
    static const QRegularExpression pattern(QStringLiteral("%(?:\\d+|n)"));
    QSet<QString> found;
    for (const QRegularExpressionMatch& match : pattern.globalMatch(text))
        found.insert(match.captured());
    return found;
}

QString startButtonText(const DashboardWindow& window)
{
    auto* button = window.findChild<QPushButton*>(QStringLiteral("startStopButton"));
    return button ? button->text() : QString();
}

// The Alt+letter keys of what window shows now (tabs, buttons, labels of fields), each with the
// texts that claim it, where more than one does: a key two controls claim reaches only one.
QStringList accessKeyClashes(QWidget* window)
{
    QMap<QString, QStringList> claims;
    const auto claim = [&](const QString& text) {
        const QKeySequence key = QKeySequence::mnemonic(text);
        if (!key.isEmpty())
            claims[key.toString()].append(text);
    };
    for (const QTabBar* bar : window->findChildren<QTabBar*>()) {
        if (bar->isVisibleTo(window)) {
            for (int i = 0; i < bar->count(); ++i)
                claim(bar->tabText(i));
        }
    }
    for (const QAbstractButton* button : window->findChildren<QAbstractButton*>()) {
        if (button->isVisibleTo(window))
            claim(button->text());
    }
    for (const QLabel* label : window->findChildren<QLabel*>()) {
        if (label->buddy() && label->isVisibleTo(window))
            claim(label->text());
    }
    QStringList clashes;
    for (auto it = claims.cbegin(); it != claims.cend(); ++it) {
        if (it.value().size() > 1)
            clashes.append(it.key() + QStringLiteral(": ") + it.value().join(QStringLiteral(", ")));
    }
    return clashes;
}

// accessKeyClashes() with each of tabs' pages shown in turn, each named by its tab.
QStringList clashesOnEachTab(QWidget* window, QTabWidget* tabs)
{
    QStringList clashes;
    for (int i = 0; i < tabs->count(); ++i) {
        tabs->setCurrentIndex(i);
        for (const QString& clash : accessKeyClashes(window))
            clashes.append(tabs->tabText(i) + QStringLiteral(" tab: ") + clash);
    }
    return clashes;
}

// Every text the window shows or would show on hover: labels, buttons, tooltips, and the items
// and tooltips of its views.
QStringList textsOf(QWidget* window)
{
    QStringList texts;
    for (QWidget* widget : window->findChildren<QWidget*>()) {
        texts.append(widget->toolTip());
        if (const auto* label = qobject_cast<QLabel*>(widget))
            texts.append(label->text());
        if (const auto* view = qobject_cast<QAbstractItemView*>(widget)) {
            const QAbstractItemModel* model = view->model();
            for (int row = 0; model && row < model->rowCount(); ++row) {
                texts.append(model->index(row, 0).data(Qt::DisplayRole).toString());
                texts.append(model->index(row, 0).data(Qt::ToolTipRole).toString());
            }
        }
    }
    texts.removeAll(QString());
    return texts;
}

// The English words of core's problem templates (the echw::Problem context of the catalogue),
// the parts between placeholders long enough to be telling.
QStringList englishProblemWords(const QList<TsMessage>& messages)
{
    static const QRegularExpression placeholder(QStringLiteral("%\\d+"));
    QStringList words;
    for (const TsMessage& message : messages) {
        if (message.context != u"echw::Problem")
            continue;
        for (const QString& part : message.source.split(placeholder)) {
            const QString trimmed = part.trimmed();
            if (trimmed.size() >= 12)
                words.append(trimmed);
        }
    }
    return words;
}

} // namespace

class TestTranslation : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void cleanup() { echw::installTranslation(*qApp, QStringLiteral("en")); }

    void embedsTheChineseCatalogInTheBinary()
    {
        QVERIFY(QFile::exists(QStringLiteral(":/i18n/ech-workers_zh_CN.qm")));
    }

    void showsTheTextsOfTheChosenLanguage_data()
    {
        QTest::addColumn<QString>("language");
        QTest::addColumn<bool>("translated");
        QTest::addColumn<QString>("openDashboard");
        QTest::addColumn<QString>("startProxy");
        QTest::addColumn<QString>("startButton");
        QTest::newRow("zh_CN") << QStringLiteral("zh_CN") << true << QStringLiteral("打开仪表盘")
                               << QStringLiteral("启动代理") << QStringLiteral("启动");
        QTest::newRow("en") << QStringLiteral("en") << false << QStringLiteral("Open dashboard")
                            << QStringLiteral("Start proxy") << QStringLiteral("Start");
        QTest::newRow("no catalog")
            << QStringLiteral("de_DE") << false << QStringLiteral("Open dashboard")
            << QStringLiteral("Start proxy") << QStringLiteral("Start");
    }

    void showsTheTextsOfTheChosenLanguage()
    {
        QFETCH(QString, language);
        QFETCH(bool, translated);
        // From Chinese, so English proves that a second call replaces the first catalog.
        QVERIFY(echw::installTranslation(*qApp, QStringLiteral("zh_CN")));
        QCOMPARE(echw::installTranslation(*qApp, language), translated);

        TrayController tray;
        QTEST(tray.dashboardAction()->text(), "openDashboard");
        QTEST(tray.startStopAction()->text(), "startProxy");
        DashboardWindow window;
        QTEST(startButtonText(window), "startButton");
    }

    // scripts/bootstrap.sh installs Qt's catalogues (qt6-translations-l10n), as the package
    // recommends them.
    void translatesQtsOwnButtons()
    {
        const QString qtCatalog =
            QLibraryInfo::path(QLibraryInfo::TranslationsPath) + QStringLiteral("/qtbase_zh_CN.qm");
        QVERIFY2(QFile::exists(qtCatalog), qPrintable(qtCatalog + QStringLiteral(" is missing")));
        QVERIFY(echw::installTranslation(*qApp, QStringLiteral("zh_CN")));
        QCOMPARE_NE(QCoreApplication::translate("QPlatformTheme", "Cancel"),
                    QStringLiteral("Cancel"));
    }

    void readsTheLanguageFromTheSettingsFile()
    {
        QTemporaryDir directory;
        QVERIFY(directory.isValid());
        const QString path = directory.filePath(QStringLiteral("settings.json"));
        QCOMPARE(echw::settingsLanguage(path), QString());

        AppSettings settings;
        settings.language = QStringLiteral("zh_CN");
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QJsonDocument(settings.toJson()).toJson());
        file.close();
        QCOMPARE(echw::settingsLanguage(path), QStringLiteral("zh_CN"));

        // A broken file means the system locale, and stays where it is for launch() to report.
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write("{ not json");
        file.close();
        QCOMPARE(echw::settingsLanguage(path), QString());
        QVERIFY(QFile::exists(path));
    }

    void noTwoControlsShareAnAccessKey_data()
    {
        QTest::addColumn<QString>("language");
        QTest::newRow("en") << QStringLiteral("en");
        QTest::newRow("zh_CN") << QStringLiteral("zh_CN");
    }

    void noTwoControlsShareAnAccessKey()
    {
        QFETCH(QString, language);
        echw::installTranslation(*qApp, language);

        AppSettings settings;
        ServerProfile server;
        server.id = ServerProfile::newId();
        server.name = QStringLiteral("Worker");
        server.address = QStringLiteral("worker.example:443");
        settings.servers = {server};
        settings.activeServerId = server.id;
        SettingsDialog dialog(settings);
        dialog.show();
        auto* tabs = dialog.findChild<QTabWidget*>(QStringLiteral("tabs"));
        QVERIFY(tabs);
        QStringList clashes = clashesOnEachTab(&dialog, tabs);

        DashboardWindow window;
        window.show();
        auto* pages = window.findChild<QTabWidget*>();
        QVERIFY(pages);
        clashes += clashesOnEachTab(&window, pages);
        QVERIFY2(clashes.isEmpty(), qPrintable(clashes.join(QStringLiteral("; "))));
    }

    // Core reports a settings issue as a problem with its values; the dialog renders it in the
    // chosen language, so none of core's English reaches a Chinese window.
    void showsCoresProblemsInTheChosenLanguage()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QFile rules(dir.filePath(QStringLiteral("rules.txt")));
        QVERIFY(rules.open(QIODevice::WriteOnly));
        rules.write("suffix:example.com tunnel\nsuffix:example.org teleport\n");
        rules.close();

        AppSettings settings;
        ServerProfile server;
        server.id = ServerProfile::newId();
        server.name = QStringLiteral("Worker");
        server.address = QStringLiteral("https://worker.example:443");
        server.dohServer = QStringLiteral("http://doh.example/dns-query");
        settings.servers = {server};
        settings.activeServerId = server.id;
        settings.listen = QStringLiteral("127.0.0.1:99999");
        settings.rulesFile = rules.fileName();

        QStringList english;
        for (const echw::SettingsIssue& issue : settings.validate())
            english.append(issue.message());
        QVERIFY2(english.size() >= 4, qPrintable(english.join(u'\n')));

        QVERIFY(echw::installTranslation(*qApp, QStringLiteral("zh_CN")));
        QStringList chinese;
        for (const echw::SettingsIssue& issue : settings.validate())
            chinese.append(issue.message());
        SettingsDialog dialog(settings);
        dialog.show();
        auto* buttons = dialog.findChild<QDialogButtonBox*>(QStringLiteral("buttonBox"));
        QVERIFY(buttons);
        QTest::mouseClick(buttons->button(QDialogButtonBox::Ok), Qt::LeftButton);
        QVERIFY(dialog.isVisible()); // refused: the issues are shown instead
        const QString shown = textsOf(&dialog).join(u'\n');

        for (const QString& message : std::as_const(chinese))
            QVERIFY2(shown.contains(message), qPrintable(message + u'\n' + shown));
        for (const QString& message : std::as_const(english))
            QVERIFY2(!shown.contains(message), qPrintable(message));
        QString error;
        for (const QString& words : englishProblemWords(readTs(kTsFile, &error)))
            QVERIFY2(!shown.contains(words), qPrintable(words + u'\n' + shown));
        QVERIFY2(error.isEmpty(), qPrintable(error));
    }

    // Fails as soon as a string is added to the code without a Chinese translation: run
    // `cmake --build build/dev --target update_translations` and translate what it names.
    void translatesEveryMessage()
    {
        QString error;
        const QList<TsMessage> messages = readTs(kTsFile, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY(!messages.isEmpty());

        QStringList untranslated;
        QStringList badPlaceholders;
        for (const TsMessage& message : messages) {
            const QString where = QStringLiteral("%1: \"%2\"").arg(message.context, message.source);
            const bool empty =
                std::any_of(message.translations.cbegin(), message.translations.cend(),
                            [](const QString& text) { return text.isEmpty(); });
            if (!message.type.isEmpty() || empty) {
                untranslated.append(message.type.isEmpty()
                                        ? where
                                        : QStringLiteral("%1 (%2)").arg(where, message.type));
                continue;
            }
            for (const QString& translation : message.translations) {
                if (placeholders(translation) != placeholders(message.source))
                    badPlaceholders.append(where + QStringLiteral(" -> \"%1\"").arg(translation));
            }
        }
        QVERIFY2(untranslated.isEmpty(),
                 qPrintable(QStringLiteral("%1 message(s) of %2 are not translated:\n  %3")
                                .arg(untranslated.size())
                                .arg(kTsFile, untranslated.join(QStringLiteral("\n  ")))));
        QVERIFY2(badPlaceholders.isEmpty(),
                 qPrintable(QStringLiteral("translations with other placeholders than their "
                                           "source:\n  %1")
                                .arg(badPlaceholders.join(QStringLiteral("\n  ")))));
    }
};

QTEST_MAIN(TestTranslation)
#include "tst_translation.moc"
