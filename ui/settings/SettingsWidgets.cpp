#include "SettingsWidgets.h"

#include "dashboard/ElidedLabel.h"

#include <QAbstractButton>
#include <QAbstractSpinBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

#include <utility>

namespace echw {

QWidget* FieldIssues::wrap(const QString& key, QWidget* row, QWidget* focusTarget)
{
    auto* error = new ElidedLabel;
    error->setObjectName(key + QStringLiteral("Error"));
    error->setTextFormat(Qt::PlainText);
    error->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);
    QPalette palette = error->palette();
    palette.setColor(QPalette::WindowText, QColor(0xc0, 0x1c, 0x28));
    error->setPalette(palette);
    // One line kept whether or not there is a message.
    error->setText(QStringLiteral("X"));
    error->setFixedHeight(error->sizeHint().height());
    error->clear();
    m_fields.insert(key, {error, focusTarget});

    // A person's edit (not the form being filled) makes the field's issues speak.
    auto reveal = [this, key] {
        this->reveal(key);
    };
    if (auto* edit = qobject_cast<QLineEdit*>(focusTarget))
        QObject::connect(edit, &QLineEdit::textEdited, error, reveal);
    else if (auto* spin = qobject_cast<QAbstractSpinBox*>(focusTarget))
        QObject::connect(spin, &QAbstractSpinBox::editingFinished, error, reveal);
    else if (auto* combo = qobject_cast<QComboBox*>(focusTarget))
        QObject::connect(combo, &QComboBox::activated, error, reveal);
    else if (auto* button = qobject_cast<QAbstractButton*>(focusTarget))
        QObject::connect(button, &QAbstractButton::clicked, error, reveal);
    return stacked({row, error});
}

void FieldIssues::revealAll()
{
    m_quiet.clear();
    m_quietNext = false;
    render();
}

void FieldIssues::reveal(const QString& key)
{
    if (m_quiet.remove(key))
        render();
}

void FieldIssues::show(const IssueMessages& messages)
{
    m_messages = messages;
    if (std::exchange(m_quietNext, false)) {
        m_quiet.clear();
        for (auto it = messages.cbegin(); it != messages.cend(); ++it)
            m_quiet.insert(it.key());
    }
    // A quiet issue that went away is forgotten: the next one on that field is news.
    for (auto it = m_quiet.begin(); it != m_quiet.end();) {
        if (messages.contains(*it))
            ++it;
        else
            it = m_quiet.erase(it);
    }
    render();
}

void FieldIssues::render()
{
    QStringList unplaced;
    for (auto it = m_messages.cbegin(); it != m_messages.cend(); ++it) {
        if (!m_fields.contains(it.key()) && !m_quiet.contains(it.key()))
            unplaced.append(it.value());
    }
    for (auto it = m_fields.cbegin(); it != m_fields.cend(); ++it) {
        const QStringList messages =
            m_quiet.contains(it.key()) ? QStringList() : m_messages.value(it.key());
        auto* line = static_cast<ElidedLabel*>(it->error);
        line->setFullText(errorText(messages).replace(u'\n', QStringLiteral(" · ")));
        line->setToolTip(errorText(messages));
    }
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

QString errorText(const QStringList& messages)
{
    // Messages are written lower-case to fit after a field name; a label stands
    // alone, so each starts with a capital here.
    QStringList sentences;
    for (QString message : messages) {
        if (!message.isEmpty())
            message[0] = message[0].toUpper();
        sentences.append(message);
    }
    return sentences.join(u'\n');
}

void setErrorText(QLabel* label, const QStringList& messages)
{
    label->setText(errorText(messages));
    label->setVisible(!messages.isEmpty());
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
