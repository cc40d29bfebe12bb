/// Evaluation without suspending, for expressions that call no command: the common case,
/// which then skips the cost of async calls.
extension Evaluator {
    /// Evaluates an expression synchronously, or returns `nil` when it reaches a command
    /// call. Everything evaluated before that point is free of side effects, so the caller
    /// can evaluate the whole expression again asynchronously.
    func evaluateImmediately(_ expression: Expression) throws(Interruption) -> Value? {
        switch expression {
        case .literal(let value, _):
            return value
        case .variable(let name, let span):
            return try lookUp(name, at: span)
        case .interpolated(let parts, _):
            var text = ""
            for part in parts {
                switch part {
                case .text(let literal):
                    text += literal
                case .expression(let inner):
                    guard let value = try evaluateImmediately(inner) else { return nil }
                    text += ValueFormatter.displayText(value)
                }
            }
            return .string(text)
        case .access(let base, let accessors, _):
            guard var value = try evaluateImmediately(base) else { return nil }
            for accessor in accessors {
                switch accessor {
                case .field(let name, let span):
                    value = try readField(name, of: value, at: span)
                case .index(let indexExpression, let span):
                    guard let index = try evaluateImmediately(indexExpression) else { return nil }
                    value = try read(value, at: index, span: span)
                }
            }
            return value
        case .list(let elements, _):
            var values: [Value] = []
            values.reserveCapacity(elements.count)
            for element in elements {
                guard let value = try evaluateImmediately(element) else { return nil }
                values.append(value)
            }
            return .list(values)
        case .record(let fields, _):
            var values: [(name: String, value: Value)] = []
            values.reserveCapacity(fields.count)
            for field in fields {
                guard let value = try evaluateImmediately(field.value) else { return nil }
                values.append((field.name, value))
            }
            return .record(Record(uniqueFields: values))
        case .command:
            return nil
        case .commandOrWord(let name, _):
            return command(named: name) == nil ? .string(name) : nil
        case .comparison(let comparison, let left, let right, let span):
            guard let leftValue = try evaluateImmediately(left), let rightValue = try evaluateImmediately(right) else {
                return nil
            }
            return .boolean(try compare(comparison, leftValue, rightValue, at: span))
        case .and(let left, let right, _):
            guard let leftValue = try immediateCondition(left, construct: "and") else { return nil }
            guard leftValue else { return .boolean(false) }
            return try immediateCondition(right, construct: "and").map(Value.boolean)
        case .or(let left, let right, _):
            guard let leftValue = try immediateCondition(left, construct: "or") else { return nil }
            if leftValue { return .boolean(true) }
            return try immediateCondition(right, construct: "or").map(Value.boolean)
        case .not(let operand, _):
            return try immediateCondition(operand, construct: "not").map { .boolean(!$0) }
        }
    }

    private func immediateCondition(_ expression: Expression, construct: String) throws(Interruption) -> Bool? {
        guard let value = try evaluateImmediately(expression) else { return nil }
        return try requireBoolean(value, of: expression, construct: construct)
    }
}
