import FileOutput
import Foundation
import Report

extension LabRunner {
    /// Writes `index.html` (and the figures beside it) through temporary files and renames, so an
    /// earlier good report is never replaced by half a page. Returns the path, or nil (after
    /// logging) when writing failed.
    func write(_ report: LabReport, labName: String) -> String? {
        let folder = settings.reportFolder(labName)
        let target = (folder as NSString).appendingPathComponent("index.html")
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            if !settings.selfContained {
                for case .step(let step) in report.blocks {
                    for case .figure(let figure) in step.outputs {
                        guard let data = figure.data else { continue }
                        guard FigureOutput.isValidFileName(figure.fileName) else { throw CocoaError(.fileWriteInvalidFileName) }
                        try AtomicFile.write(data, to: (folder as NSString).appendingPathComponent(figure.fileName))
                    }
                }
            }
            // Files a step saved under names of its own, in both forms of the report.
            for case .step(let step) in report.blocks {
                for case .files(let saved) in step.outputs {
                    for file in saved.files {
                        guard SavedFilesOutput.isValidFileName(file.name) else { throw CocoaError(.fileWriteInvalidFileName) }
                        try AtomicFile.write(file.data, to: (folder as NSString).appendingPathComponent(file.name))
                    }
                }
            }
            try AtomicFile.write(Array(report.html(selfContained: settings.selfContained).utf8), to: target)
            removeStaleFigures(in: folder, keeping: settings.selfContained ? [] : Set(report.figureFileNames))
            return target
        } catch {
            log("\(target): cannot write the report (\((error as? AtomicFileError)?.problem ?? error.localizedDescription))")
            return nil
        }
    }

    /// Deletes figure files of earlier runs that the new report no longer shows.
    private func removeStaleFigures(in folder: String, keeping names: Set<String>) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        where name.hasPrefix("figure-") && !names.contains(name) {
            try? FileManager.default.removeItem(atPath: (folder as NSString).appendingPathComponent(name))
        }
    }
}
