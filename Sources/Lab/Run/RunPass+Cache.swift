import Foundation
import Datasets
import Report

extension RunPass {
    /// A step's cache key: its code, the values of the parameters it mentions, the state the
    /// earlier steps left, where data is looked for, and the settings that change rounding
    /// (`RunSettings.numerics`). Only the parameters this step mentions:
    /// one that only a later step reads does not re-run this one (parameter bindings are not in
    /// the state fingerprint either). The leading tag changes whenever the numbers a step
    /// computes change for the same code (6: convolutions on Winograd tiles round differently;
    /// 7: their products sum over all of k in one chain, where OpenBLAS cut long sums in blocks;
    /// 8: grids that tiles do not divide get smaller tiles at their edges; 9: dense layers'
    /// forward and input-gradient products on our panel kernel; 10: the forward products of
    /// convolutions on patches, the chapter's and the 64×64 models' first layers, there too;
    /// 11: one 4×4 tile per item on the 004 models' 8 ↔ 4 layers; 12: kernel gradients over at
    /// most 128 tiles on our transposed product; 13: dense products with 784 columns, whose last
    /// panel is a half, on our panel kernel too), so entries an older `lab` wrote are not
    /// replayed as this one's results.
    func cacheKey(for step: LabFile.Step) -> String {
        // The step's words looked up among the parameters, not each parameter searched for in the
        // step: the cost is the step's length, whatever the number of parameters.
        let mentioned = step.source.nameWords.flatMap { parameterIndices[String($0)] ?? [] }.sorted()
        let parameterText = mentioned.map { parameterValues[$0].text }.joined(separator: "\n")
        return StateHasher.hex(of: Array(["lab-step-cache-14", step.source, parameterText, digest, dataPlaces, runner.settings.numerics].joined(separator: "\u{1}").utf8))
    }

    /// The usable cache entry for `key`, if any: a damaged one is deleted (and said so); one whose
    /// input files changed is ignored. An entry naming an input the lab may not read is ignored
    /// too: entries are data from disk.
    func cachedEntry(_ key: String, step: LabFile.Step) -> CachedStep? {
        guard let cache, !runner.settings.force else { return nil }
        do {
            guard let entry = try cache.load(key) else { return nil }
            let policy = environment.readPolicy
            let safe = entry.inputs.allSatisfy { ReadPolicy.realPath($0.path) == nil || policy.allows($0.path) }
            return safe && entry.inputs.allSatisfy(\.isCurrent) ? entry : nil
        } catch {
            runner.log("cache: step \(step.number)'s entry is damaged (\(error)); running the step again")
            cache.discard(key)
            return nil
        }
    }

    /// Replays a cached step: its code runs again to rebuild its bindings, but trainings are taken
    /// from the entry, and the resulting state must be the recorded one. Nil (the entry discarded)
    /// when it is not.
    mutating func replay(_ step: LabFile.Step, from cached: CachedStep, key: String, code: [CodeToken]) -> StepReport? {
        environment.beginStep(step.number, replaying: cached.trainings)
        adviseOnHabits(step)
        do {
            try Evaluator(step: step, environment: environment).run()
            guard environment.replayTrainings?.isEmpty == true else {
                throw CacheReplayMismatch(reason: "the step trains less often than when it was cached")
            }
            digest = environment.stateDigest()
            guard digest == cached.digestAfter else { throw CacheReplayMismatch(reason: "it leaves a different state") }
        } catch {
            runner.log("cache: step \(step.number) discarded (\(error))")
            cache?.discard(key)
            return nil
        }
        environment.replayTrainings = nil
        usedKeys.insert(key)
        inputs += cached.inputs
        let ranNow = storedNow.contains(key)
        let seconds = String(format: "%.1f s", cached.seconds)
        runner.log("Step \(step.number)/\(stepCount) · \(heading) · " + (ranNow ? seconds : "from cache (ran \(seconds))"))
        return StepReport(number: step.number, code: code, status: .ran(seconds: cached.seconds, cached: !ranNow),
                          outputs: environment.advice.map(StepOutput.notice) + cached.outputs, line: step.firstLine)
    }

    /// Stores a step that ran cleanly; a failure to save is said, not fatal.
    mutating func store(_ step: LabFile.Step, key: String, seconds: Double) {
        guard let cache else { return }
        digest = environment.stateDigest()
        let entry = CachedStep(key: key, seconds: seconds, digestAfter: digest, datasetDescription: environment.datasetDescription,
                               outputs: environment.outputs, inputs: environment.inputs, trainings: environment.recordedTrainings)
        do {
            try cache.store(entry)
            usedKeys.insert(key)
            storedNow.insert(key)
        } catch {
            runner.log("cache: cannot save step \(step.number) (\(error))")
        }
    }
}
