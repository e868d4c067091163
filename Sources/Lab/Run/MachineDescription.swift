import Foundation

/// A one-line description of this computer for report headers and `lab bench`.
public enum MachineDescription {
    /// CPU model, cores, memory and system, e.g. "AMD EPYC (family 25, model 17, Zen 4, AVX-512
    /// on 256-bit units), 2 cores, 24 GiB, …".
    public static var current: String {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let memory = Double(ProcessInfo.processInfo.physicalMemory) / 1_073_741_824
        let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        return "\(cpu(cpuinfo: info)), \(cores) cores, \(String(format: "%.0f", memory)) GiB, \(ProcessInfo.processInfo.operatingSystemVersionString)"
    }

    /// The CPU as /proc/cpuinfo names it, with its family and model numbers and, for AMD's Zen
    /// generations and Intel's recent Xeons, the generation: virtual machines often report only
    /// "AMD EPYC" or "Intel(R) Xeon(R) Processor", and Zen 4 runs AVX-512 on 256-bit units where
    /// Zen 5 has 512-bit ones, which changes what the vector kernels gain. "CPU" when the file
    /// says nothing.
    static func cpu(cpuinfo: String) -> String {
        func field(_ name: String) -> String? {
            guard let line = cpuinfo.split(separator: "\n").first(where: {
                $0.hasPrefix(name) && $0.dropFirst(name.count).drop { $0 == " " || $0 == "\t" }.first == ":"
            }) else { return nil }
            return line.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) }
        }
        var text = field("model name") ?? "CPU"
        guard let family = field("cpu family").flatMap({ Int($0) }), let model = field("model").flatMap({ Int($0) }) else { return text }
        text += " (family \(family), model \(model)"
        if field("vendor_id") == "AuthenticAMD", let generation = zenGeneration(family: family, model: model) {
            text += ", " + generation
        } else if field("vendor_id") == "GenuineIntel", let generation = xeonGeneration(family: family, model: model) {
            text += ", " + generation
        }
        return text + ")"
    }

    /// AMD's Zen generation of a family and model, where it is certain: family 25 (19h) models
    /// 0–15 are Zen 3 (EPYC Milan), 16–31 Zen 4 (EPYC Genoa, AVX-512 on 256-bit units); family
    /// 26 (1Ah) is Zen 5.
    static func zenGeneration(family: Int, model: Int) -> String? {
        switch (family, model) {
        case (25, 0..<16): return "Zen 3"
        case (25, 16..<32): return "Zen 4, AVX-512 on 256-bit units"
        case (26, _): return "Zen 5"
        default: return nil
        }
    }

    /// Intel's Xeon generation of a family and model, for the server models whose number names
    /// one generation (Linux's `intel-family.h`): virtual machines often report only "Intel(R)
    /// Xeon(R) Processor". Model 207, Emerald Rapids, measured here: two 512-bit multiply-add
    /// units per core (`lab bench peak`, 176 GFLOPS on one thread).
    static func xeonGeneration(family: Int, model: Int) -> String? {
        guard family == 6 else { return nil }
        switch model {
        case 106: return "Ice Lake"
        case 143: return "Sapphire Rapids"
        case 207: return "Emerald Rapids"
        case 173: return "Granite Rapids"
        default: return nil
        }
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
