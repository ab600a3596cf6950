#pragma once

#include <QtGlobal>

namespace echw::bench {

// What /proc says about one process at one moment (Linux only).
struct ProcessSample {
    double cpuSeconds = 0; // user + system time of all its threads
    qint64 rssBytes = 0;   // VmRSS
    int openFiles = 0;     // entries in /proc/<pid>/fd
};

ProcessSample sampleProcess(qint64 pid);
// User + system CPU time of this process, for the load driver's own share.
double ownCpuSeconds();
// Raises the soft RLIMIT_NOFILE to the hard limit (children inherit it); returns the new limit.
qint64 raiseOpenFileLimit();

} // namespace echw::bench
