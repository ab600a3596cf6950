#pragma once

#include <QString>

class QCoreApplication;

namespace echw {

// Installs the app's translation for `language` on `app`, plus Qt's own (qtbase) one so the
// standard dialog buttons match. "" follows the system locale, "en" (the source language)
// installs nothing. Translations installed by an earlier call are removed first.
// Returns true when a translation of the app's texts is in effect.
bool installTranslation(QCoreApplication& app, const QString& language);

// The language the settings file at `path` asks for, read without changing the file: the
// texts must be chosen before any widget exists, and a missing or broken file ("", the system
// locale) is reported later by AppController::launch().
QString settingsLanguage(const QString& path);

} // namespace echw
