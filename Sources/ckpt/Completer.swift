#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Tab completion at the prompt: command names where a command starts, `$variables`,
/// `--options` of the command being typed, and file names after `source`.
struct Completer {
    var commands: [(name: String, options: [String])]
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
            candidates = options(in: segment).filter { $0.hasPrefix(word) }
        } else if segment.last == "source" {
            candidates = Self.fileNames(startingWith: word)
        } else if segment.isEmpty || segment.last == "=" {
            candidates = commands.map(\.name).filter { $0.hasPrefix(word) }
        } else {
            candidates = []
        }
        return LineEditor.Completion(word: word, candidates: Array(Set(candidates)).sorted())
    }

    /// Returns the options of the first known command in the segment.
    private func options(in segment: [String]) -> [String] {
        for word in segment {
            if let command = commands.first(where: { $0.name == word }) {
                return command.options
            }
        }
        return []
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
