/// Sizes in words, for messages: `512 MiB`, `12.0 GiB`, `3.4 TiB`.
public enum ByteCount {
    /// `bytes` in the largest binary unit that keeps the number at least 1: one decimal below
    /// 10, none above (`1.5 KiB`, `640 MiB`); under 1 KiB, the exact count (`900 bytes`).
    public static func describe(_ bytes: Int) -> String {
        let units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        var value = Double(bytes), unit = 0
        while value >= 1024 && unit < units.count - 1 { value /= 1024; unit += 1 }
        if unit == 0 { return "\(bytes) bytes" }
        let rounded = value < 10 ? (value * 10).rounded() / 10 : value.rounded()
        let text = value < 10 ? String(rounded) : String(Int(rounded))
        return text + " " + units[unit]
    }
}
