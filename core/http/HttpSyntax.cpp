#include "HttpSyntax.h"

#include <algorithm>

namespace echw::http {

bool isTchar(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return QByteArrayView("!#$%&'*+-.^_`|~").contains(c);
}

bool isToken(QByteArrayView text)
{
    return !text.isEmpty() && std::all_of(text.begin(), text.end(), isTchar);
}

bool isVisibleAscii(char c)
{
    const auto byte = static_cast<uchar>(c);
    return byte > 0x20 && byte < 0x7F;
}

bool isOws(char c)
{
    return c == ' ' || c == '\t';
}

QByteArrayView trimOws(QByteArrayView text)
{
    while (!text.isEmpty() && isOws(text.front()))
        text = text.sliced(1);
    while (!text.isEmpty() && isOws(text.back()))
        text.chop(1);
    return text;
}

bool isFieldValueChar(char c)
{
    const auto byte = static_cast<uchar>(c);
    return c == '\t' || (byte >= 0x20 && byte != 0x7F);
}

bool isFieldValue(QByteArrayView text)
{
    return std::all_of(text.begin(), text.end(), isFieldValueChar);
}

std::variant<FieldLine, FieldLineError> splitFieldLine(QByteArrayView line)
{
    if (!line.isEmpty() && isOws(line.front()))
        return FieldLineError::Folded;
    const qsizetype colon = line.indexOf(':');
    if (colon < 0)
        return FieldLineError::MissingColon;
    const QByteArrayView name = line.first(colon);
    if (!isToken(name))
        return FieldLineError::InvalidName;
    return FieldLine{name, trimOws(line.sliced(colon + 1))};
}

QList<QByteArrayView> splitList(QByteArrayView value)
{
    QList<QByteArrayView> elements;
    qsizetype start = 0;
    while (start <= value.size()) {
        qsizetype comma = value.indexOf(',', start);
        if (comma < 0)
            comma = value.size();
        const QByteArrayView element = trimOws(value.sliced(start, comma - start));
        if (!element.isEmpty())
            elements.append(element);
        start = comma + 1;
    }
    return elements;
}

bool listContains(QByteArrayView list, QByteArrayView token)
{
    const QList<QByteArrayView> elements = splitList(list);
    return std::any_of(elements.begin(), elements.end(), [token](QByteArrayView element) {
        return equalsIgnoringCase(element, token);
    });
}

bool equalsIgnoringCase(QByteArrayView a, QByteArrayView b)
{
    return a.compare(b, Qt::CaseInsensitive) == 0;
}

} // namespace echw::http
