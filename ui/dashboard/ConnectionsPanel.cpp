#include "ConnectionsPanel.h"

#include "ConnectionTableModel.h"
#include "TableSetup.h"
#include "TextFilterModel.h"

#include <QAction>
#include <QButtonGroup>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPushButton>
#include <QSignalBlocker>
#include <QStackedWidget>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>
#include <climits>
#include <utility>

namespace echw {

ConnectionsPanel::ConnectionsPanel(QWidget* parent)
    : QWidget(parent)
    , m_openModel(new ConnectionTableModel(this))
    , m_closedModel(new ClosedConnectionModel(ClosedConnectionModel::kDefaultCapacity, this))
    , m_openFilter(new TextFilterModel({ConnectionTableModel::Target, ConnectionTableModel::Via,
                                        ConnectionTableModel::Route, ConnectionTableModel::Matched},
                                       this))
    , m_closedFilter(
          new TextFilterModel({ClosedConnectionModel::Target, ClosedConnectionModel::Via,
                               ClosedConnectionModel::Route, ClosedConnectionModel::Matched},
                              this))
{
    m_openFilter->setSourceModel(m_openModel);
    m_closedFilter->setSourceModel(m_closedModel);

    m_filterEdit = new QLineEdit(this);
    m_filterEdit->setObjectName(QStringLiteral("connectionsFilterEdit"));
    m_filterEdit->setPlaceholderText(tr("Filter by target, inbound, route or rule"));
    m_filterEdit->setClearButtonEnabled(true);
    connect(m_filterEdit, &QLineEdit::textChanged, this, [this](const QString& text) {
        m_openFilter->setText(text);
        m_closedFilter->setText(text);
    });

    m_openButton = new QPushButton(tr("Open"), this);
    m_openButton->setObjectName(QStringLiteral("openConnectionsButton"));
    m_openButton->setToolTip(tr("The connections open now"));
    m_closedButton = new QPushButton(tr("Closed"), this);
    m_closedButton->setObjectName(QStringLiteral("closedConnectionsButton"));
    m_closedButton->setToolTip(tr("The last %n connections that finished, with their final counts",
                                  "", m_closedModel->capacity()));
    auto* pageGroup = new QButtonGroup(this);
    for (QPushButton* button : {m_openButton, m_closedButton}) {
        button->setCheckable(true);
        pageGroup->addButton(button);
    }
    m_openButton->setChecked(true);
    connect(m_openButton, &QPushButton::toggled, this,
            [this](bool open) { showPage(open ? Page::Open : Page::Closed); });

    m_pauseButton = new QPushButton(this);
    m_pauseButton->setObjectName(QStringLiteral("connectionsPauseButton"));
    m_pauseButton->setCheckable(true);
    connect(m_pauseButton, &QPushButton::toggled, this, &ConnectionsPanel::setPaused);

    m_closeButton = new QPushButton(tr("Close"), this);
    m_closeButton->setObjectName(QStringLiteral("closeConnectionButton"));
    m_closeButton->setToolTip(tr("Close the selected connections"));
    connect(m_closeButton, &QPushButton::clicked, this, &ConnectionsPanel::closeSelected);
    m_closeAllButton = new QPushButton(tr("Close All"), this);
    m_closeAllButton->setObjectName(QStringLiteral("closeAllConnectionsButton"));
    m_closeAllButton->setToolTip(tr("Close every connection the filter shows"));
    connect(m_closeAllButton, &QPushButton::clicked, this, &ConnectionsPanel::closeAllShown);
    m_clearButton = new QPushButton(tr("Clear"), this);
    m_clearButton->setObjectName(QStringLiteral("clearHistoryButton"));
    m_clearButton->setToolTip(tr("Forget the finished connections"));
    connect(m_clearButton, &QPushButton::clicked, this, &ConnectionsPanel::clearHistory);

    // What both pages share comes first, so switching pages moves none of it.
    auto* bar = new QHBoxLayout;
    bar->addWidget(m_openButton);
    bar->addWidget(m_closedButton);
    bar->addWidget(m_pauseButton);
    bar->addWidget(m_filterEdit, 1);
    bar->addWidget(m_closeButton);
    bar->addWidget(m_closeAllButton);
    bar->addWidget(m_clearButton);

    m_droppedNotice = new QLabel(this);
    m_droppedNotice->setObjectName(QStringLiteral("droppedClosedNotice"));
    m_droppedNotice->setWordWrap(true);
    m_droppedNotice->hide();

    m_pages = new QStackedWidget(this);
    m_pages->addWidget(createOpenView());
    m_pages->addWidget(createClosedView());

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(m_droppedNotice);
    layout->addWidget(m_pages);

    for (QAbstractItemModel* model : {static_cast<QAbstractItemModel*>(m_openFilter),
                                      static_cast<QAbstractItemModel*>(m_closedFilter)}) {
        connect(model, &QAbstractItemModel::rowsInserted, this, &ConnectionsPanel::updateButtons);
        connect(model, &QAbstractItemModel::rowsRemoved, this, &ConnectionsPanel::updateButtons);
        connect(model, &QAbstractItemModel::modelReset, this, &ConnectionsPanel::updateButtons);
        connect(model, &QAbstractItemModel::layoutChanged, this, &ConnectionsPanel::updateButtons);
    }
    connect(m_openView->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &ConnectionsPanel::updateButtons);
    updateButtons();
}

ConnectionsPanel::~ConnectionsPanel() = default;

QTableView* ConnectionsPanel::createOpenView()
{
    m_openView = new QTableView(this);
    m_openView->setObjectName(QStringLiteral("connectionsView"));
    m_openView->setModel(m_openFilter);
    configureTable(m_openView);
    // The engine thread sorts; the view only shows which column it was asked for.
    m_openView->setSortingEnabled(false);
    QHeaderView* header = m_openView->horizontalHeader();
    header->setSectionsClickable(true);
    header->setSortIndicatorShown(true);
    header->setSortIndicator(m_sortColumn, m_sortOrder);
    connect(header, &QHeaderView::sortIndicatorChanged, this,
            &ConnectionsPanel::onSortIndicatorChanged);
    // Every column fits the default window width, Duration included; a wider window widens
    // what gets cut first, the target and the reason.
    setColumnWidths(m_openView, {{ConnectionTableModel::Via, 90},
                                 {ConnectionTableModel::Route, 70},
                                 {ConnectionTableModel::Up, 75},
                                 {ConnectionTableModel::Down, 80},
                                 {ConnectionTableModel::UpRate, 80},
                                 {ConnectionTableModel::DownRate, 85},
                                 {ConnectionTableModel::Duration, 70}});
    offerColumnChoice(m_openView);

    m_openView->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_openView, &QWidget::customContextMenuRequested, this,
            &ConnectionsPanel::showOpenMenu);
    // Only while the table has the focus: Delete in the filter box deletes text.
    auto* close = new QAction(m_openView);
    close->setShortcut(QKeySequence(QKeySequence::Delete));
    close->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(close, &QAction::triggered, this, &ConnectionsPanel::closeSelected);
    m_openView->addAction(close);
    return m_openView;
}

