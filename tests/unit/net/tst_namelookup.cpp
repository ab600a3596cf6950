#include "net/NameLookup.h"
#include "system/EventLoopThread.h"

#include <QTest>
#include <QThread>

#include <atomic>
#include <memory>
#include <vector>

using namespace echw;

namespace {

// Requests lookups on the thread it lives on and counts the answers.
class Requester final : public QObject {
public:
    explicit Requester(std::shared_ptr<std::atomic<int>> answers)
        : m_answers(std::move(answers))
    {}

    void lookUp(const QString& host, int count)
    {
        for (int i = 0; i < count; ++i)
            m_lookups.push_back(std::make_unique<NameLookup>(
                host, this, [answers = m_answers](const QHostInfo&) { answers->fetch_add(1); }));
    }

private:
    std::shared_ptr<std::atomic<int>> m_answers;
    std::vector<std::unique_ptr<NameLookup>> m_lookups;
};

// The lookup threads take their work in order: once lookups asked now (one per thread) have
// been answered, everything asked before them has had its chance to call back.
bool drainLookupThreads(QObject* context)
{
    bool answered = false;
    std::vector<std::unique_ptr<NameLookup>> later;
    for (int i = 0; i < NameLookup::kThreads; ++i)
        later.push_back(std::make_unique<NameLookup>(QStringLiteral("localhost"), context,
                                                     [&](const QHostInfo&) { answered = true; }));
    if (!QTest::qWaitFor([&] { return answered; }, 10'000))
        return false;
    QCoreApplication::processEvents();
    return true;
}

} // namespace

class TestNameLookup : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void answersOnTheRequestersThread()
    {
        EventLoopThread thread(QStringLiteral("requester"));
        QObject* context = thread.adopt(std::make_unique<QObject>());
        std::unique_ptr<NameLookup> lookup;
        std::atomic<QThread*> answeredOn = nullptr;
        QList<QHostAddress> addresses;
        std::atomic<bool> done = false;
        QMetaObject::invokeMethod(
            context,
            [&] {
                lookup = std::make_unique<NameLookup>(QStringLiteral("localhost"), context,
                                                      [&](const QHostInfo& info) {
                                                          addresses = info.addresses();
                                                          answeredOn = QThread::currentThread();
                                                          done = true;
                                                      });
            },
            Qt::BlockingQueuedConnection);
        QTRY_VERIFY_WITH_TIMEOUT(done.load(), 10'000);
        QCOMPARE(answeredOn.load(), context->thread());
        QVERIFY(addresses.contains(QHostAddress::LocalHost) ||
                addresses.contains(QHostAddress::LocalHostIPv6));
        // Destroyed on the thread that made it, like any member of an engine object.
        QMetaObject::invokeMethod(
            context, [&] { lookup.reset(); }, Qt::BlockingQueuedConnection);
    }

    void reportsANameThatDoesNotResolve()
    {
        std::optional<QHostInfo> answer;
        // A label over 63 octets (RFC 1035): refused before any query leaves the machine.
        NameLookup lookup(QString(64, QLatin1Char('a')) + QStringLiteral(".test"), this,
                          [&](const QHostInfo& info) { answer = info; });
        QTRY_VERIFY_WITH_TIMEOUT(answer.has_value(), 10'000);
        QVERIFY(answer->error() != QHostInfo::NoError);
        QVERIFY(answer->addresses().isEmpty());
    }

    // A cancelled lookup's answer is dropped: the callback, and whatever it points at, is
    // never used again.
    void aDestroyedLookupNeverCallsBack()
    {
        int cancelledAnswers = 0;
        for (int i = 0; i < 500; ++i)
            NameLookup(QStringLiteral("localhost"), this,
                       [&](const QHostInfo&) { ++cancelledAnswers; });
        QVERIFY(drainLookupThreads(this));
        QCOMPARE(cancelledAnswers, 0);
    }

    // The case that corrupted the heap with QHostInfo::lookupHost: engine threads that end (and
    // delete their objects) while their lookups are still running or queued.
    void threadsEndingWithLookupsInFlight()
    {
        auto answersAfterStop = std::make_shared<std::atomic<int>>(0);
        for (int round = 0; round < 50; ++round) {
            auto answers = std::make_shared<std::atomic<int>>(0);
            {
                EventLoopThread thread(QStringLiteral("engine-%1").arg(round));
                Requester* requester = thread.adopt(std::make_unique<Requester>(answers));
                QMetaObject::invokeMethod(
                    requester,
                    [requester] {
                        requester->lookUp(QStringLiteral("localhost"), 40);
                        requester->lookUp(QHostInfo::localHostName(), 10);
                    },
                    Qt::BlockingQueuedConnection);
                QVERIFY(thread.stop());
            }
            const int atStop = answers->load();
            QVERIFY(drainLookupThreads(this));
            answersAfterStop->fetch_add(answers->load() - atStop);
        }
        QCOMPARE(answersAfterStop->load(), 0);
    }
};

QTEST_GUILESS_MAIN(TestNameLookup)
#include "tst_namelookup.moc"
