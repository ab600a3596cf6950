#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

#include <variant>

namespace echw {

// A bundle of every root there is stays far below this (Debian's: about 220 KiB).
inline constexpr qint64 kMaxCertificateFileSize = 4 * 1024 * 1024;

// Whether content holds a PEM certificate, in either spelling OpenSSL reads (the second
// carries trust settings); a quick look, not a parse.
bool looksLikePem(const QByteArray& content);
// The DER of every PEM certificate in content; other PEM blocks (keys, CRLs) are skipped.
QList<QByteArray> pemCertificates(const QByteArray& content);
// The certificates of a PEM file, read bounded; "no PEM certificate in it" when there is none.
std::variant<QList<QByteArray>, QString> readCertificateFile(const QString& path);
// Whether der is exactly one X.509 certificate (outside input: a share link's).
bool isCertificateDer(const QByteArray& der);
// The certificates as PEM text, one block each.
QByteArray pemOf(const QList<QByteArray>& der);
// Writes the certificates as PEM into directory, owner-only, under a name taken from their
// SHA-256, so the same certificates land in the same file; returns its path or why not.
// Every element must be a certificate.
struct SavedCertificates {
    QString path;
};
std::variant<SavedCertificates, QString> saveCertificates(const QString& directory,
                                                          const QList<QByteArray>& der);

} // namespace echw
