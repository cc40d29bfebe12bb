/// The format results are printed in; docs/language.md, "Output formats", shows each.
public enum OutputFormat: String, Sendable, CaseIterable, CustomStringConvertible {
    /// Aligned columns for a list of records, `name  value` lines for one record,
    /// `created_at` as a UTC date-time.
    case table
    /// One compact JSON document per result, with the API's field names and raw values.
    case json
    /// A header row, then one row per record; tabs, line breaks and backslashes escaped.
    case tsv
    /// A header row, then one row per record. Fields are quoted as RFC 4180 specifies and
    /// lines end in CRLF.
    case csv

    public var description: String { rawValue }
}
