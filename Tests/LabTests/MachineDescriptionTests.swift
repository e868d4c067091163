@testable import Lab
import Testing

/// The CPU line of `lab bench` and report headers: VMs often say only "AMD EPYC", so the family,
/// model and the Zen or Xeon generation are added.
@Suite struct MachineDescriptionTests {
    func cpuinfo(vendor: String, family: Int, model: Int, name: String) -> String {
        "processor\t: 0\nvendor_id\t: \(vendor)\ncpu family\t: \(family)\nmodel\t\t: \(model)\nmodel name\t: \(name)\nstepping\t: 0\n"
    }

    @Test func zenGenerationsAreNamedWhereCertain() {
        #expect(MachineDescription.cpu(cpuinfo: cpuinfo(vendor: "AuthenticAMD", family: 25, model: 17, name: "AMD EPYC"))
            == "AMD EPYC (family 25, model 17, Zen 4, AVX-512 on 256-bit units)")
        #expect(MachineDescription.cpu(cpuinfo: cpuinfo(vendor: "AuthenticAMD", family: 25, model: 1, name: "AMD EPYC 7B13"))
            == "AMD EPYC 7B13 (family 25, model 1, Zen 3)")
        #expect(MachineDescription.cpu(cpuinfo: cpuinfo(vendor: "AuthenticAMD", family: 26, model: 2, name: "AMD EPYC 9B45"))
            == "AMD EPYC 9B45 (family 26, model 2, Zen 5)")
        // A model outside the known ranges, and another vendor: the numbers only.
        #expect(MachineDescription.cpu(cpuinfo: cpuinfo(vendor: "AuthenticAMD", family: 25, model: 97, name: "AMD Ryzen"))
            == "AMD Ryzen (family 25, model 97)")
        #expect(MachineDescription.cpu(cpuinfo: cpuinfo(vendor: "GenuineIntel", family: 6, model: 85, name: "Intel Xeon"))
            == "Intel Xeon (family 6, model 85)")
    }

    @Test func xeonGenerationsAreNamedWhereCertain() {
        #expect(MachineDescription.cpu(cpuinfo: cpuinfo(vendor: "GenuineIntel", family: 6, model: 207, name: "Intel(R) Xeon(R) Processor"))
            == "Intel(R) Xeon(R) Processor (family 6, model 207, Emerald Rapids)")
        #expect(MachineDescription.cpu(cpuinfo: cpuinfo(vendor: "GenuineIntel", family: 6, model: 143, name: "Intel Xeon"))
            == "Intel Xeon (family 6, model 143, Sapphire Rapids)")
        // The same numbers from another vendor, or another family: the numbers only.
        #expect(MachineDescription.cpu(cpuinfo: cpuinfo(vendor: "AuthenticAMD", family: 6, model: 207, name: "X")) == "X (family 6, model 207)")
        #expect(MachineDescription.cpu(cpuinfo: cpuinfo(vendor: "GenuineIntel", family: 19, model: 1, name: "Y")) == "Y (family 19, model 1)")
    }

    @Test func missingFieldsLeaveWhatIsKnown() {
        #expect(MachineDescription.cpu(cpuinfo: "") == "CPU")
        #expect(MachineDescription.cpu(cpuinfo: "model name\t: Some CPU\n") == "Some CPU")
        // "model name" is not "model".
        #expect(MachineDescription.cpu(cpuinfo: "cpu family\t: 25\nmodel name\t: X\n") == "X")
    }
}
