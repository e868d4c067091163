import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Persistent worker threads that run the parts of one job together with the calling thread.
///
/// Every parallel loop of the library (matrix products split by rows or columns, element-wise
/// loops, convolution batches, optimizer updates) goes through this one pool, so on a machine
/// with few cores nothing competes for them: the BLAS library is told to use one thread and the
/// pool hands it a share of each product instead. Waking a thread costs a system call, so a
/// worker that has just finished keeps watching for the next job for a short while before it
/// sleeps; a training step hands out thousands of jobs back to back.
///
/// Parts are claimed in order by whichever thread is free, the caller included, so a worker the
/// system has not scheduled (another program wants the core) delays nothing: the caller runs
/// the parts itself. What a part computes is fixed by its number, so results never depend on
/// which thread ran it. Every wait gives the core away (`sched_yield`) rather than spinning
/// against a thread that needs it. A job started while another is running (from a part itself,
/// or from a second thread) runs its parts one after the other on the calling thread.
final class WorkerPool: @unchecked Sendable {
    /// The process's pool: one thread per core, the calling thread included (at most 8; see
    /// `ProcessorCount` for the `LAB_THREADS` setting).
    static let shared = WorkerPool(threadCount: ProcessorCount.available)

    /// Threads that run parts, the calling thread included.
    let threadCount: Int

    /// The job's generation (high 32 bits), the next unclaimed part (middle 16) and the number of
    /// parts (low 16), in one word so that a claim is one compare-and-exchange that cannot take
    /// a part of a later job.
    private let ticket = Atomic<UInt64>(0)
    private let completedParts = Atomic<Int>(0)
    private let sleepingWorkers = Atomic<Int>(0)
    private let busy = Atomic<Bool>(false)
    /// The products the job's parts counted (`ProductCount`), for the job's caller.
    private let jobProducts = Atomic<Int>(0)
    private let sleepLock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let wakeUp = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    /// The running job's parts; read only by a thread holding a claim on one of them.
    private var job: ((Int) -> Void)?

    /// Most parts one job can have (the ticket's 16-bit fields).
    static let maximumParts = Int(UInt16.max)

    /// How long an idle worker keeps checking for a new job before it sleeps. A training step's
    /// serial stretches between two jobs (a loss, a random mask) are shorter than this, so the
    /// workers stay awake through a step and go to sleep between steps and after training.
    private static let watchBeforeSleeping = Duration.milliseconds(2)

    /// A pool of `threadCount` threads, the caller included; its workers live as long as the
    /// process. The library uses `shared`; tests make pools of their own.
    init(threadCount: Int) {
        self.threadCount = max(1, threadCount)
        pthread_mutex_init(sleepLock, nil)
        pthread_cond_init(wakeUp, nil)
        for _ in 1..<self.threadCount {
            startWorkerThread()
        }
    }

    /// Calls `part(p)` for every `p` in `0..<parts`, spread over the pool's threads, and returns
    /// when all have finished. Parts must touch disjoint memory.
    func run(parts: Int, _ part: (Int) -> Void) {
        precondition(parts <= Self.maximumParts, "a job has at most \(Self.maximumParts) parts")
        guard parts > 1, threadCount > 1,
              busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
        else {
            for p in 0..<parts { part(p) }
            return
        }
        withoutActuallyEscaping(part) { part in
            job = part
            completedParts.store(0, ordering: .relaxed)
            jobProducts.store(0, ordering: .relaxed)
            let generation = Self.generation(of: ticket.load(ordering: .relaxed)) &+ 1
            ticket.store(Self.ticket(generation: generation, next: 0, parts: parts), ordering: .sequentiallyConsistent)
            if sleepingWorkers.load(ordering: .sequentiallyConsistent) > 0 {
                pthread_mutex_lock(sleepLock)
                pthread_cond_broadcast(wakeUp)
                pthread_mutex_unlock(sleepLock)
            }
            runClaimedParts(of: generation)
            var checks = 0
            while completedParts.load(ordering: .acquiring) < parts {
                checks += 1
                if checks > 64 { sched_yield() }
            }
            job = nil
            ProductCount.add(jobProducts.load(ordering: .acquiring))
        }
        busy.store(false, ordering: .releasing)
    }

