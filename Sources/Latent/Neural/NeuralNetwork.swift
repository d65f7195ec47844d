import Foundation

/// The number types a neural network of Latent computes in: Float for training, Double for gradient checks.
public protocol NeuralScalar: BinaryFloatingPoint, Sendable {
    /// e^x.
    static func neuralExp(_ x: Self) -> Self
    /// The natural logarithm.
    static func neuralLog(_ x: Self) -> Self
    /// The hyperbolic tangent.
    static func neuralTanh(_ x: Self) -> Self
}

extension Float: NeuralScalar {
    @inlinable public static func neuralExp(_ x: Float) -> Float { Foundation.exp(x) }
    @inlinable public static func neuralLog(_ x: Float) -> Float { Foundation.log(x) }
    @inlinable public static func neuralTanh(_ x: Float) -> Float { Foundation.tanh(x) }
}

extension Double: NeuralScalar {
    @inlinable public static func neuralExp(_ x: Double) -> Double { Foundation.exp(x) }
    @inlinable public static func neuralLog(_ x: Double) -> Double { Foundation.log(x) }
    @inlinable public static func neuralTanh(_ x: Double) -> Double { Foundation.tanh(x) }
}

/// The activation functions of the course notes.
public enum Activation: String, Sendable, CaseIterable, Equatable {
    /// g(z) = z.
    case identity
    /// g(z) = 1 if z >= 0 else 0 (its derivative is taken as 0: a step unit does not learn by backpropagation).
    case step
    /// g(z) = 1 / (1 + e^-z).
    case sigmoid
    /// g(z) = tanh z.
    case tanh
    /// g(z) = max(0, z) (derivative 0 at z <= 0).
    case relu

    /// g(z).
    @inlinable
    public func apply<T: NeuralScalar>(_ z: T) -> T {
        switch self {
        case .identity: return z
        case .step: return z >= 0 ? 1 : 0
        case .sigmoid: return Activation.sigmoid(z)
        case .tanh: return T.neuralTanh(z)
        case .relu: return z > 0 ? z : 0
        }
    }

    /// g'(z), given z and g(z).
    @inlinable
    public func derivative<T: NeuralScalar>(_ z: T, output a: T) -> T {
        switch self {
        case .identity: return 1
        case .step: return 0
        case .sigmoid: return a * (1 - a)
        case .tanh: return 1 - a * a
        case .relu: return z > 0 ? 1 : 0
        }
    }

    /// A numerically safe logistic function.
    @inlinable
    public static func sigmoid<T: NeuralScalar>(_ z: T) -> T {
        if z >= 0 { return 1 / (1 + T.neuralExp(-z)) }
        let e = T.neuralExp(z)
        return e / (1 + e)
    }
}

/// The losses of the course notes, each with its gradient with respect to the network's output.
public enum Loss: String, Sendable, CaseIterable, Equatable {
    /// 1/2 sum (y_hat - y)^2 over the outputs.
    case meanSquaredError = "mse"
    /// -(y log y_hat + (1 - y) log(1 - y_hat)) on probabilities y_hat in (0, 1) (a sigmoid output).
    case binaryCrossEntropy = "bce"
    /// -sum_k y_k log softmax(z)_k on the raw outputs z (the softmax is part of the loss).
    case categoricalCrossEntropy = "cce"

    /// The loss of `output` against `target` (`count` entries each).
    func value<T: NeuralScalar>(_ output: UnsafePointer<T>, _ target: UnsafePointer<T>, count n: Int) -> T {
        var s: T = 0
        switch self {
        case .meanSquaredError:
            for k in 0..<n { s += (output[k] - target[k]) * (output[k] - target[k]) / 2 }
        case .binaryCrossEntropy:
            let eps: T = 1e-12
            for k in 0..<n {
                let p = min(max(output[k], eps), 1 - eps)
                s -= target[k] * T.neuralLog(p) + (1 - target[k]) * T.neuralLog(1 - p)
            }
        case .categoricalCrossEntropy:
            var m = output[0]
            for k in 1..<n { m = max(m, output[k]) }
            var z: T = 0
            for k in 0..<n { z += T.neuralExp(output[k] - m) }
            let logZ = m + T.neuralLog(z)
            for k in 0..<n { s -= target[k] * (output[k] - logZ) }
        }
        return s
    }

    /// Writes d loss / d output into `gradient`.
    func gradient<T: NeuralScalar>(_ output: UnsafePointer<T>, _ target: UnsafePointer<T>, count n: Int,
                                          into gradient: UnsafeMutablePointer<T>) {
        switch self {
        case .meanSquaredError:
            for k in 0..<n { gradient[k] = output[k] - target[k] }
        case .binaryCrossEntropy:
            let eps: T = 1e-12
            for k in 0..<n {
                let p = min(max(output[k], eps), 1 - eps)
                gradient[k] = (p - target[k]) / (p * (1 - p))
            }
        case .categoricalCrossEntropy:
            var m = output[0]
            for k in 1..<n { m = max(m, output[k]) }
            var z: T = 0
            for k in 0..<n { z += T.neuralExp(output[k] - m) }
            var total: T = 0
            for k in 0..<n { total += target[k] }
            for k in 0..<n { gradient[k] = T.neuralExp(output[k] - m) / z * total - target[k] }
        }
    }
}

