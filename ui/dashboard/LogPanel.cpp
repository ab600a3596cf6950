#include "LogPanel.h"

#include "LogFilterModel.h"
#include "LogModel.h"
#include "TableSetup.h"
#include "system/PrivateFile.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSignalBlocker>
#include <QStandardPaths>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>
#include <climits>
#include <utility>

namespace echw {

LogPanel::LogPanel(QWidget* parent)
    : QWidget(parent)
    , m_model(new LogModel(LogModel::kDefaultCapacity, this))
    , m_filter(new LogFilterModel(this))
{
    m_filter->setLogModel(m_model);
    m_filter->setMinimumLevel(QtInfoMsg);

    m_levelCombo = new QComboBox(this);
    m_levelCombo->setObjectName(QStringLiteral("logLevelCombo"));
    for (QtMsgType level : {QtDebugMsg, QtInfoMsg, QtWarningMsg, QtCriticalMsg})
        m_levelCombo->addItem(LogModel::levelName(level), int(level));
    m_levelCombo->setCurrentIndex(m_levelCombo->findData(int(QtInfoMsg)));
    m_levelCombo->setToolTip(tr("Debug lines are collected only while Debug is chosen"));
    connect(m_levelCombo, &QComboBox::currentIndexChanged, this, [this] {
        const auto level = QtMsgType(m_levelCombo->currentData().toInt());
        m_filter->setMinimumLevel(level);
        Q_EMIT levelChosen(level);
    });

    m_searchEdit = new QLineEdit(this);
    m_searchEdit->setObjectName(QStringLiteral("logSearchEdit"));
    m_searchEdit->setPlaceholderText(tr("Search the log"));
    m_searchEdit->setClearButtonEnabled(true);
    connect(m_searchEdit, &QLineEdit::textChanged, m_filter, &LogFilterModel::setSearchText);

    m_pauseButton = new QPushButton(this);
    m_pauseButton->setObjectName(QStringLiteral("logPauseButton"));
    m_pauseButton->setCheckable(true);
    connect(m_pauseButton, &QPushButton::toggled, this, &LogPanel::setPaused);
    m_clearButton = new QPushButton(tr("Clear"), this);
    m_clearButton->setObjectName(QStringLiteral("logClearButton"));
    connect(m_clearButton, &QPushButton::clicked, this, &LogPanel::clear);
    m_copyButton = new QPushButton(tr("Copy"), this);
    m_copyButton->setObjectName(QStringLiteral("logCopyButton"));
    m_copyButton->setToolTip(tr("Copy the selected lines, or every shown line"));
    connect(m_copyButton, &QPushButton::clicked, this, &LogPanel::copyToClipboard);
    m_saveButton = new QPushButton(tr("Save…"), this);
    m_saveButton->setObjectName(QStringLiteral("logSaveButton"));
    m_saveButton->setToolTip(tr("Save every shown line to a file"));
    connect(m_saveButton, &QPushButton::clicked, this, &LogPanel::askWhereToSave);
    updatePauseButton();

    auto* filters = new QHBoxLayout;
    filters->addWidget(new QLabel(tr("Level"), this));
    filters->addWidget(m_levelCombo);
    filters->addWidget(m_searchEdit, 1);
    filters->addWidget(m_pauseButton);
    filters->addWidget(m_clearButton);
    filters->addWidget(m_copyButton);
    filters->addWidget(m_saveButton);

    m_saveResult = new QLabel(this);
    m_saveResult->setObjectName(QStringLiteral("logSaveResult"));
    m_saveResult->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_saveResult->hide();

    m_view = new QTableView(this);
    m_view->setObjectName(QStringLiteral("logView"));
    m_view->setModel(m_filter);
    configureTable(m_view);
    m_view->setAlternatingRowColors(false);
    setColumnWidths(m_view,
                    {{LogModel::Time, 100}, {LogModel::Level, 70}, {LogModel::Category, 120}});
    stretchColumns();
    offerColumnChoice(m_view);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(filters);
    layout->addWidget(m_saveResult);
    layout->addWidget(m_view);
}

LogPanel::~LogPanel() = default;

void LogPanel::stretchColumns()
{
    echw::stretchColumns(m_view, {LogModel::Message});
}

void LogPanel::append(const QList<LogLine>& lines, quint64 dropped)
{
    if (lines.isEmpty() && dropped == 0)
        return;
    if (m_paused) {
        // Only the newest lines the view could hold are worth keeping.
        m_waiting.append(lines);
        m_waitingDropped += dropped;
        const qsizetype excess = m_waiting.size() - m_model->capacity();
        if (excess > 0) {
            m_waiting.remove(0, excess);
            m_waitingDropped += quint64(excess);
        }
        updatePauseButton();
        return;
    }
    QScrollBar* scrollBar = m_view->verticalScrollBar();
    // Follow the newest lines unless the user scrolled up to read older ones.
    const bool following = scrollBar->value() >= scrollBar->maximum();
    QList<LogLine> kept;
    const QList<LogLine>* shown = &lines;
    if (dropped > 0 && lines.size() >= m_model->capacity()) {
        // The notice of the loss needs a row of its own, before the lines that followed it.
        const qsizetype excess = lines.size() - (m_model->capacity() - 1);
        kept = lines.sliced(excess);
        shown = &kept;
        dropped += quint64(excess);
    }
    if (dropped > 0) {
        LogLine notice;
        notice.time = QDateTime::currentDateTime();
        notice.level = QtWarningMsg;
        notice.category = QStringLiteral("echw.dashboard");
        notice.message = tr("%n log lines were dropped before they could be shown", "",
                            int(std::min<quint64>(dropped, INT_MAX)));
        m_model->append({notice});
    }
    m_model->append(*shown);
    if (following)
        m_view->scrollToBottom();
}

void LogPanel::setPaused(bool paused)
{
    if (paused == m_paused)
        return;
    m_paused = paused;
    if (!paused) {
        QList<LogLine> waiting = std::exchange(m_waiting, {});
        append(waiting, std::exchange(m_waitingDropped, 0));
    }
    updatePauseButton();
}

void LogPanel::updatePauseButton()
{
    const QSignalBlocker blocker(m_pauseButton);
    m_pauseButton->setChecked(m_paused);
    m_pauseButton->setText(m_paused ? tr("Resume (%n new)", "", int(m_waiting.size()))
                                    : tr("Pause"));
    m_pauseButton->setToolTip(m_paused ? tr("Show the lines that arrived while paused")
                                       : tr("Stop adding lines while you read"));
}

void LogPanel::clear()
{
    m_model->clear();
    m_waiting.clear();
    m_waitingDropped = 0;
    updatePauseButton();
}

QString LogPanel::shownText(bool selectedOnly) const
{
    QList<int> rows;
    if (selectedOnly) {
        for (const QModelIndex& index : m_view->selectionModel()->selectedRows())
            rows.append(index.row());
        std::sort(rows.begin(), rows.end());
    } else {
        rows.reserve(m_filter->rowCount());
        for (int row = 0; row < m_filter->rowCount(); ++row)
            rows.append(row);
    }
    QString text;
    for (int row : std::as_const(rows)) {
        const int source = m_filter->mapToSource(m_filter->index(row, 0)).row();
        text += LogModel::lineText(m_model->line(source));
        text += u'\n';
    }
    return text;
}

void LogPanel::copyToClipboard()
{
    const bool selected = m_view->selectionModel()->hasSelection();
    QApplication::clipboard()->setText(shownText(selected));
}

QString LogPanel::saveTo(const QString& path) const
{
    if (const auto error = writePrivateFile(path, shownText(false).toUtf8()))
        return *error;
    return {};
}

void LogPanel::askWhereToSave()
{
    const QString suggested =
        QDir(QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation))
            .filePath(
                QStringLiteral("ech-workers-%1.log")
                    .arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"))));
    const QString path = QFileDialog::getSaveFileName(this, tr("Save the log"), suggested,
                                                      tr("Log files (*.log *.txt)"));
    if (path.isEmpty())
        return;
    const QString error = saveTo(path);
    m_saveResult->setText(error.isEmpty()
                              ? tr("Saved %n lines to %1", "", m_filter->rowCount()).arg(path)
                              : tr("Could not save the log: %1").arg(error));
    m_saveResult->show();
}

} // namespace echw
