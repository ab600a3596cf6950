#include "OncePerProcess.h"

#include <QMutex>
#include <QSet>

namespace echw {

bool firstTimeInProcess(const QString& key)
{
    // Bounded by what the keys name (settings, servers), not by traffic.
    static QMutex mutex;
    static QSet<QString> seen;
    const QMutexLocker lock(&mutex);
    if (seen.contains(key))
        return false;
    seen.insert(key);
    return true;
}

} // namespace echw
