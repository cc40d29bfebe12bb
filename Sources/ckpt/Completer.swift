#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Tab completion at the prompt: command names where a command starts, `$variables`,
/// `--options` of the command being typed, the allowed values of an option or argument
/// that takes one of a fixed set, and file names after `source`.
struct Completer {
    /// The facts about one command that completion uses.
    struct Command {
        var name: String
        /// The option names, each starting with `--`.
        var options: [String] = []
        /// The allowed values of options that take one of a fixed set, by option name.
        var optionChoices: [String: [String]] = [:]
        /// The allowed values of each positional parameter; empty for a free-form one.
        var parameterChoices: [[String]] = []
        /// The options that take no value, each starting with `--`.
        var flags: Set<String> = []
    }

    var commands: [Command]
    var variableNames: [String]

    private static let wordSeparators: Set<Character> = [" ", "\t", "(", ")", "{", "}", "[", "]", ";", "\"", "'", "="]
    private static let segmentSeparators: Set<Character> = ["(", "{", "}", ";"]

    func complete(_ textBeforeCursor: String) -> LineEditor.Completion {
        let wordStart = textBeforeCursor.lastIndex { Self.wordSeparators.contains($0) }
            .map { textBeforeCursor.index(after: $0) } ?? textBeforeCursor.startIndex
        let word = String(textBeforeCursor[wordStart...])
        let before = textBeforeCursor[..<wordStart]
        let segmentStart = before.lastIndex { Self.segmentSeparators.contains($0) }
            .map { before.index(after: $0) } ?? before.startIndex
        let segment = before[segmentStart...].split { $0 == " " || $0 == "\t" }.map(String.init)

        let candidates: [String]
        if before.hasSuffix("${") {
            candidates = variableNames.filter { $0.hasPrefix(word) }
        } else if word.hasPrefix("$") {
            candidates = variableNames.map { "$" + $0 }.filter { $0.hasPrefix(word) }
        } else if word.hasPrefix("-") {
            candidates = command(in: segment)?.command.options.filter { $0.hasPrefix(word) } ?? []
        } else if segment.last == "source" {
            candidates = Self.fileNames(startingWith: word)
        } else if segment.isEmpty || segment.last == "=" {
            candidates = commands.map(\.name).filter { $0.hasPrefix(word) }
        } else {
            candidates = choices(in: segment).filter { $0.hasPrefix(word) }
        }
        return LineEditor.Completion(word: word, candidates: Array(Set(candidates)).sorted())
    }

    /// Returns the first known command in the segment and the words after it.
    private func command(in segment: [String]) -> (command: Command, arguments: ArraySlice<String>)? {
        for (index, word) in segment.enumerated() {
            if let command = commands.first(where: { $0.name == word }) {
                return (command, segment[(index + 1)...])
            }
        }
        return nil
    }

    /// Returns the allowed values of the option or the positional argument being typed.
    private func choices(in segment: [String]) -> [String] {
        guard let (command, arguments) = command(in: segment) else { return [] }
        if let option = arguments.last, let choices = command.optionChoices[option] {
            return choices
        }

        var position = 0
        var skipsValue = false
        for argument in arguments {
            if skipsValue {
                skipsValue = false
            } else if argument.hasPrefix("--") {
                // Flags take no value; every other option takes the next word.
                skipsValue = !command.isFlag(argument)
            } else {
                position += 1
            }
        }
        // The word being typed is the value of an option without a fixed set of values.
        if skipsValue { return [] }
        guard position < command.parameterChoices.count else { return [] }
        return command.parameterChoices[position]
    }

    /// Lists the entries of the word's folder that start with its last component, with a
    /// `/` after folder names. Hidden entries appear only when the component starts with a dot.
    static func fileNames(startingWith word: String) -> [String] {
        let slash = word.lastIndex(of: "/")
        let directoryPart = slash.map { String(word[...$0]) } ?? ""
        let namePrefix = slash.map { String(word[word.index(after: $0)...]) } ?? word
        var directory = directoryPart.isEmpty ? "." : directoryPart
        if directory.hasPrefix("~/"), let home = Terminal.environment("HOME") {
            directory = home + directory.dropFirst()
        }

        guard let stream = opendir(directory) else { return [] }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            guard name != ".", name != "..", name.hasPrefix(namePrefix) else { continue }
            guard !name.hasPrefix(".") || namePrefix.hasPrefix(".") else { continue }
            var status = stat()
            let isDirectory = stat(directory + "/" + name, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR
            names.append(directoryPart + name + (isDirectory ? "/" : ""))
        }
        return names
    }
}

extension Completer.Command {
    fileprivate func isFlag(_ option: String) -> Bool {
        flags.contains(option)
    }
}
