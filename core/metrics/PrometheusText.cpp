#include "PrometheusText.h"

#include <charconv>
#include <cmath>

namespace echw::prometheus {

namespace {

QByteArray escaped(QByteArrayView text, bool quote)
{
    QByteArray out;
    out.reserve(text.size());
    for (const char c : text) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '\n')
            out += "\\n";
        else if (quote && c == '"')
            out += "\\\"";
        else
            out += c;
    }
    return out;
}

void appendLabels(QByteArray& out, const QList<Label>& labels, const Label* extra = nullptr)
{
    if (labels.isEmpty() && !extra)
        return;
    out += '{';
    bool first = true;
    const auto append = [&](const Label& label) {
        if (!first)
            out += ',';
        first = false;
        out += label.name;
        out += "=\"";
        out += escapeLabelValue(label.value);
        out += '"';
    };
    for (const Label& label : labels)
        append(label);
    if (extra)
        append(*extra);
    out += '}';
}

void appendLine(QByteArray& out, const QByteArray& name, const QList<Label>& labels, double value,
                const Label* extra = nullptr)
{
    out += name;
    appendLabels(out, labels, extra);
    out += ' ';
    out += formatValue(value);
    out += '\n';
}

const char* typeName(Family::Type type)
{
    switch (type) {
    case Family::Type::Counter:
        return "counter";
    case Family::Type::Gauge:
        return "gauge";
    case Family::Type::Histogram:
        return "histogram";
    }
    return "untyped";
}

void appendHistogram(QByteArray& out, const QByteArray& name, const HistogramSample& histogram)
{
    const QByteArray bucket = name + "_bucket";
    quint64 cumulative = 0;
    for (std::size_t i = 0; i < histogram.upperBounds.size(); ++i) {
        if (i < histogram.bucketCounts.size())
            cumulative += histogram.bucketCounts[i];
        const Label le{QByteArrayLiteral("le"), formatValue(histogram.upperBounds[i])};
        appendLine(out, bucket, histogram.labels, double(cumulative), &le);
    }
    for (std::size_t i = histogram.upperBounds.size(); i < histogram.bucketCounts.size(); ++i)
        cumulative += histogram.bucketCounts[i];
    const Label inf{QByteArrayLiteral("le"), QByteArrayLiteral("+Inf")};
    appendLine(out, bucket, histogram.labels, double(cumulative), &inf);
    appendLine(out, name + "_sum", histogram.labels, histogram.sum);
    appendLine(out, name + "_count", histogram.labels, double(cumulative));
}

} // namespace

QByteArray formatValue(double value)
{
    if (std::isnan(value))
        return QByteArrayLiteral("NaN");
    if (std::isinf(value))
        return value > 0 ? QByteArrayLiteral("+Inf") : QByteArrayLiteral("-Inf");
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    return QByteArray(buffer, result.ptr - buffer);
}

QByteArray escapeLabelValue(QByteArrayView value)
{
    return escaped(value, true);
}

QByteArray escapeHelp(QByteArrayView help)
{
    return escaped(help, false);
}

QByteArray render(const QList<Family>& families)
{
    QByteArray out;
    for (const Family& family : families) {
        out += "# HELP " + family.name + ' ' + escapeHelp(family.help) + '\n';
        out += "# TYPE " + family.name + ' ' + typeName(family.type) + '\n';
        if (family.type == Family::Type::Histogram) {
            for (const HistogramSample& histogram : family.histograms)
                appendHistogram(out, family.name, histogram);
        } else {
            for (const Sample& sample : family.samples)
                appendLine(out, family.name, sample.labels, sample.value);
        }
    }
    return out;
}

} // namespace echw::prometheus
