#include "SettingsWidgets.h"

#include <QCoreApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace echw {

QWidget* FieldIssues::wrap(const QString& key, QWidget* row, QWidget* focusTarget)
{
    QLabel* error = makeErrorLabel(key + QStringLiteral("Error"));
    m_fields.insert(key, {error, focusTarget});
    return stacked({row, error});
}

void FieldIssues::show(const IssueMessages& messages) const
{
    QStringList unplaced;
    for (auto it = messages.cbegin(); it != messages.cend(); ++it) {
        if (!m_fields.contains(it.key()))
            unplaced.append(it.value());
    }
    for (auto it = m_fields.cbegin(); it != m_fields.cend(); ++it)
        setErrorText(it->error, messages.value(it.key()));
    if (m_fallback)
        setErrorText(m_fallback, unplaced);
}

bool FieldIssues::focusField(const QString& key) const
{
    const auto it = m_fields.constFind(key);
    if (it == m_fields.cend())
        return false;
    it->focusTarget->setFocus(Qt::OtherFocusReason);
    return true;
}

QLabel* makeErrorLabel(const QString& objectName, QWidget* parent)
{
    auto* label = new QLabel(parent);
    label->setObjectName(objectName);
    label->setWordWrap(true);
    label->setTextFormat(Qt::PlainText);
    QPalette palette = label->palette();
    palette.setColor(QPalette::WindowText, QColor(0xc0, 0x1c, 0x28));
    label->setPalette(palette);
    label->setVisible(false);
    return label;
}

void setErrorText(QLabel* label, const QStringList& messages)
{
    // Messages are written lower-case to fit after a field name; a label stands
    // alone, so each starts with a capital here.
    QStringList sentences;
    for (QString message : messages) {
        if (!message.isEmpty())
            message[0] = message[0].toUpper();
        sentences.append(message);
    }
    label->setText(sentences.join(u'\n'));
    label->setVisible(!sentences.isEmpty());
}

QWidget* stacked(std::initializer_list<QWidget*> widgets)
{
    auto* container = new QWidget;
    auto* layout = new QVBoxLayout(container);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    for (QWidget* widget : widgets)
        layout->addWidget(widget);
    return container;
}

SecretField::SecretField(const QString& editName, const QString& buttonName, QWidget* parent)
    : QWidget(parent)
    , m_edit(new QLineEdit(this))
    , m_button(new QPushButton(this))
{
    m_edit->setObjectName(editName);
    m_button->setObjectName(buttonName);
    m_button->setCheckable(true);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_edit, 1);
    layout->addWidget(m_button);
    connect(m_button, &QPushButton::toggled, this, &SecretField::setRevealed);
    setRevealed(false);
}

void SecretField::conceal()
{
    m_button->setChecked(false);
    setRevealed(false);
}

void SecretField::setRevealed(bool revealed)
{
    m_edit->setEchoMode(revealed ? QLineEdit::Normal : QLineEdit::Password);
    m_button->setText(revealed ? QCoreApplication::translate("echw::ServerEditor", "Hide")
                               : QCoreApplication::translate("echw::ServerEditor", "Show"));
}

QWidget* withBrowseButton(QLineEdit* edit, const QString& buttonName,
                          std::function<QString()> choose)
{
    auto* container = new QWidget;
    auto* layout = new QHBoxLayout(container);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(edit, 1);
    auto* button =
        new QPushButton(QCoreApplication::translate("echw::SettingsDialog", "Browse…"), container);
    button->setObjectName(buttonName);
    layout->addWidget(button);
    QObject::connect(button, &QPushButton::clicked, edit, [edit, choose = std::move(choose)] {
        const QString path = choose();
        if (!path.isEmpty())
            edit->setText(path);
    });
    return container;
}

} // namespace echw