QTableView* ConnectionsPanel::createClosedView()
{
    m_closedView = new QTableView(this);
    m_closedView->setObjectName(QStringLiteral("closedConnectionsView"));
    m_closedView->setModel(m_closedFilter);
    configureTable(m_closedView);
    setColumnWidths(m_closedView, {{ClosedConnectionModel::Closed, 80},
                                   {ClosedConnectionModel::Via, 90},
                                   {ClosedConnectionModel::Route, 70},
                                   {ClosedConnectionModel::Up, 75},
                                   {ClosedConnectionModel::Down, 80},
                                   {ClosedConnectionModel::Duration, 70}});
    offerColumnChoice(m_closedView);
    stretchColumns();
    return m_closedView;
}

void ConnectionsPanel::stretchColumns()
{
    echw::stretchColumns(m_openView, {ConnectionTableModel::Target, ConnectionTableModel::Matched});
    echw::stretchColumns(m_closedView,
                         {ClosedConnectionModel::Target, ClosedConnectionModel::Matched});
}

void ConnectionsPanel::apply(const QList<ConnectionSample>& open,
                             const QList<ConnectionSample>& closed, quint64 droppedClosed,
                             const QTime& at)
{
    m_droppedClosed += droppedClosed;
    QList<ClosedConnection> finished;
    finished.reserve(closed.size());
    for (const ConnectionSample& sample : closed)
        finished.append({sample, at});

    if (m_paused) {
        m_latestOpen = open;
        // Only the newest the history could hold are worth keeping.
        m_waiting.append(std::move(finished));
        const qsizetype excess = m_waiting.size() - m_closedModel->capacity();
        if (excess > 0)
            m_waiting.remove(0, excess);
        updateButtons();
        return;
    }
    m_openModel->apply(open);
    m_closedModel->append(finished);
    if (droppedClosed > 0)
        updateDroppedNotice();
}

void ConnectionsPanel::setPaused(bool paused)
{
    if (paused == m_paused)
        return;
    m_paused = paused;
    if (paused) {
        m_latestOpen = m_openModel->rows();
    } else {
        m_openModel->apply(std::exchange(m_latestOpen, {}));
        m_closedModel->append(std::exchange(m_waiting, {}));
        updateDroppedNotice();
    }
    updateButtons();
}

