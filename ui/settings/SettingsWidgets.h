#pragma once

#include <QHash>
#include <QSet>
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

// Shows each validation message in a red line under the field it is about, so the person sees
// what to fix where they fix it. The line's space is always kept, so the form never moves
// under the pointer as messages come and go; a long message ends in "…" with the whole text
// as its tooltip. An issue the form was filled with stays quiet until its field is edited or
// OK reveals every issue: nothing is red before anything was typed.
class FieldIssues {
public:
    // Returns row with an empty error line (objectName "<key>Error") under it;
    // focusField(key) then focuses focusTarget, and editing focusTarget reveals its issues.
    QWidget* wrap(const QString& key, QWidget* row, QWidget* focusTarget);
    // Where messages for keys without a field of their own go (e.g. a broken id).
    void setFallback(QLabel* label) { m_fallback = label; }

    // The issues of the next show() are the form's starting point: they stay quiet.
    void quietNextIssues() { m_quietNext = true; }
    // Every issue shows, quiet or not (OK or Apply was pressed).
    void revealAll();

    void show(const IssueMessages& messages);
    bool focusField(const QString& key) const;

private:
    struct Field {
        QLabel* error = nullptr;
        QWidget* focusTarget = nullptr;
    };
    void reveal(const QString& key);
    void render();

    QHash<QString, Field> m_fields;
    QLabel* m_fallback = nullptr;
    IssueMessages m_messages; // as last shown
    QSet<QString> m_quiet;    // keys whose issues wait for an edit of the field
    bool m_quietNext = false;
};

// A red, word-wrapped label that stays hidden while it has no text.
QLabel* makeErrorLabel(const QString& objectName, QWidget* parent = nullptr);
void setErrorText(QLabel* label, const QStringList& messages);
// The messages as one text, each starting with a capital, one per line.
QString errorText(const QStringList& messages);

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