/// One fully connected layer: a = g(W x + b), W of `outputs` x `inputs` (row-major).
public struct DenseLayer: Sendable, Equatable {
    /// The size of the input.
    public var inputs: Int
    /// The number of units.
    public var outputs: Int
    /// The activation of the units.
    public var activation: Activation

    /// A layer description.
    public init(inputs: Int, outputs: Int, activation: Activation) {
        precondition(inputs > 0 && outputs > 0)
        self.inputs = inputs
        self.outputs = outputs
        self.activation = activation
    }

    /// The number of parameters: the weights, then the biases.
    public var parameterCount: Int { inputs * outputs + outputs }
}

/// The shape of a feed-forward network: a chain of dense layers whose parameters lie in one flat vector (layer by
/// layer, weights then biases), so optimizers and gradient checks see a single vector.
public struct NetworkLayout: Sendable, Equatable {
    /// The layers, input side first.
    public let layers: [DenseLayer]
    /// Where each layer's parameters start in the flat vector.
    public let offsets: [Int]
    /// The number of parameters in all.
    public let parameterCount: Int

    /// A layout from layers whose sizes chain.
    public init(_ layers: [DenseLayer]) {
        precondition(!layers.isEmpty)
        for (a, b) in zip(layers, layers.dropFirst()) { precondition(a.outputs == b.inputs, "layer sizes do not chain") }
        self.layers = layers
        let ends = layers.reduce(into: [0]) { $0.append(($0.last ?? 0) + $1.parameterCount) }
        offsets = Array(ends.dropLast())
        parameterCount = ends.last ?? 0
    }

    /// A chain `sizes[0] -> sizes[1] -> ...`, every layer with `hidden` except the last, which has `output`.
    public init(sizes: [Int], hidden: Activation, output: Activation) {
        precondition(sizes.count >= 2)
        self.init((1..<sizes.count).map { l in
            DenseLayer(inputs: sizes[l - 1], outputs: sizes[l], activation: l == sizes.count - 1 ? output : hidden)
        })
    }

    /// The input size.
    public var inputSize: Int { layers[0].inputs }
    /// The output size.
    public var outputSize: Int { layers[layers.count - 1].outputs }
    /// The total number of units (the size of a workspace's activations).
    var unitCount: Int { layers.reduce(0) { $0 + $1.outputs } }

    /// Small random parameters: weights uniform in +-sqrt(6 / (inputs + outputs)) (Glorot), biases zero.
    public func initialParameters<T: NeuralScalar>(using rng: inout SeededGenerator) -> [T] {
        var p = [T](repeating: 0, count: parameterCount)
        for (l, layer) in layers.enumerated() {
            let bound = (6 / Double(layer.inputs + layer.outputs)).squareRoot()
            for w in 0..<(layer.inputs * layer.outputs) {
                p[offsets[l] + w] = T((Double(rng.nextUniform()) * 2 - 1) * bound)
            }
        }
        return p
    }

