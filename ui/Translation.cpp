#include "Translation.h"

#include "config/AppSettings.h"

#include <QCoreApplication>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLibraryInfo>
#include <QLocale>
#include <QLoggingCategory>
#include <QTranslator>

namespace echw {

Q_LOGGING_CATEGORY(lcTranslation, "echw.translation")

namespace {

// Where qt_add_translations embeds the .qm files (RESOURCE_PREFIX in ui/CMakeLists.txt).
const QString kResourceDirectory = QStringLiteral(":/i18n");
const QString kAppCatalog = QStringLiteral("ech-workers");
const QString kQtCatalog = QStringLiteral("qtbase");

// Our translators are children of the application object, found again by this name.
const QString kTranslatorName = QStringLiteral("echw.translator");

void removeInstalled(QCoreApplication& app)
{
    const auto installed =
        app.findChildren<QTranslator*>(kTranslatorName, Qt::FindDirectChildrenOnly);
    for (QTranslator* translator : installed) {
        QCoreApplication::removeTranslator(translator);
        delete translator;
    }
}

// Loads `catalog`_<best match for locale>.qm from `directory` and installs it on `app`.
bool install(QCoreApplication& app, const QLocale& locale, const QString& catalog,
             const QString& directory)
{
    auto* translator = new QTranslator(&app);
    translator->setObjectName(kTranslatorName);
    if (!translator->load(locale, catalog, QStringLiteral("_"), directory) ||
        !QCoreApplication::installTranslator(translator)) {
        delete translator;
        return false;
    }
    return true;
}

} // namespace

bool installTranslation(QCoreApplication& app, const QString& language)
{
    removeInstalled(app);

    const QLocale locale = language.isEmpty() ? QLocale::system() : QLocale(language);
    // English is the source language: nothing to load, and a system locale of C or en_* must
    // not pick up another language from the locale's list of UI languages.
    if (locale.language() == QLocale::English || locale.language() == QLocale::C)
        return false;

    if (!install(app, locale, kAppCatalog, kResourceDirectory)) {
        qCInfo(lcTranslation, "no translation for %s; the texts stay in English",
               qPrintable(locale.name()));
        return false;
    }
    const bool qtTranslated =
        install(app, locale, kQtCatalog, QLibraryInfo::path(QLibraryInfo::TranslationsPath));
    qCInfo(lcTranslation, "texts in %s (Qt's own texts %s)", qPrintable(locale.name()),
           qtTranslated ? "translated too" : "in English");
    return true;
}

QString settingsLanguage(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll());
    const auto parsed = AppSettings::fromJson(document.object());
    const auto* settings = std::get_if<AppSettings>(&parsed);
    return settings ? settings->language : QString();
}

} // namespace echw
