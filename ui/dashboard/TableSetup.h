#pragma once

#include <initializer_list>
#include <utility>

class QMenu;
class QTableView;
class QWidget;

namespace echw {

// Every dashboard table: one fixed row height (no per-row size hints to compute, so 1000 rows
// scroll and update at the cost of the visible ones), whole-row selection, no cell widgets.
void configureTable(QTableView* view);
void setColumnWidths(QTableView* view, std::initializer_list<std::pair<int, int>> widths);
// The columns that take the width the window gains (and give it back); the others keep the
// width the user gives them. Call again after restoring a header state.
void stretchColumns(QTableView* view, std::initializer_list<int> columns);
// A right click on the header offers every column to show or hide; the last shown one stays.
void offerColumnChoice(QTableView* view);
// The menu that right click opens, with one checkable action per column.
QMenu* columnChoiceMenu(QTableView* view, QWidget* parent);

} // namespace echw