    /// The forward pass: writes each layer's pre-activations z and activations a into `z` and `a` (`unitCount`
    /// entries each, layer after layer) and returns a pointer to the output activations inside `a`.
    @discardableResult
    func forward<T: NeuralScalar>(parameters: UnsafePointer<T>, input: UnsafePointer<T>,
                                         z: UnsafeMutablePointer<T>, a: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<T> {
        var x = input
        var unit = 0
        for (l, layer) in layers.enumerated() {
            let w = parameters + offsets[l], b = w + layer.inputs * layer.outputs
            for o in 0..<layer.outputs {
                let s = b[o] + Vector.dot(w + o * layer.inputs, x, count: layer.inputs)
                z[unit + o] = s
                a[unit + o] = layer.activation.apply(s)
            }
            x = UnsafePointer(a + unit)
            unit += layer.outputs
        }
        return a + (unit - outputSize)
    }

    /// Backpropagation: given d loss / d output in `delta` (the output size) and the z and a of `forward`, adds
    /// the parameter gradient into `gradient` and, when `inputGradient` is given, writes d loss / d input there.
    /// `scratch` needs `unitCount` entries.
    func backward<T: NeuralScalar>(parameters: UnsafePointer<T>, input: UnsafePointer<T>,
                                          z: UnsafePointer<T>, a: UnsafePointer<T>, outputGradient: UnsafePointer<T>,
                                          gradient: UnsafeMutablePointer<T>, inputGradient: UnsafeMutablePointer<T>?,
                                          scratch: UnsafeMutablePointer<T>) {
        // scratch holds d loss / d z for every unit, filled from the output layer back.
        var unitEnd = unitCount
        for l in stride(from: layers.count - 1, through: 0, by: -1) {
            let layer = layers[l]
            let unit = unitEnd - layer.outputs
            let w = parameters + offsets[l]
            let gw = gradient + offsets[l], gb = gw + layer.inputs * layer.outputs
            let x = l == 0 ? input : a + (unit - layer.inputs)
            for o in 0..<layer.outputs {
                let upstream: T
                if l == layers.count - 1 {
                    upstream = outputGradient[o]
                } else {
                    // d loss / d a_o = sum over the next layer's units of W_next[j, o] * delta_next[j].
                    let next = layers[l + 1], wn = parameters + offsets[l + 1]
                    var s: T = 0
                    for j in 0..<next.outputs { s += wn[j * next.inputs + o] * scratch[unitEnd + j] }
                    upstream = s
                }
                let d = upstream * layer.activation.derivative(z[unit + o], output: a[unit + o])
                scratch[unit + o] = d
                gb[o] += d
                let row = gw + o * layer.inputs
                for i in 0..<layer.inputs { row[i] += d * x[i] }
            }
            if l == 0, let inputGradient {
                for i in 0..<layer.inputs { inputGradient[i] = 0 }
                for o in 0..<layer.outputs {
                    let d = scratch[unit + o], row = w + o * layer.inputs
                    for i in 0..<layer.inputs { inputGradient[i] += row[i] * d }
                }
            }
            unitEnd = unit
        }
    }
}

/// A feed-forward network with its parameters: the course notes' neural network, usable on its own.
public struct NeuralNetwork<T: NeuralScalar>: Sendable {
    /// The layers.
    public let layout: NetworkLayout
    /// The flat parameters (see ``NetworkLayout``).
    public var parameters: [T]

    /// A network with small random parameters from `rng`.
    public init(layout: NetworkLayout, using rng: inout SeededGenerator) {
        self.layout = layout
        self.parameters = layout.initialParameters(using: &rng)
    }

    /// A network with the given parameters.
    public init(layout: NetworkLayout, parameters: [T]) {
        precondition(parameters.count == layout.parameterCount)
        self.layout = layout
        self.parameters = parameters
    }

    /// The output for `input`.
    public func predict(_ input: [T]) -> [T] {
        precondition(input.count == layout.inputSize)
        var z = [T](repeating: 0, count: layout.unitCount), a = z
        parameters.withUnsafeBufferPointer { p in
            input.withUnsafeBufferPointer { x in
                z.withUnsafeMutableBufferPointer { zp in
                    a.withUnsafeMutableBufferPointer { ap in
                        _ = layout.forward(parameters: p.baseAddress!, input: x.baseAddress!, z: zp.baseAddress!, a: ap.baseAddress!)
                    }
                }
            }
        }
        return Array(a.suffix(layout.outputSize))
    }

    /// The mean loss over `examples` at `parameters` and its gradient (forward pass and backpropagation).
    public static func lossAndGradient(layout: NetworkLayout, parameters: [T], examples: [(input: [T], target: [T])],
                                       loss: Loss) -> (loss: T, gradient: [T]) {
        var gradient = [T](repeating: 0, count: layout.parameterCount)
        var z = [T](repeating: 0, count: layout.unitCount), a = z, scratch = z
        var dOut = [T](repeating: 0, count: layout.outputSize)
        var total: T = 0
        parameters.withUnsafeBufferPointer { p in
        gradient.withUnsafeMutableBufferPointer { g in
        z.withUnsafeMutableBufferPointer { zp in
        a.withUnsafeMutableBufferPointer { ap in
        scratch.withUnsafeMutableBufferPointer { sp in
        dOut.withUnsafeMutableBufferPointer { dp in
            for (input, target) in examples {
                input.withUnsafeBufferPointer { x in
                    target.withUnsafeBufferPointer { y in
                        let out = layout.forward(parameters: p.baseAddress!, input: x.baseAddress!, z: zp.baseAddress!, a: ap.baseAddress!)
                        total += loss.value(out, y.baseAddress!, count: layout.outputSize)
                        loss.gradient(out, y.baseAddress!, count: layout.outputSize, into: dp.baseAddress!)
                        layout.backward(parameters: p.baseAddress!, input: x.baseAddress!, z: zp.baseAddress!, a: ap.baseAddress!,
                                        outputGradient: dp.baseAddress!, gradient: g.baseAddress!, inputGradient: nil,
                                        scratch: sp.baseAddress!)
                    }
                }
            }
        }}}}}}
        let n = T(max(1, examples.count))
        return (total / n, gradient.map { $0 / n })
    }
}
