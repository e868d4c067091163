#!/usr/bin/env bash
# Builds lab's fuzz targets with libFuzzer and AddressSanitizer and runs each one (leaks are
# not reported: swift-syntax and the runtime keep caches for the life of the process).
#
#   bash Fuzz/run.sh [SECONDS] [TARGET ...]      (default: 60 seconds, every target)
#   JOBS=2 bash Fuzz/run.sh 1800 FuzzIDX         (two fuzzing processes on one target)
#   bash Fuzz/run.sh 0                           (build, then run each committed seed once: CI)
#
# Targets: FuzzIDX, FuzzCSV, FuzzPNG (the data readers), FuzzMarkdown (the report's prose),
# FuzzLabStep (a whole lab through the DSL, as `lab check` runs it), FuzzStepCache (a doctored
# step-cache entry with a valid checksum, replayed by `lab run`). Seeds are in
# Fuzz/Corpus/<target> (committed); what the fuzzer finds grows in .build-fuzz/corpus/<target>,
# merged before each run to the inputs that add coverage, and a crashing input is saved as
# .build-fuzz/crash-<target>-*. Not part of `swift test`.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(FuzzIDX FuzzCSV FuzzPNG FuzzMarkdown FuzzLabStep FuzzStepCache)
scratch=../.build-fuzz
# Leaks are not failures here (the runtime and Foundation keep some memory until exit).
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0}"
# One -sanitize flag naming both: swiftc keeps only the last of several -sanitize flags, so
# SwiftPM's `--sanitize=fuzzer --sanitize=address` would drop the coverage instrumentation.
# Linked by lld (the toolchain's): gold warns about a symbol of AddressSanitizer's runtime.
swift build -c release --sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld --scratch-path "$scratch"
status=0
for target in "${targets[@]}"; do
    if [ "$seconds" = 0 ]; then
        # Every seed once, nothing mutated: the same inputs on every run.
        echo "== $target on its seeds"
        "$scratch/release/$target" -runs=0 -timeout=60 -rss_limit_mb=4096 -detect_leaks=0 \
            -artifact_prefix="$scratch/crash-$target-" "Corpus/$target" || status=1
        continue
    fi
    corpus="$scratch/corpus/$target"
    mkdir -p "$corpus"
    # The grown corpus is replayed whole before any mutation, inside the run's time: merge it
    # first (outside the time) down to the inputs that add coverage, leaving out those slower
    # than 3 s (a lab that trains; the committed seeds stay), so that the replay stays short.
    grown=$(find "$corpus" -type f | wc -l)
    if [ "$grown" -gt 0 ]; then
        rm -rf "$corpus.merging" && mkdir "$corpus.merging"
        if "$scratch/release/$target" -merge=1 -timeout=3 -rss_limit_mb=4096 -detect_leaks=0 \
            -artifact_prefix="$scratch/merge-$target-" "$corpus.merging" "$corpus" >"$scratch/merge-$target.log" 2>&1; then
            rm -rf "$corpus" && mv "$corpus.merging" "$corpus"
            echo "== $target: its grown corpus merged, $grown inputs to $(find "$corpus" -type f | wc -l)"
        else
            rm -rf "$corpus.merging"
            echo "== $target: merging its grown corpus failed (see $scratch/merge-$target.log); kept as it is"
        fi
    fi
    echo "== $target for $seconds s"
    # A target's dictionary (Dictionaries/<target>.dict), when it has one: words for mutations.
    dictionary=()
    [ -f "Dictionaries/$target.dict" ] && dictionary=(-dict="Dictionaries/$target.dict")
    "$scratch/release/$target" "${dictionary[@]}" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=4096 -print_final_stats=1 -detect_leaks=0 \
        -jobs="${JOBS:-1}" -workers="${JOBS:-1}" -artifact_prefix="$scratch/crash-$target-" \
        "$corpus" "Corpus/$target" || status=1
done
exit $status
