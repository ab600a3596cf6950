#pragma once

#include "config/FlagParser.h"
#include "config/ProxySettings.h"

#include <QProcessEnvironment>
#include <QStringList>

namespace echw {

// The headless client's command line: the reference client's flags (single dash, Go style:
// `-flag value` or `-flag=value`; booleans bare or `=true/false`), with the same defaults.
struct CommandLine {
    using Action = FlagAction;

    Action action = Action::Run;
    ProxySettings settings;
    QString logLevel = QStringLiteral("info");
    bool updateLists = false; // -update-lists: a one-off job instead of the proxy
    int threads = 0;          // -threads: engine threads; 0 means one per core
    QString error;            // Action::Error: one line naming the flag

    // `arguments` without the program name; `environment` supplies ECH_WORKERS_TOKEN and
    // ECH_WORKERS_AUTH, which count when no flag gives the token or the login.
    static CommandLine
    parse(const QStringList& arguments,
          const QProcessEnvironment& environment = QProcessEnvironment::systemEnvironment());
    static QString help();
};

} // namespace echw