void ConnectionsPanel::showPage(Page page)
{
    const bool open = page == Page::Open;
    {
        const QSignalBlocker blocker(m_openButton);
        m_openButton->setChecked(open);
        m_closedButton->setChecked(!open);
    }
    m_pages->setCurrentIndex(open ? 0 : 1);
    updateButtons();
    updateDroppedNotice();
}

ConnectionsPanel::Page ConnectionsPanel::page() const
{
    return m_pages->currentIndex() == 0 ? Page::Open : Page::Closed;
}

void ConnectionsPanel::closeAllShown()
{
    for (int row = 0; row < m_openFilter->rowCount(); ++row) {
        Q_EMIT closeRequested(m_openFilter->index(row, 0)
                                  .data(ConnectionTableModel::ConnectionIdRole)
                                  .value<quint64>());
    }
}

void ConnectionsPanel::clearHistory()
{
    m_closedModel->clear();
    m_waiting.clear();
    m_droppedClosed = 0;
    updateDroppedNotice();
    updateButtons();
}

QByteArray ConnectionsPanel::openHeaderState() const
{
    return m_openView->horizontalHeader()->saveState();
}

QByteArray ConnectionsPanel::closedHeaderState() const
{
    return m_closedView->horizontalHeader()->saveState();
}

void ConnectionsPanel::restoreHeaderStates(const QByteArray& open, const QByteArray& closed)
{
    QHeaderView* header = m_openView->horizontalHeader();
    {
        const QSignalBlocker blocker(header);
        header->restoreState(open);
    }
    if (!closed.isEmpty())
        m_closedView->horizontalHeader()->restoreState(closed);
    // A state saved by an older version may hold other resize modes.
    stretchColumns();
    // The engine sorts: it is asked for the restored order, when it is one it has.
    if (header->sortIndicatorSection() != m_sortColumn ||
        header->sortIndicatorOrder() != m_sortOrder)
        onSortIndicatorChanged(header->sortIndicatorSection(), header->sortIndicatorOrder());
}

void ConnectionsPanel::onSortIndicatorChanged(int column, Qt::SortOrder order)
{
    if (!ConnectionTableModel::isSortable(column)) {
        // The engine has no order for this column: keep showing the one in effect.
        const QSignalBlocker blocker(m_openView->horizontalHeader());
        m_openView->horizontalHeader()->setSortIndicator(m_sortColumn, m_sortOrder);
        return;
    }
    m_sortColumn = column;
    m_sortOrder = order;
    Q_EMIT sortRequested(ConnectionTableModel::sortFor(column, order));
}

void ConnectionsPanel::closeSelected()
{
    const QModelIndexList rows = m_openView->selectionModel()->selectedRows();
    for (const QModelIndex& row : rows)
        Q_EMIT closeRequested(row.data(ConnectionTableModel::ConnectionIdRole).value<quint64>());
}

void ConnectionsPanel::showOpenMenu(const QPoint& position)
{
    const QModelIndex index = m_openView->indexAt(position);
    if (!index.isValid())
        return;
    const quint64 id = index.data(ConnectionTableModel::ConnectionIdRole).value<quint64>();
    QMenu menu(this);
    QAction* close = menu.addAction(tr("Close connection"));
    if (menu.exec(m_openView->viewport()->mapToGlobal(position)) == close)
        Q_EMIT closeRequested(id);
}

void ConnectionsPanel::updateButtons()
{
    const bool open = page() == Page::Open;
    m_closeButton->setVisible(open);
    m_closeAllButton->setVisible(open);
    m_clearButton->setVisible(!open);
    m_closeButton->setEnabled(m_openView->selectionModel()->hasSelection());
    m_closeAllButton->setEnabled(m_openFilter->rowCount() > 0);
    m_clearButton->setEnabled(m_closedModel->rowCount() > 0 || !m_waiting.isEmpty() ||
                              m_droppedClosed > 0);

    const QSignalBlocker blocker(m_pauseButton);
    m_pauseButton->setChecked(m_paused);
    m_pauseButton->setText(m_paused ? tr("Resume (%n finished)", "", int(m_waiting.size()))
                                    : tr("Pause"));
    m_pauseButton->setToolTip(m_paused ? tr("Show the connections as they are now")
                                       : tr("Stop updating the tables while you read"));
}

void ConnectionsPanel::updateDroppedNotice()
{
    // Shown with the history it concerns; the engine reports at most a few hundred finished
    // connections a second.
    const bool shown = m_droppedClosed > 0 && page() == Page::Closed;
    if (shown) {
        m_droppedNotice->setText(
            tr("%n finished connections are missing here: more ended at once than the history "
               "takes in.",
               "", int(std::min<quint64>(m_droppedClosed, INT_MAX))));
    }
    m_droppedNotice->setVisible(shown);
}

} // namespace echw
