#pragma once

#include "ClosedConnectionModel.h"
#include "metrics/EngineSnapshot.h"

#include <QByteArray>
#include <QList>
#include <QTime>
#include <QWidget>

class QLabel;
class QLineEdit;
class QPoint;
class QPushButton;
class QStackedWidget;
class QTableView;

namespace echw {

class ConnectionTableModel;
class TextFilterModel;

// The dashboard's Connections tab: the open connections (in the order the engine sorted them)
// or the history of finished ones, under one filter box. Pause freezes both tables while the
// user reads; what finishes meanwhile waits, bounded by the history's capacity, and is shown on
// resume. Closing asks through closeRequested: the engine owns the connections.
class ConnectionsPanel final : public QWidget {
    Q_OBJECT
public:
    enum class Page { Open, Closed };

    explicit ConnectionsPanel(QWidget* parent = nullptr);
    ~ConnectionsPanel() override;

    // One snapshot: the live connections in display order, and the ones that finished since the
    // previous snapshot (oldest first, `droppedClosed` more left out by the engine's cap).
    void apply(const QList<ConnectionSample>& open, const QList<ConnectionSample>& closed,
               quint64 droppedClosed, const QTime& at);

    void setPaused(bool paused);
    bool isPaused() const { return m_paused; }
    void showPage(Page page);
    Page page() const;
    // Asks to close every open connection the filter shows.
    void closeAllShown();
    void clearHistory();

    // Header states for WindowMemory. Restoring the open table's asks the engine for the
    // restored order when it is one the engine has.
    QByteArray openHeaderState() const;
    QByteArray closedHeaderState() const;
    void restoreHeaderStates(const QByteArray& open, const QByteArray& closed);

    QLineEdit* filterEdit() const { return m_filterEdit; }
    QTableView* openView() const { return m_openView; }
    QTableView* closedView() const { return m_closedView; }
    ConnectionTableModel* openModel() const { return m_openModel; }
    ClosedConnectionModel* closedModel() const { return m_closedModel; }

Q_SIGNALS:
    void closeRequested(quint64 id);
    void sortRequested(const echw::ConnectionSort& sort);

private:
    QTableView* createOpenView();
    QTableView* createClosedView();
    void stretchColumns();
    void onSortIndicatorChanged(int column, Qt::SortOrder order);
    void closeSelected();
    void showOpenMenu(const QPoint& position);
    void updateButtons();
    void updateDroppedNotice();

    ConnectionTableModel* m_openModel;
    ClosedConnectionModel* m_closedModel;
    TextFilterModel* m_openFilter;
    TextFilterModel* m_closedFilter;

    QLineEdit* m_filterEdit = nullptr;
    QPushButton* m_openButton = nullptr;
    QPushButton* m_closedButton = nullptr;
    QPushButton* m_pauseButton = nullptr;
    QPushButton* m_closeButton = nullptr;
    QPushButton* m_closeAllButton = nullptr;
    QPushButton* m_clearButton = nullptr;
    QLabel* m_droppedNotice = nullptr;
    QStackedWidget* m_pages = nullptr;
    QTableView* m_openView = nullptr;
    QTableView* m_closedView = nullptr;

    int m_sortColumn = -1;
    Qt::SortOrder m_sortOrder = Qt::AscendingOrder;

    bool m_paused = false;
    QList<ConnectionSample> m_latestOpen; // while paused: the newest snapshot's
    QList<ClosedConnection> m_waiting;    // while paused; at most the history's capacity
    quint64 m_droppedClosed = 0;          // finished connections the history never received
};

} // namespace echw
