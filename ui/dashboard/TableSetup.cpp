#include "TableSetup.h"

#include <QAction>
#include <QHeaderView>
#include <QMenu>
#include <QTableView>

namespace echw {

void configureTable(QTableView* view)
{
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setShowGrid(false);
    view->setWordWrap(false);
    view->setAlternatingRowColors(true);
    view->setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    QHeaderView* rows = view->verticalHeader();
    rows->hide();
    rows->setSectionResizeMode(QHeaderView::Fixed);
    rows->setDefaultSectionSize(view->fontMetrics().height() + 6);
    QHeaderView* columns = view->horizontalHeader();
    columns->setHighlightSections(false);
    columns->setStretchLastSection(true);
}

void setColumnWidths(QTableView* view, std::initializer_list<std::pair<int, int>> widths)
{
    for (const auto& [column, width] : widths)
        view->setColumnWidth(column, width);
}

void stretchColumns(QTableView* view, std::initializer_list<int> columns)
{
    QHeaderView* header = view->horizontalHeader();
    header->setStretchLastSection(false);
    for (int column = 0; column < header->count(); ++column)
        header->setSectionResizeMode(column, QHeaderView::Interactive);
    for (int column : columns)
        header->setSectionResizeMode(column, QHeaderView::Stretch);
}

QMenu* columnChoiceMenu(QTableView* view, QWidget* parent)
{
    auto* menu = new QMenu(parent);
    QHeaderView* header = view->horizontalHeader();
    QAbstractItemModel* model = view->model();
    const int shown = header->count() - header->hiddenSectionCount();
    for (int column = 0; column < header->count(); ++column) {
        QAction* action =
            menu->addAction(model->headerData(column, Qt::Horizontal, Qt::DisplayRole).toString());
        action->setCheckable(true);
        action->setChecked(!header->isSectionHidden(column));
        // Hiding every column would leave nothing to right-click to bring them back.
        action->setEnabled(header->isSectionHidden(column) || shown > 1);
        QObject::connect(action, &QAction::toggled, header, [header, column](bool visible) {
            header->setSectionHidden(column, !visible);
        });
    }
    return menu;
}

void offerColumnChoice(QTableView* view)
{
    QHeaderView* header = view->horizontalHeader();
    header->setContextMenuPolicy(Qt::CustomContextMenu);
    QObject::connect(header, &QWidget::customContextMenuRequested, header,
                     [view, header](const QPoint& position) {
                         QMenu* menu = columnChoiceMenu(view, header);
                         menu->setAttribute(Qt::WA_DeleteOnClose);
                         menu->popup(header->mapToGlobal(position));
                     });
}

} // namespace echw
