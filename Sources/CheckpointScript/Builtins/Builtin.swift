/// The built-in commands and their declarations.
enum Builtin: CaseIterable, Sendable {
    case create
    case list
    case delete
    case print
    case help
    case vars
    case format
    case source
    case len
    case append
    case exit
    case client

    /// Whether the command waits on the API.
    var sendsRequests: Bool {
        switch self {
        case .create, .list, .delete: true
        default: false
        }
    }

    var declaration: CommandDeclaration {
        switch self {
        case .create:
            CommandDeclaration(
                name: "permissions.create",
                summary: "Grants projects access to a fine-tuned model checkpoint and returns the new permissions.",
                parameters: [
                    .init("CHECKPOINT", .string, summary: "the fine-tuned model checkpoint, such as ft:gpt-4o-mini-2024-07-18:org:weather:B7R9VjQd"),
                    .init("PROJECT", .stringOrList, .variadic(minimum: 1), summary: "project IDs, or lists of them"),
                ],
                example: "permissions.create $ckpt proj_abGMw1llN8IrBb6SvvY5A1iH proj_iqGMw1llN8IrBb6SvvY5A1oF")
        case .list:
            CommandDeclaration(
                name: "permissions.list",
                summary: "Lists the permissions of a checkpoint: one page, or every page with --all.",
                parameters: [.init("CHECKPOINT", .string, summary: "the fine-tuned model checkpoint")],
                options: [
                    .init("project-id", .string, summary: "only the permission of this project"),
                    .init("limit", .integer, summary: "the page size, 1 to 100; the API's default is 10"),
                    .init("order", .choice(["ascending", "descending"]), summary: "by creation time; the API's default is descending"),
                    .init("after", .string, summary: "start after this permission ID, a previous page's last_id"),
                    .init("all", summary: "follow the cursor to the last page and return every permission as one list"),
                ],
                example: "permissions.list $ckpt --limit 20 --order ascending")
        case .delete:
            CommandDeclaration(
                name: "permissions.del",
                summary: "Revokes one permission of a checkpoint and returns the deletion record.",
                parameters: [
                    .init("CHECKPOINT", .string, summary: "the fine-tuned model checkpoint"),
                    .init("PERMISSION", .stringOrRecord, summary: "a permission ID such as cp_zXbqOiOLMaTY8WVDhVzSbt5x, or a permission record"),
                ],
                example: "permissions.del $ckpt $p.id")
        case .print:
            CommandDeclaration(
                name: "print",
                summary: "Writes its arguments separated by spaces and a line break to standard output.",
                parameters: [.init("VALUE", .any, .variadic(minimum: 0), summary: "strings as they are, other values as JSON")],
                example: "print \"first: ${page.data[0].id}\"")
        case .help:
            CommandDeclaration(
                name: "help",
                summary: "Lists the commands, or describes one command.",
                parameters: [.init("COMMAND", .string, .optional, summary: "the command to describe")],
                example: "help permissions.list")
        case .vars:
            CommandDeclaration(
                name: "vars",
                summary: "Returns every variable and its value as a record, sorted by name.",
                example: "vars")
        case .format:
            CommandDeclaration(
                name: "format",
                summary: "Sets the output format of results, or returns the current one.",
                parameters: [.init("FORMAT", .choice(OutputFormat.allCases.map(\.rawValue)), .optional, summary: "table, json, tsv or csv")],
                example: "format json")
        case .source:
            CommandDeclaration(
                name: "source",
                summary: "Runs a script file in this session; a relative path is resolved against the current script's folder.",
                parameters: [.init("FILE", .string, summary: "the path of the script")],
                example: "source common.ckpt")
        case .len:
            CommandDeclaration(
                name: "len",
                summary: "Returns the number of items of a list or page, fields of a record, or characters of a string.",
                parameters: [.init("VALUE", .any, summary: "a list, page, record or string")],
                example: "len (permissions.list $ckpt --all)")
        case .append:
            CommandDeclaration(
                name: "append",
                summary: "Returns a new list: the items of a list or page followed by the values.",
                parameters: [
                    .init("LIST", .any, summary: "a list, or a page whose data to extend"),
                    .init("VALUE", .any, .variadic(minimum: 1), summary: "the values to add at the end"),
                ],
                example: "let failed = append $failed $project")
        case .exit:
            CommandDeclaration(
                name: "exit",
                summary: "Ends the script or prompt with an exit status, 0 by default.",
                parameters: [.init("STATUS", .integer, .optional, summary: "0 to 255")],
                example: "exit 1")
        case .client:
            CommandDeclaration(
                name: "client",
                summary: "Shows the client's configuration: base URL, key source (never the key), organization, project, timeout and retries.",
                example: "client")
        }
    }
}
