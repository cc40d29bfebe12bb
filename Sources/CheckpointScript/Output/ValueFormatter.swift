/// Turns result values into text in one ``OutputFormat``.
struct ValueFormatter {
    var format: OutputFormat

    /// Returns the text of one result, ending with a line break, or nothing for `null`.
    func format(_ value: Value) -> String {
        if case .null = value { return "" }
        switch format {
        case .json:
            var text = ""
            JSONWriter.write(value, into: &text)
            return text + "\n"
        case .table:
            return table(value)
        case .tsv, .csv:
            return delimited(value)
        }
    }

    // MARK: - Table

    private func table(_ value: Value) -> String {
        switch value {
        case .list(let elements):
            return tableOfList(elements)
        case .record(let record):
            if let page = PageView(record) {
                var text = tableOfList(page.data)
                if page.hasMore, let lastID = page.lastID {
                    text += "(more after \(lastID): add --after \(lastID), or --all)\n"
                }
                return text
            }
            return keyValueLines(record)
        default:
            return Self.displayText(value) + "\n"
        }
    }

    private func tableOfList(_ elements: [Value]) -> String {
        if elements.isEmpty { return "(empty list)\n" }
        let records = elements.compactMap { element -> Record? in
            if case .record(let record) = element { return record }
            return nil
        }
        guard records.count == elements.count else {
            return elements.map { Self.displayText($0) + "\n" }.joined()
        }
        var writer = TableWriter(columns: Self.columns(of: records, dropSharedObject: true))
        writer.widen(for: records)
        return writer.header() + writer.rows(records)
    }

    private func keyValueLines(_ record: Record) -> String {
        if record.isEmpty { return "(empty record)\n" }
        let width = record.fields.map { $0.name.unicodeScalars.count }.max() ?? 0
        var text = ""
        for field in record.fields {
            let cell = Self.cellText(name: field.name, field.value)
            text += TableWriter.padded(field.name, to: width) + "  " + cell + "\n"
        }
        return text
    }

    /// Returns the column names of a list of records: every field name, in order of first use.
    /// Tables leave out `object` when every record has the same one, such as
    /// `checkpoint.permission`, since it repeats on every row.
    static func columns(of records: [Record], dropSharedObject: Bool = false) -> [String] {
        var columns: [String] = []
        for record in records {
            for name in record.names where !columns.contains(name) {
                columns.append(name)
            }
        }
        if dropSharedObject, columns.count > 1, let first = records.first?["object"],
            records.allSatisfy({ $0["object"] == first })
        {
            columns.removeAll { $0 == "object" }
        }
        return columns
    }

    /// Returns the text of a value inside a table cell or a key/value line.
    static func cellText(name: String, _ value: Value) -> String {
        if name == "created_at", case .integer(let seconds) = value {
            return DateTime.utcString(fromUnixSeconds: seconds)
        }
        return escapedForLine(displayText(value))
    }

    /// Returns the plain text of a value as `print` and interpolation write it: strings as
    /// they are, `null` as `null`, lists and records as compact JSON.
    static func displayText(_ value: Value) -> String {
        switch value {
        case .string(let string): return string
        case .integer(let integer): return String(integer)
        case .boolean(let boolean): return boolean ? "true" : "false"
        case .null: return "null"
        case .list, .record:
            var text = ""
            JSONWriter.write(value, into: &text)
            return text
        }
    }

    private static func escapedForLine(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 10 || $0 == 13 || $0 == 9 }) else { return text }
        var escaped = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            case "\t": escaped += "\\t"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }

    // MARK: - TSV and CSV

    private func delimited(_ value: Value) -> String {
        switch value {
        case .list(let elements):
            return delimitedList(elements)
        case .record(let record):
            if let page = PageView(record) {
                return delimitedList(page.data)
            }
            let writer = DelimitedWriter(format: format, columns: record.names)
            return writer.header() + writer.row(record)
        default:
            return DelimitedWriter(format: format, columns: []).line([value])
        }
    }

    private func delimitedList(_ elements: [Value]) -> String {
        let records = elements.compactMap { element -> Record? in
            if case .record(let record) = element { return record }
            return nil
        }
        let writer = DelimitedWriter(format: format, columns: Self.columns(of: records))
        guard records.count == elements.count, !records.isEmpty else {
            return elements.map { writer.line([$0]) }.joined()
        }
        return writer.header() + records.map { writer.row($0) }.joined()
    }
}

/// A record that is one page of a list: `object` is `list` and `data` is a list.
struct PageView {
    var data: [Value]
    var hasMore: Bool
    var lastID: String?

    init?(_ record: Record) {
        guard case .string("list")? = record["object"], case .list(let data)? = record["data"] else {
            return nil
        }
        self.data = data
        if case .boolean(let hasMore)? = record["has_more"] {
            self.hasMore = hasMore
        } else {
            self.hasMore = false
        }
        if case .string(let lastID)? = record["last_id"] {
            self.lastID = lastID
        }
    }
}

