#pragma once

#include <QString>
#include <QStringList>

#include <memory>

namespace echw {

// Something the user has to put right, as data: which message (its English template, marked
// for translation where it is written, is its code) and the values it names. text() renders it
// in the language of the installed translator, so the desktop app shows it in the user's
// language and the command line, which installs none, in English.
//
//     return Problem::of(QT_TRANSLATE_NOOP("echw::Problem", "\"%1\" is not a domain name"),
//                        {text});
struct Problem {
    // The translation context of every template (lupdate reads core/ for it).
    static constexpr const char* kContext = "echw::Problem";

    const char* message = ""; // a QT_TRANSLATE_NOOP literal: static storage, never freed
    QStringList args;         // %1, %2, ... in order
    // What this problem comes from, rendered into the last placeholder after args: "line 3:
    // ...: <cause>", so each part is translated on its own.
    std::shared_ptr<const Problem> cause;

    static Problem of(const char* message, QStringList args = {});
    static Problem because(const char* message, QStringList args, Problem cause);

    QString text() const;
    // The template without translation or values: what a caller tells one problem from another
    // by.
    QLatin1StringView code() const { return QLatin1StringView(message); }

    bool operator==(const Problem& other) const;
};

} // namespace echw
