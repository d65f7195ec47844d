import ArgumentParser
import Foundation
import Latent

/// `train --validation FILE | --validation-fraction F [--early-stopping N] [--history FILE.csv] [--plot FILE.svg]`:
/// a learning curve measured after every epoch or sweep (see ``LearningCurve``).
struct ValidationOptions: ParsableArguments {
    @Option(help: "A rating file to measure the model on after every epoch or sweep (RMSE; nDCG@10 for ranking models).")
    var validation: String?
    @Option(name: .customLong("validation-fraction"), help: "Hold out this seeded fraction of --data as the validation part instead.")
    var validationFraction: Double?
    @Option(name: .customLong("early-stopping"), help: ArgumentHelp("Stop after N epochs without a better validation figure and keep the best model.", valueName: "N"))
    var earlyStopping: Int?
    @Option(help: ArgumentHelp("Write the learning curve as CSV: step,training_loss,validation_<metric>.", valueName: "file.csv"))
    var history: String?
    @Option(help: ArgumentHelp("Draw the learning curve (training and validation) as an SVG picture.", valueName: "file.svg"))
    var plot: String?

    var enabled: Bool { validation != nil || validationFraction != nil }

    func validate() throws {
        if validation != nil, validationFraction != nil {
            throw ValidationError("give --validation FILE or --validation-fraction F, not both")
        }
        if let f = validationFraction, !(f > 0 && f < 1) { throw ValidationError("--validation-fraction must be between 0 and 1") }
        if let n = earlyStopping, n < 1 { throw ValidationError("--early-stopping must be at least 1") }
        if !enabled, earlyStopping != nil || history != nil || plot != nil {
            throw ValidationError("--early-stopping, --history and --plot need validation data: --validation FILE or --validation-fraction F")
        }
    }

    /// The training ratings and the validation ratings: `ratings` split by the fraction, or the validation file.
    func split(_ ratings: RatingSet, reading: DataOptions, seed: UInt64) throws -> (train: RatingSet, validation: RatingSet?) {
        if let f = validationFraction {
            let s = Splits.holdout(ratings, testFraction: f, seed: seed)
            return (s.train, s.test)
        }
        if let validation { return (ratings, try reading.read(validation).0) }
        return (ratings, nil)
    }

    /// Writes the curve's CSV and SVG where asked.
    func write(_ curve: LearningCurve, stage: String, model: String, inputs: [URL]) throws {
        if let history { try OutputFile.write(Array(curve.csv.utf8), to: URL(fileURLWithPath: history), inputs: inputs) }
        if let plot {
            let svg = LearningCurvePlot.svg(curve.points, metric: curve.metric, stage: stage,
                                            title: "\(model): learning curve", best: curve.best?.step)
            try OutputFile.write(Array(svg.utf8), to: URL(fileURLWithPath: plot), inputs: inputs)
        }
    }
}

