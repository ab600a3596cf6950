#pragma once

#include "http/HttpError.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

#include <optional>
#include <variant>

namespace echw::http {

struct Field {
    QByteArray name;  // as sent; compare case-insensitively (RFC 9110 section 5.1)
    QByteArray value; // without the surrounding OWS
};

// The field section of a head or a trailer section (RFC 9112 section 5), in the order sent.
class Fields {
public:
    // Parses field lines, each ending in CRLF (as HeadScanner found them), without the final
    // empty line. Refused: obs-fold (section 5.2 lets a recipient refuse it, the one choice
    // nobody downstream can read differently), whitespace before the colon (section 5.1), a
    // line without a name or colon, and CR, LF, NUL or another control in a value (RFC 9110
    // section 5.5).
    static std::variant<Fields, Error> parse(QByteArrayView lines);

    const QList<Field>& list() const { return m_fields; }
    qsizetype size() const { return m_fields.size(); }
    void append(Field field) { m_fields.append(std::move(field)); }

    // Every value of `name` joined with ", " (RFC 9110 section 5.3); nullopt when absent.
    std::optional<QByteArray> value(QByteArrayView name) const;
    qsizetype count(QByteArrayView name) const;
    // Whether the joined list value holds `token` (Connection, Upgrade: RFC 9110 7.6.1, 7.8).
    bool hasToken(QByteArrayView name, QByteArrayView token) const;

private:
    QList<Field> m_fields;
};

} // namespace echw::http