    // MARK: Tickets

    private static func ticket(generation: UInt32, next: Int, parts: Int) -> UInt64 {
        UInt64(generation) << 32 | UInt64(next) << 16 | UInt64(parts)
    }

    private static func generation(of ticket: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: ticket >> 32) }

    /// Claims and runs parts of job `generation` until none is left.
    private func runClaimedParts(of generation: UInt32) {
        while true {
            let current = ticket.load(ordering: .acquiring)
            let next = Int((current >> 16) & 0xFFFF), parts = Int(current & 0xFFFF)
            guard Self.generation(of: current) == generation, next < parts else { return }
            let claimed = Self.ticket(generation: generation, next: next + 1, parts: parts)
            guard ticket.compareExchange(expected: current, desired: claimed, ordering: .acquiringAndReleasing).exchanged
            else { continue }
            runPart(next)
            completedParts.add(1, ordering: .releasing)
        }
    }

    /// Runs one claimed part. A function of its own so that this thread's reference to the job
    /// is gone before the part is reported complete (`run` checks that nobody kept the job).
    @inline(never)
    private func runPart(_ index: Int) {
        let products = ProductCount.taken { job?(index) }
        if products != 0 { jobProducts.add(products, ordering: .relaxed) }
    }

    // MARK: Workers

    private func startWorkerThread() {
        let context = Unmanaged.passRetained(self).toOpaque()
        #if canImport(Darwin)
        var thread: pthread_t?
        #else
        var thread = pthread_t()
        #endif
        let started = pthread_create(&thread, nil, { context in
            #if canImport(Darwin)
            let pool = Unmanaged<WorkerPool>.fromOpaque(context).takeRetainedValue()
            #else
            let pool = Unmanaged<WorkerPool>.fromOpaque(context!).takeRetainedValue()
            #endif
            pool.serve()
            return nil
        }, context)
        precondition(started == 0, "could not start a worker thread (error \(started))")
        #if canImport(Darwin)
        pthread_detach(thread!)
        #else
        pthread_detach(thread)
        #endif
    }

    /// A worker's life: wait for the next job, help run its parts, repeat.
    private func serve() {
        var seen = Self.generation(of: ticket.load(ordering: .acquiring))
        while true {
            seen = waitForJob(after: seen)
            runClaimedParts(of: seen)
        }
    }

    /// Returns the first generation after `seen`, watching for a while (giving the core away
    /// between looks) and then sleeping.
    private func waitForJob(after seen: UInt32) -> UInt32 {
        let clock = ContinuousClock(), deadline = clock.now + Self.watchBeforeSleeping
        repeat {
            for _ in 0..<64 {
                let current = Self.generation(of: ticket.load(ordering: .acquiring))
                if current != seen { return current }
                sched_yield()
            }
        } while clock.now < deadline
        sleepingWorkers.add(1, ordering: .sequentiallyConsistent)
        pthread_mutex_lock(sleepLock)
        while Self.generation(of: ticket.load(ordering: .sequentiallyConsistent)) == seen {
            pthread_cond_wait(wakeUp, sleepLock)
        }
        pthread_mutex_unlock(sleepLock)
        sleepingWorkers.subtract(1, ordering: .relaxed)
        return Self.generation(of: ticket.load(ordering: .acquiring))
    }
}

