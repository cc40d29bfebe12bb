import CheckpointAPI

/// `permissions.create`, `permissions.list` and `permissions.del`.
extension Evaluator {
    func create(_ call: CommandCall, invocation: CommandInvocation) async throws(Interruption) -> Value {
        let checkpoint = Self.string(call.arguments[0])
        var projects: [String] = []
        for argument in call.arguments.dropFirst() {
            switch argument {
            case .string(let project): projects.append(project)
            case .list(let elements): projects.append(contentsOf: elements.map(Self.string))
            default: break
            }
        }
        if interpreter.dryRun {
            do {
                reportDryRun(try interpreter.client.plannedCreate(checkpoint: checkpoint, projectIDs: projects))
            } catch {
                throw apiFailure(error, from: invocation)
            }
            return .null
        }
        do {
            return Value(try await interpreter.client.create(checkpoint: checkpoint, projectIDs: projects))
        } catch {
            throw apiFailure(error, from: invocation)
        }
    }

    func delete(_ call: CommandCall, invocation: CommandInvocation) async throws(Interruption) -> Value {
        let checkpoint = Self.string(call.arguments[0])
        let permission: String
        if case .record(let record) = call.arguments[1], case .string(let id)? = record["id"] {
            permission = id
        } else {
            permission = Self.string(call.arguments[1])
        }
        if interpreter.dryRun {
            do {
                reportDryRun(try interpreter.client.plannedDelete(checkpoint: checkpoint, permissionID: permission))
            } catch {
                throw apiFailure(error, from: invocation)
            }
            return .null
        }
        do {
            return Value(try await interpreter.client.delete(checkpoint: checkpoint, permissionID: permission))
        } catch {
            throw apiFailure(error, from: invocation)
        }
    }

    func list(_ call: CommandCall, invocation: CommandInvocation, printing: Bool) async throws(Interruption) -> Value {
        let checkpoint = Self.string(call.arguments[0])
        let projectID = call.option("project-id").map(Self.string)
        let after = call.option("after").map(Self.string)
        var limit: Int?
        if case .integer(let value)? = call.option("limit") { limit = value }
        var order: ListOrder?
        if case .string(let value)? = call.option("order") { order = ListOrder(rawValue: value) }

        let client = interpreter.client
        guard call.flag("all") else {
            do {
                return Value(try await client.list(
                    checkpoint: checkpoint, after: after, limit: limit, order: order, projectID: projectID))
            } catch {
                throw apiFailure(error, from: invocation)
            }
        }

        let pages = client.pages(checkpoint: checkpoint, limit: limit, order: order, projectID: projectID, after: after)
        if printing {
            try await stream(pages, invocation: invocation)
            return .null
        }
        var permissions: [Value] = []
        do {
            for try await page in pages {
                permissions.append(contentsOf: page.data.map(Value.init))
            }
        } catch {
            throw apiFailure(error, from: invocation)
        }
        return .list(permissions)
    }

    /// Prints every page as it arrives, so memory stays flat however many pages there are.
    ///
    /// Nothing is printed until the first page arrives, so a list that fails at once
    /// prints only its error, never an empty result. When a later page fails, the rows
    /// already printed stay and a JSON array is left unclosed, so that no tool mistakes
    /// the partial output for the whole list.
    private func stream(_ pages: PageSequence, invocation: CommandInvocation) async throws(Interruption) {
        var writer = StreamingListWriter(format: interpreter.format)
        let output = interpreter.output
        var started = false
        do {
            for try await page in pages {
                var text = started ? "" : writer.begin()
                started = true
                text += writer.write(page.data.map { permission in
                    guard case .record(let record) = Value(permission) else { return Record() }
                    return record
                })
                output.write(text)
                output.flush()
            }
        } catch {
            if started {
                output.write(writer.abandon())
            }
            throw apiFailure(error, from: invocation)
        }
        output.write((started ? "" : writer.begin()) + writer.end())
    }

    private func reportDryRun(_ request: PlannedWrite) {
        interpreter.output.write("dry run: would send \(request)\n")
    }

    private static func string(_ value: Value) -> String {
        if case .string(let string) = value { return string }
        return ValueFormatter.displayText(value)
    }
}

/// Writes a list of records in parts as its pages arrive: the JSON array's brackets
/// around the elements, the table or TSV/CSV header once.
struct StreamingListWriter {
    var format: OutputFormat
    private var count = 0
    private var table: TableWriter?
    private var delimited: DelimitedWriter?

    init(format: OutputFormat) {
        self.format = format
    }

    func begin() -> String {
        format == .json ? "[" : ""
    }

    mutating func write(_ records: [Record]) -> String {
        guard !records.isEmpty else { return "" }
        defer { count += records.count }
        switch format {
        case .json:
            var text = ""
            for (index, record) in records.enumerated() {
                if count + index > 0 { text += "," }
                JSONWriter.write(.record(record), into: &text)
            }
            return text
        case .table:
            var header = ""
            if table == nil {
                table = TableWriter(columns: ValueFormatter.columns(of: records, dropSharedObject: true))
                table!.widen(for: records)
                header = table!.header()
            } else {
                table!.widen(for: records)
            }
            return header + table!.rows(records)
        case .tsv, .csv:
            var header = ""
            if delimited == nil {
                delimited = DelimitedWriter(format: format, columns: ValueFormatter.columns(of: records))
                header = delimited!.header()
            }
            return header + records.map { delimited!.row($0) }.joined()
        }
    }

    /// Ends the output of a list whose paging failed part-way: a JSON array stays open.
    func abandon() -> String {
        format == .json ? "\n" : ""
    }

    func end() -> String {
        switch format {
        case .json: "]\n"
        case .table: count == 0 ? "(empty list)\n" : ""
        case .tsv, .csv: ""
        }
    }
}
