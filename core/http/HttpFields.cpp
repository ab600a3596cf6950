#include "HttpFields.h"

#include "http/HttpSyntax.h"

#include <algorithm>

namespace echw::http {

std::variant<Fields, Error> Fields::parse(QByteArrayView lines)
{
    Fields fields;
    while (!lines.isEmpty()) {
        const qsizetype end = lines.indexOf("\r\n");
        if (end < 0)
            return Error{400, QByteArrayLiteral("a field line without CRLF")};
        const QByteArrayView line = lines.first(end);
        lines = lines.sliced(end + 2);
        const auto split = splitFieldLine(line);
        if (const auto* error = std::get_if<FieldLineError>(&split)) {
            switch (*error) {
            case FieldLineError::Folded:
                return Error{400, QByteArrayLiteral("obsolete line folding")};
            case FieldLineError::MissingColon:
                return Error{400, QByteArrayLiteral("header line without colon")};
            case FieldLineError::InvalidName:
                return Error{400, QByteArrayLiteral("invalid header name")};
            }
        }
        const FieldLine& field = std::get<FieldLine>(split);
        if (!isFieldValue(field.value))
            return Error{400, QByteArrayLiteral("control character in header value")};
        fields.append({field.name.toByteArray(), field.value.toByteArray()});
    }
    return fields;
}

std::optional<QByteArray> Fields::value(QByteArrayView name) const
{
    std::optional<QByteArray> joined;
    for (const Field& field : m_fields) {
        if (!equalsIgnoringCase(field.name, name))
            continue;
        if (joined)
            *joined += ", " + field.value;
        else
            joined = field.value;
    }
    return joined;
}

qsizetype Fields::count(QByteArrayView name) const
{
    return std::count_if(m_fields.begin(), m_fields.end(), [name](const Field& field) {
        return equalsIgnoringCase(field.name, name);
    });
}

bool Fields::hasToken(QByteArrayView name, QByteArrayView token) const
{
    const auto joined = value(name);
    return joined && listContains(*joined, token);
}

} // namespace echw::http