/// The number of threads the library's parallel work uses.
enum ProcessorCount {
    /// `LAB_THREADS` if set, else `OPENBLAS_NUM_THREADS` (what people set to keep BLAS to fewer
    /// cores; the pool now does BLAS's threading), else the processors this process may use, at
    /// most 8.
    static let available: Int = threads(
        environment: { name in getenv(name).map { String(cString: $0) } },
        onlineProcessors: usableProcessors(online: sysconf(Int32(_SC_NPROCESSORS_ONLN)), readFile: readSmallFile))

    /// Most threads an explicit setting may ask for.
    static let explicitLimit = 64

    /// The thread count for the given environment: the first of `LAB_THREADS` and
    /// `OPENBLAS_NUM_THREADS` that is a positive whole number (at most `explicitLimit`), else
    /// `onlineProcessors` clamped to 1...8 (the library's loops gain little beyond).
    static func threads(environment: (String) -> String?, onlineProcessors: Int) -> Int {
        for name in ["LAB_THREADS", "OPENBLAS_NUM_THREADS"] {
            let words = environment(name)?.split(whereSeparator: \.isWhitespace) ?? []
            if words.count == 1, let count = Int(words[0]), count > 0 {
                return min(count, explicitLimit)
            }
        }
        return max(1, min(onlineProcessors, 8))
    }

    /// `online` lowered to what the process's control group allows, when it says less: its CPU
    /// set and its CPU-time quota (cgroup v2 `cpu.max`, or v1 `cpu.cfs_quota_us` over
    /// `cpu.cfs_period_us`), as a container sees them under `/sys/fs/cgroup`. A container limited
    /// to 2 CPUs on a 16-core machine thus gets 2 threads, not 8 fighting over 2.
    static func usableProcessors(online: Int, readFile: (String) -> String?) -> Int {
        var count = online
        for path in ["/sys/fs/cgroup/cpuset.cpus.effective", "/sys/fs/cgroup/cpuset/cpuset.cpus"] {
            if let list = readFile(path), let cpus = cpuCount(inList: list) { count = min(count, cpus) }
        }
        if let line = readFile("/sys/fs/cgroup/cpu.max") {
            let fields = line.split(whereSeparator: \.isWhitespace).map(String.init)
            if fields.count == 2, let cpus = cpusAllowed(quota: fields[0], period: fields[1]) { count = min(count, cpus) }
        } else if let quota = readFile("/sys/fs/cgroup/cpu/cpu.cfs_quota_us"),
                  let period = readFile("/sys/fs/cgroup/cpu/cpu.cfs_period_us"),
                  let cpus = cpusAllowed(quota: quota, period: period) {
            count = min(count, cpus)
        }
        return count
    }

    /// Whole CPUs a quota of `quota` µs per `period` µs allows, rounded up; nil when unlimited
    /// (`max`, -1) or unreadable.
    static func cpusAllowed(quota: String, period: String) -> Int? {
        func number(_ text: String) -> Int? { Int(text.split(whereSeparator: \.isWhitespace).first ?? "") }
        guard let quota = number(quota), let period = number(period), quota > 0, period > 0 else { return nil }
        return max(1, (quota + period - 1) / period)
    }

    /// The number of CPUs in a cgroup CPU list such as `0-3,8,10-11`; nil when it is not one.
    static func cpuCount(inList list: String) -> Int? {
        let text = list.split(whereSeparator: \.isWhitespace).first ?? ""
        var count = 0
        for item in text.split(separator: ",") {
            let bounds = item.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
            switch bounds.count {
            case 1:
                guard bounds[0] != nil else { return nil }
                count += 1
            case 2:
                guard let low = bounds[0], let high = bounds[1], low <= high else { return nil }
                count += high - low + 1
            default:
                return nil
            }
        }
        return count > 0 ? count : nil
    }

    /// The first bytes of a small system file as text, or nil when it cannot be read.
    private static func readSmallFile(_ path: String) -> String? {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes = [UInt8](repeating: 0, count: 4096)
        let length = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        guard length > 0 else { return nil }
        return String(decoding: bytes[0..<length], as: UTF8.self)
    }
}
