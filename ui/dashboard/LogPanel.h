#pragma once

#include "system/LogCollector.h"

#include <QList>
#include <QString>
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;

namespace echw {

class LogFilterModel;
class LogModel;

// The dashboard's Log tab: a level filter and a search over the collected lines, with pause,
// clear, copy and save. While paused, new lines wait (bounded by the view's capacity) and are
// shown on resume; the view does not move under the reader.
class LogPanel final : public QWidget {
    Q_OBJECT
public:
    explicit LogPanel(QWidget* parent = nullptr);
    ~LogPanel() override;

    void append(const QList<LogLine>& lines, quint64 dropped);

    void setPaused(bool paused);
    bool isPaused() const { return m_paused; }
    void clear();
    // The selected lines, or every shown line when none is selected, one per line.
    QString shownText(bool selectedOnly) const;
    // Writes every shown line (after the level and search filter) to `path` atomically;
    // returns an empty string or why it could not.
    QString saveTo(const QString& path) const;

    // The message takes the width the window gains; again after a header state is restored.
    void stretchColumns();

    QTableView* view() const { return m_view; }
    LogModel* model() const { return m_model; }
    LogFilterModel* filter() const { return m_filter; }

Q_SIGNALS:
    // The lowest level the user chose to see: the collector is asked for it.
    void levelChosen(QtMsgType level);

private:
    void copyToClipboard();
    void askWhereToSave();
    void updatePauseButton();

    LogModel* m_model;
    LogFilterModel* m_filter;
    QComboBox* m_levelCombo = nullptr;
    QLineEdit* m_searchEdit = nullptr;
    QPushButton* m_pauseButton = nullptr;
    QPushButton* m_clearButton = nullptr;
    QPushButton* m_copyButton = nullptr;
    QPushButton* m_saveButton = nullptr;
    QLabel* m_saveResult = nullptr;
    QTableView* m_view = nullptr;

    bool m_paused = false;
    QList<LogLine> m_waiting; // while paused; at most the model's capacity
    quint64 m_waitingDropped = 0;
};

} // namespace echw
