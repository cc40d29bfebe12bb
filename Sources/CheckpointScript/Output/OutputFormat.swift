/// How results are written: see docs/language.md, "Output".
public enum OutputFormat: String, Sendable, CaseIterable, CustomStringConvertible {
    /// Aligned columns for a list of records, `name  value` lines for one record,
    /// `created_at` as a UTC date-time.
    case table
    /// One compact JSON document per result, with the API's field names and raw values.
    case json
    /// A header row, then one row per record; tabs, line breaks and backslashes escaped.
    case tsv
    /// A header row, then one row per record; fields quoted as RFC 4180 says, lines
    /// ending in CRLF.
    case csv

    public var description: String { rawValue }
}
