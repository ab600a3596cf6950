#pragma once

#include <QLabel>
#include <QString>

namespace echw {

// A one-line label whose text ends in "…" where the width runs out, recomputed on every
// resize and font change, so a long status is never cut mid-word behind the next widget; the
// whole text is its tooltip.
class ElidedLabel final : public QLabel {
public:
    using QLabel::QLabel;

    void setFullText(const QString& text);
    const QString& fullText() const { return m_fullText; }

protected:
    void resizeEvent(QResizeEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    void updateElided();

    QString m_fullText;
};

} // namespace echw