/// An SVG line chart of a learning curve: the step on the x axis; for RMSE both curves share the y axis, for a ranking
/// metric the training loss (when known) has its own axis on the right.
enum LearningCurvePlot {
    static func svg(_ points: [LearningCurvePoint], metric: ValidationMetric, stage: String, title: String, best: Int?) -> String {
        let width = 720.0, height = 440.0, left = 80.0, right = 80.0, top = 50.0, bottom = 60.0
        let plotW = width - left - right, plotH = height - top - bottom
        let steps = points.map { Double($0.step) }
        let xMin = steps.min() ?? 0, xMax = max((steps.max() ?? 1), xMin + 1)
        let validation = points.map(\.validation).filter(\.isFinite)
        let losses = points.compactMap(\.trainingLoss).filter(\.isFinite)
        let shared = metric == .rmse
        func range(_ v: [Double]) -> (Double, Double) {
            guard let lo = v.min(), let hi = v.max() else { return (0, 1) }
            let pad = max((hi - lo) * 0.08, abs(hi) * 1e-3, 1e-9)
            return (lo - pad, hi + pad)
        }
        let leftRange = range(shared ? validation + losses : validation)
        let rightRange = range(losses)
        func x(_ s: Double) -> Double { left + (s - xMin) / (xMax - xMin) * plotW }
        func y(_ v: Double, _ r: (Double, Double)) -> Double { top + (1 - (v - r.0) / (r.1 - r.0)) * plotH }
        func n(_ v: Double) -> String { String(format: "%.1f", v) }
        func label(_ v: Double) -> String { String(format: "%.4g", v) }
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(n(width / 2))" y="24" text-anchor="middle" font-size="15">\(escape(title))</text>
            <rect x="\(n(left))" y="\(n(top))" width="\(n(plotW))" height="\(n(plotH))" fill="none" stroke="#444"/>

            """
        // Ticks: five on each axis.
        for t in 0...4 {
            let f = Double(t) / 4
            let sx = xMin + f * (xMax - xMin), vy = leftRange.0 + f * (leftRange.1 - leftRange.0)
            svg += "<line x1=\"\(n(x(sx)))\" y1=\"\(n(top + plotH))\" x2=\"\(n(x(sx)))\" y2=\"\(n(top + plotH + 5))\" stroke=\"#444\"/>"
            svg += "<text x=\"\(n(x(sx)))\" y=\"\(n(top + plotH + 20))\" text-anchor=\"middle\">\(label(sx.rounded()))</text>\n"
            svg += "<line x1=\"\(n(left - 5))\" y1=\"\(n(y(vy, leftRange)))\" x2=\"\(n(left + plotW))\" y2=\"\(n(y(vy, leftRange)))\" stroke=\"#ddd\"/>"
            svg += "<text x=\"\(n(left - 8))\" y=\"\(n(y(vy, leftRange) + 4))\" text-anchor=\"end\">\(label(vy))</text>\n"
            if !shared, !losses.isEmpty {
                let ry = rightRange.0 + f * (rightRange.1 - rightRange.0)
                svg += "<text x=\"\(n(left + plotW + 8))\" y=\"\(n(y(ry, rightRange) + 4))\">\(label(ry))</text>\n"
            }
        }
        svg += "<text x=\"\(n(left + plotW / 2))\" y=\"\(n(height - 15))\" text-anchor=\"middle\">\(stage)</text>\n"
        let leftTitle = shared ? "RMSE" : "validation \(metric.name)"
        svg += "<text transform=\"translate(22 \(n(top + plotH / 2))) rotate(-90)\" text-anchor=\"middle\">\(escape(leftTitle))</text>\n"
        if !shared, !losses.isEmpty {
            svg += "<text transform=\"translate(\(n(width - 18)) \(n(top + plotH / 2))) rotate(90)\" text-anchor=\"middle\">training loss</text>\n"
        }
        func polyline(_ pts: [(Double, Double)], color: String, dash: Bool) -> String {
            let coordinates = pts.map { "\(n($0.0)),\(n($0.1))" }.joined(separator: " ")
            return "<polyline points=\"\(coordinates)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"\(dash ? " stroke-dasharray=\"6 4\"" : "")/>\n"
        }
        let lossRange = shared ? leftRange : rightRange
        let lossPoints = points.compactMap { p in p.trainingLoss.flatMap { $0.isFinite ? (x(Double(p.step)), y($0, lossRange)) : nil } }
        if !lossPoints.isEmpty { svg += polyline(lossPoints, color: "#1f77b4", dash: true) }
        svg += polyline(points.filter { $0.validation.isFinite }.map { (x(Double($0.step)), y($0.validation, leftRange)) },
                        color: "#d62728", dash: false)
        if let best, let p = points.first(where: { $0.step == best }), p.validation.isFinite {
            svg += "<circle cx=\"\(n(x(Double(best))))\" cy=\"\(n(y(p.validation, leftRange)))\" r=\"5\" fill=\"#d62728\"/>"
            svg += "<text x=\"\(n(x(Double(best))))\" y=\"\(n(y(p.validation, leftRange) - 10))\" text-anchor=\"middle\">best \(label(p.validation)) (\(stage) \(best))</text>\n"
        }
        // Legend.
        let lx = left + 12, ly = top + 16
        svg += "<line x1=\"\(n(lx))\" y1=\"\(n(ly))\" x2=\"\(n(lx + 28))\" y2=\"\(n(ly))\" stroke=\"#d62728\" stroke-width=\"2\"/><text x=\"\(n(lx + 34))\" y=\"\(n(ly + 4))\">validation \(metric.name)</text>\n"
        if !lossPoints.isEmpty {
            svg += "<line x1=\"\(n(lx))\" y1=\"\(n(ly + 18))\" x2=\"\(n(lx + 28))\" y2=\"\(n(ly + 18))\" stroke=\"#1f77b4\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/><text x=\"\(n(lx + 34))\" y=\"\(n(ly + 22))\">training loss</text>\n"
        }
        return svg + "</svg>\n"
    }

    private static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
