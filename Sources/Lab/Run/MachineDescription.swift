import Foundation

/// A one-line description of this computer for report headers and `lab bench`.
public enum MachineDescription {
    /// CPU model, cores, memory and system, e.g. "AMD EPYC 9B45, 2 cores, 24 GiB, …".
    public static var current: String {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let memory = Double(ProcessInfo.processInfo.physicalMemory) / 1_073_741_824
        var model = "CPU"
        if let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
           let line = info.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
           let name = line.split(separator: ":", maxSplits: 1).last {
            model = name.trimmingCharacters(in: .whitespaces)
        }
        return "\(model), \(cores) cores, \(String(format: "%.0f", memory)) GiB, \(ProcessInfo.processInfo.operatingSystemVersionString)"
    }

    /// The widest vector instructions the CPU has, as /proc/cpuinfo's flags say (Linux; "unknown"
    /// elsewhere), e.g. "AVX-512 (512-bit vectors)": what decides which BLAS kernels can run.
    public static var vectorExtensions: String {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") || $0.hasPrefix("Features") })
        else { return "unknown" }
        let flags = Set(line.split(separator: ":", maxSplits: 1).last?.split(separator: " ").map(String.init) ?? [])
        if flags.contains("avx512f") { return "AVX-512 (512-bit vectors)" }
        if flags.contains("avx2") { return "AVX2 (256-bit vectors)" }
        if flags.contains("avx") { return "AVX (256-bit vectors)" }
        if flags.contains("asimd") { return "NEON (128-bit vectors)" }
        return "SSE (128-bit vectors)"
    }
}
