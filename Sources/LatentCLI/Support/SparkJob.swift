import Foundation
import Latent

/// Runs `scripts/spark-als.py` with `spark-submit`, or with `python3` when pyspark is installed, and reports what is
/// missing when neither can run it.
struct SparkJob {
    /// How the script is started.
    enum Launcher: Equatable {
        case sparkSubmit(URL)
        case python(URL)
    }

    /// The script's path and how to start it, checked before any work.
    var script: URL
    var launcher: Launcher

    /// Finds Java, a launcher and the script, or throws ``SparkJobError`` naming what is missing.
    static func locate(script explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> SparkJob {
        guard findJava(environment) != nil else { throw SparkJobError.missingJava }
        let launcher: Launcher
        if let submit = sparkSubmit(environment) {
            launcher = .sparkSubmit(submit)
        } else if let python = executable("python3", environment), hasPySpark(python) {
            launcher = .python(python)
        } else {
            throw SparkJobError.missingSpark
        }
        return SparkJob(script: try findScript(explicit, environment: environment), launcher: launcher)
    }

    /// Whether Java and pyspark (or spark-submit) are both here: what the Spark tests check before they run.
    static var isAvailable: Bool { (try? locate(script: nil)) != nil }

    /// `java` under `JAVA_HOME`, else on `PATH`.
    static func findJava(_ environment: [String: String]) -> URL? {
        if let home = environment["JAVA_HOME"], !home.isEmpty {
            let java = URL(fileURLWithPath: home).appendingPathComponent("bin/java")
            if FileManager.default.isExecutableFile(atPath: java.path) { return java }
        }
        return executable("java", environment)
    }

    /// `spark-submit` under `SPARK_HOME`, else on `PATH`.
    static func sparkSubmit(_ environment: [String: String]) -> URL? {
        if let home = environment["SPARK_HOME"], !home.isEmpty {
            let submit = URL(fileURLWithPath: home).appendingPathComponent("bin/spark-submit")
            if FileManager.default.isExecutableFile(atPath: submit.path) { return submit }
        }
        return executable("spark-submit", environment)
    }

    /// The executable `name` on `PATH`.
    static func executable(_ name: String, _ environment: [String: String]) -> URL? {
        for dir in (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let url = URL(fileURLWithPath: String(dir)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return nil
    }

    /// Whether `python` can import pyspark.
    static func hasPySpark(_ python: URL) -> Bool {
        let p = Process()
        p.executableURL = python
        p.arguments = ["-c", "import pyspark"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }

    /// The script: `--spark-script`, else `LATENT_SPARK_SCRIPT`, else `scripts/spark-als.py` in the current folder
    /// or in a folder above the `latent` executable (a checkout's `.build/debug/latent`).
    static func findScript(_ explicit: String?, environment: [String: String]) throws -> URL {
        let fm = FileManager.default
        if let path = explicit ?? environment["LATENT_SPARK_SCRIPT"] {
            guard fm.fileExists(atPath: path) else { throw SparkJobError.missingScript(searched: [path]) }
            return URL(fileURLWithPath: path)
        }
        var candidates = [URL(fileURLWithPath: fm.currentDirectoryPath).appendingPathComponent("scripts/spark-als.py")]
        var dir = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            candidates.append(dir.appendingPathComponent("scripts/spark-als.py"))
            dir = dir.deletingLastPathComponent()
        }
        if let found = candidates.first(where: { fm.fileExists(atPath: $0.path) }) { return found }
        throw SparkJobError.missingScript(searched: candidates.map(\.path))
    }

    /// The command line that runs the script on `folder`.
    func command(folder: URL, parameters: SparkALSParameters, master: String, driverMemory: String) -> (URL, [String]) {
        let scriptArguments = [script.path, "--folder", folder.path, "--master", master, "--driver-memory", driverMemory]
            + parameters.scriptArguments + ["--save-model"]
        switch launcher {
        case let .sparkSubmit(submit):
            return (submit, ["--master", master, "--driver-memory", driverMemory] + scriptArguments)
        case let .python(python):
            return (python, scriptArguments)
        }
    }

    /// Runs the job; its output and progress go to standard error as they come. A job still running after `timeout`
    /// is stopped.
    func run(folder: URL, parameters: SparkALSParameters, master: String, driverMemory: String, timeout: Double?) throws {
        let (executable, arguments) = command(folder: folder, parameters: parameters, master: master, driverMemory: driverMemory)
        let p = Process()
        p.executableURL = executable
        p.arguments = arguments
        p.standardOutput = FileHandle.standardError
        p.standardError = FileHandle.standardError
        do { try p.run() } catch {
            throw SparkJobError.cannotStart(executable.path, error.localizedDescription)
        }
        var timedOut = false
        if let timeout {
            let deadline = Date().addingTimeInterval(timeout)
            while p.isRunning {
                if Date() >= deadline {
                    timedOut = true
                    p.terminate()
                    break
                }
                Thread.sleep(forTimeInterval: 0.1)
            }
        }
        p.waitUntilExit()
        if timedOut { throw SparkJobError.timedOut(seconds: timeout ?? 0) }
        guard p.terminationReason == .exit, p.terminationStatus == 0 else {
            throw SparkJobError.failed(status: p.terminationStatus)
        }
    }
}

/// Why a Spark job could not run.
enum SparkJobError: Error, Equatable, CustomStringConvertible {
    case missingJava
    case missingSpark
    case missingScript(searched: [String])
    case cannotStart(String, String)
    case failed(status: Int32)
    case timedOut(seconds: Double)

    var description: String {
        switch self {
        case .missingJava:
            return "--engine spark needs Java (17 or later), and no java is on PATH or under JAVA_HOME: install a JRE (apt-get install openjdk-17-jre-headless) or set JAVA_HOME"
        case .missingSpark:
            return "--engine spark needs Spark: neither spark-submit (on PATH or under SPARK_HOME) nor a python3 that can import pyspark was found: pip install pyspark"
        case let .missingScript(searched):
            return "--engine spark cannot find scripts/spark-als.py (looked at \(searched.joined(separator: ", "))): give --spark-script PATH or set LATENT_SPARK_SCRIPT"
        case let .cannotStart(path, reason): return "cannot start \(path): \(reason)"
        case let .failed(status):
            return "the Spark job failed (exit status \(status)); its messages are above"
        case let .timedOut(seconds):
            return "the Spark job was stopped after \(Int(seconds)) s (--spark-timeout)"
        }
    }
}
