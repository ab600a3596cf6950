#pragma once

#include <QHash>
#include <QString>
#include <QStringList>
#include <QWidget>

#include <functional>
#include <initializer_list>

class QLabel;
class QLineEdit;
class QPushButton;

namespace echw {

// validate()'s messages by settings key ("address", "listen", ...).
using IssueMessages = QHash<QString, QStringList>;

// Shows each validation message in a red label under the field it is about, so
// the person sees what to fix where they fix it.
class FieldIssues {
public:
    // Returns row with a hidden error label (objectName "<key>Error") under it;
    // focusField(key) then focuses focusTarget.
    QWidget* wrap(const QString& key, QWidget* row, QWidget* focusTarget);
    // Where messages for keys without a field of their own go (e.g. a broken id).
    void setFallback(QLabel* label) { m_fallback = label; }

    void show(const IssueMessages& messages) const;
    bool focusField(const QString& key) const;

private:
    struct Field {
        QLabel* error = nullptr;
        QWidget* focusTarget = nullptr;
    };
    QHash<QString, Field> m_fields;
    QLabel* m_fallback = nullptr;
};

// A red, word-wrapped label that stays hidden while it has no text.
QLabel* makeErrorLabel(const QString& objectName, QWidget* parent = nullptr);
void setErrorText(QLabel* label, const QStringList& messages);

// The widgets one under the other, without margins, as one form field.
QWidget* stacked(std::initializer_list<QWidget*> widgets);

// A secret (token, password): a line edit shown as dots, with a Show/Hide button beside it.
class SecretField final : public QWidget {
public:
    SecretField(const QString& editName, const QString& buttonName, QWidget* parent = nullptr);
    QLineEdit* edit() const { return m_edit; }
    // Back to dots, e.g. when the field starts showing another server's secret.
    void conceal();

private:
    void setRevealed(bool revealed);

    QLineEdit* m_edit;
    QPushButton* m_button;
};

// edit with a "Browse…" button (objectName buttonName) beside it; the button
// puts what choose() returns into edit unless it is empty (cancelled).
QWidget* withBrowseButton(QLineEdit* edit, const QString& buttonName,
                          std::function<QString()> choose);

} // namespace echw
