import CheckpointAPI
import Testing

@testable import CheckpointScript

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A small deterministic generator (SplitMix64), so every run tries the same inputs.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}

@Suite struct RobustnessTests {
    static let fragments: [String] = [
        "\"", "'", "[", "]", "{", "}", "(", ")", "$", "${", "\\", "\n", ";", "#", ",", ":", "--",
        "let", "for", "in", "if", "else", "try", "catch", "not", "and", "==", "<", "[1, 2]",
        "$x", "$_", "\\u{", "-9223372036854775808", "99999999999999999999", "é", "\u{0}",
    ]

    /// Runs mutated golden scripts (deletions, insertions, duplications) and scripts made
    /// of random fragments: any error is fine, a crash or a hang is not.
    @Test func mutatedScriptsNeverCrash() async throws {
        let folder = GoldenTests.folder
        let names = GoldenTests.cases
        let sources = try names.map { try String(contentsOfFile: folder.appendingPathComponent($0).path, encoding: .utf8) }
        var generator = SeededGenerator(state: 42)
        for round in 0..<600 {
            var text = round % 2 == 0 ? Array(sources[round % sources.count].unicodeScalars) : []
            if round % 2 == 1 {
                for _ in 0..<Int.random(in: 1...40, using: &generator) {
                    let fragment = Self.fragments.randomElement(using: &generator)!
                    text.append(contentsOf: (fragment + (Bool.random(using: &generator) ? " " : "")).unicodeScalars)
                }
            }
            for _ in 0..<Int.random(in: 1...6, using: &generator) {
                guard !text.isEmpty else { break }
                let position = Int.random(in: 0..<text.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0:
                    text.remove(at: position)
                case 1:
                    let fragment = Self.fragments.randomElement(using: &generator)!
                    text.insert(contentsOf: fragment.unicodeScalars, at: position)
                default:
                    let end = min(text.count, position + Int.random(in: 1...20, using: &generator))
                    text.insert(contentsOf: text[position..<end], at: position)
                }
            }
            var source = ""
            source.unicodeScalars.append(contentsOf: text)
            let (interpreter, _) = makeInterpreter()
            interpreter.register("source") { _ in .null }
            _ = try? await interpreter.evaluate(source)
            _ = Interpreter.needsContinuation(source)
        }
    }

    @Test func invalidUTF8FileIsASyntaxError() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ckpt-invalid-\(UInt64.random(in: 0...UInt64.max)).ckpt").path
        try Data([0x70, 0x72, 0x69, 0x6E, 0x74, 0x20, 0xFF, 0x0A]).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (interpreter, _) = makeInterpreter()
        do {
            try await interpreter.run(file: path)
            Issue.record("expected a syntax error")
        } catch {
            guard case .syntax(let diagnostics) = error else {
                Issue.record("expected a syntax error, got \(error)")
                return
            }
            #expect(diagnostics.first?.id == .invalidUTF8)
            #expect(diagnostics.first?.message == "invalid UTF-8 byte 0xFF")
            #expect(diagnostics.first?.range.start == SourceLocation(line: 1, column: 7, offset: 6))
        }
    }

    @Test func megabyteLineRuns() async throws {
        let long = String(repeating: "x", count: 1 << 20)
        let (interpreter, _) = makeInterpreter()
        #expect(try await interpreter.evaluate("let s = \"\(long)\"; let n = len $s") == .integer(1 << 20))
    }
}