/// Aligned columns separated by two spaces; the last column is not padded.
struct TableWriter {
    var columns: [String]
    var widths: [Int]

    init(columns: [String]) {
        self.columns = columns
        self.widths = columns.map { $0.unicodeScalars.count }
    }

    mutating func widen(for records: [Record]) {
        for record in records {
            for (index, column) in columns.enumerated() {
                widths[index] = max(widths[index], Self.cell(record, column).unicodeScalars.count)
            }
        }
    }

    func header() -> String {
        line(columns)
    }

    func rows(_ records: [Record]) -> String {
        var text = ""
        for record in records {
            text += line(columns.map { Self.cell(record, $0) })
        }
        return text
    }

    /// Returns a cell's text, which is empty for a missing field or `null`.
    static func cell(_ record: Record, _ column: String) -> String {
        guard let value = record[column], value != .null else { return "" }
        return ValueFormatter.cellText(name: column, value)
    }

    private func line(_ cells: [String]) -> String {
        var text = ""
        for (index, cell) in cells.enumerated() {
            if index == cells.count - 1 {
                text += cell
            } else {
                text += Self.padded(cell, to: widths[index]) + "  "
            }
        }
        while text.utf8.last == UInt8(ascii: " ") {
            text.removeLast()
        }
        return text + "\n"
    }

    static func padded(_ text: String, to width: Int) -> String {
        let count = text.unicodeScalars.count
        return count >= width ? text : text + String(repeating: " ", count: width - count)
    }
}

/// Rows of tab- or comma-separated values.
struct DelimitedWriter {
    var format: OutputFormat
    var columns: [String]

    func header() -> String {
        line(columns.map(Value.string))
    }

    func row(_ record: Record) -> String {
        line(columns.map { record[$0] ?? .null })
    }

    func line(_ values: [Value]) -> String {
        let separator = format == .csv ? "," : "\t"
        let cells = values.map { value -> String in
            let text: String
            if case .null = value {
                text = ""
            } else {
                text = ValueFormatter.displayText(value)
            }
            return format == .csv ? Self.csvField(text) : Self.tsvField(text)
        }
        return cells.joined(separator: separator) + (format == .csv ? "\r\n" : "\n")
    }

    /// Quotes a field that contains a comma, a quote or a line break, doubling quotes
    /// (RFC 4180, section 2).
    static func csvField(_ text: String) -> String {
        let needsQuotes = text.utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13 }
        guard needsQuotes else { return text }
        var quoted = "\""
        for character in text.unicodeScalars {
            if character == "\"" { quoted += "\"" }
            quoted.unicodeScalars.append(character)
        }
        return quoted + "\""
    }

    /// Escapes tabs, line breaks and backslashes as `\t`, `\n`, `\r` and `\\`.
    static func tsvField(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 9 || $0 == 10 || $0 == 13 || $0 == UInt8(ascii: "\\") }) else {
            return text
        }
        var escaped = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\t": escaped += "\\t"
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            case "\\": escaped += "\\\\"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }
}

/// Compact JSON text of values, as RFC 8259 describes.
enum JSONWriter {
    static func write(_ value: Value, into text: inout String) {
        switch value {
        case .null: text += "null"
        case .boolean(let boolean): text += boolean ? "true" : "false"
        case .integer(let integer): text += String(integer)
        case .string(let string): writeString(string, into: &text)
        case .list(let elements):
            text += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { text += "," }
                write(element, into: &text)
            }
            text += "]"
        case .record(let record):
            text += "{"
            for (index, field) in record.fields.enumerated() {
                if index > 0 { text += "," }
                writeString(field.name, into: &text)
                text += ":"
                write(field.value, into: &text)
            }
            text += "}"
        }
    }

    static func writeString(_ string: String, into text: inout String) {
        text += "\""
        let needsEscape = string.utf8.contains { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }
        guard needsEscape else {
            text += string
            text += "\""
            return
        }
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case "\u{08}": text += "\\b"
            case "\u{0C}": text += "\\f"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    text.unicodeScalars.append(scalar)
                }
            }
        }
        text += "\""
    }
}

/// UTC calendar dates from Unix time, without Foundation.
enum DateTime {
    /// Formats a Unix time in seconds as an ISO 8601 UTC date-time, such as `2024-07-18T09:30:00Z`.
    static func utcString(fromUnixSeconds seconds: Int) -> String {
        let (days, remainder) = seconds.quotientAndRemainder(dividingBy: 86_400)
        var day = days
        var secondOfDay = remainder
        if secondOfDay < 0 {
            secondOfDay += 86_400
            day -= 1
        }
        let (year, month, dayOfMonth) = civilDate(daysSinceEpoch: day)
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(dayOfMonth, 2))T"
            + "\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay % 3600 / 60, 2)):\(pad(secondOfDay % 60, 2))Z"
    }

    /// Converts a day count from 1970-01-01 to a proleptic Gregorian date, through 400-year
    /// eras of 146,097 days.
    static func civilDate(daysSinceEpoch: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = daysSinceEpoch + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
