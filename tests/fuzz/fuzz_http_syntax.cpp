// The HTTP/1.1 character classes and line rules (RFC 9110, RFC 9112) that every HTTP parser
// here shares, on one arbitrary line: what they return must point into the line and obey the
// grammar they claim.

#include "FuzzSupport.h"
#include "http/HttpSyntax.h"

#include <algorithm>

namespace {

namespace http = echw::http;

bool isInside(QByteArrayView part, QByteArrayView whole)
{
    return part.isEmpty() || (part.data() >= whole.data() &&
                              part.data() + part.size() <= whole.data() + whole.size());
}

bool isTrimmed(QByteArrayView text)
{
    return text.isEmpty() || (!http::isOws(text.front()) && !http::isOws(text.back()));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QByteArrayView line = echw::fuzz::bytesOf(data, size);

    ECHW_FUZZ_CHECK(http::isToken(line) ==
                    (!line.isEmpty() && std::all_of(line.begin(), line.end(), http::isTchar)));
    ECHW_FUZZ_CHECK(http::isFieldValue(line) ==
                    std::all_of(line.begin(), line.end(), http::isFieldValueChar));
    for (const char c : line) {
        // Tokens are visible ASCII, and visible ASCII is allowed in a field value.
        if (http::isTchar(c))
            ECHW_FUZZ_CHECK(http::isVisibleAscii(c));
        if (http::isVisibleAscii(c) || http::isOws(c))
            ECHW_FUZZ_CHECK(http::isFieldValueChar(c));
        // RFC 9110 section 5.5: these three never belong to a value.
        if (c == '\r' || c == '\n' || c == '\0')
            ECHW_FUZZ_CHECK(!http::isFieldValueChar(c));
    }

    const QByteArrayView trimmed = http::trimOws(line);
    ECHW_FUZZ_CHECK(isInside(trimmed, line) && isTrimmed(trimmed));
    ECHW_FUZZ_CHECK(http::trimOws(trimmed) == trimmed);

    const auto split = http::splitFieldLine(line);
    if (const auto* field = std::get_if<http::FieldLine>(&split)) {
        ECHW_FUZZ_CHECK(http::isToken(field->name) && line.startsWith(field->name));
        ECHW_FUZZ_CHECK(line[field->name.size()] == ':');
        ECHW_FUZZ_CHECK(isInside(field->value, line) && isTrimmed(field->value));
        ECHW_FUZZ_CHECK(field->value == http::trimOws(line.sliced(field->name.size() + 1)));
    } else {
        const auto error = std::get<http::FieldLineError>(split);
        if (error == http::FieldLineError::Folded)
            ECHW_FUZZ_CHECK(!line.isEmpty() && http::isOws(line.front()));
        if (error == http::FieldLineError::MissingColon)
            ECHW_FUZZ_CHECK(!line.contains(':'));
    }

    const QList<QByteArrayView> elements = http::splitList(line);
    qsizetype listed = 0;
    // listContains() splits the whole line again: asked for every element, the check itself
    // would be quadratic in the line (a 1 KB line of commas took 35 ms under ASan), so it is
    // asked for the first few only.
    constexpr qsizetype kContainsChecks = 8;
    for (qsizetype i = 0; i < elements.size(); ++i) {
        const QByteArrayView element = elements[i];
        ECHW_FUZZ_CHECK(!element.isEmpty() && isTrimmed(element) && !element.contains(','));
        ECHW_FUZZ_CHECK(isInside(element, line) &&
                        (i >= kContainsChecks || http::listContains(line, element)));
        ECHW_FUZZ_CHECK(http::equalsIgnoringCase(element, element.toByteArray().toUpper()));
        listed += element.size();
    }
    ECHW_FUZZ_CHECK(listed <= line.size());
    return 0;
}
