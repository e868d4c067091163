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
/// Parts go to threads by number (part `p` runs on thread `p mod threadCount`), so which thread
/// computes what never depends on timing. A job started while another is running (from a part
/// itself, or from a second thread) runs its parts one after the other on the calling thread.
final class WorkerPool: @unchecked Sendable {
    /// The process's pool: one thread per core, the calling thread included (at most 8).
    static let shared = WorkerPool(threadCount: ProcessorCount.available)

    /// Threads that run parts, the calling thread included.
    let threadCount: Int

    private let generation = Atomic<Int>(0)
    private let finishedWorkers = Atomic<Int>(0)
    private let sleepingWorkers = Atomic<Int>(0)
    private let busy = Atomic<Bool>(false)
    private let sleepLock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let wakeUp = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    /// The running job; written only while no worker reads it (before `generation` moves on).
    private var job: (part: (Int) -> Void, parts: Int)?

    /// How long an idle worker keeps checking for a new job before it sleeps. A training step's
    /// serial stretches between two jobs (a loss, a random mask) are shorter than this, so the
    /// workers stay awake through a step and go to sleep between steps and after training.
    private static let watchBeforeSleeping = Duration.milliseconds(2)

    private init(threadCount: Int) {
        self.threadCount = max(1, threadCount)
        pthread_mutex_init(sleepLock, nil)
        pthread_cond_init(wakeUp, nil)
        for worker in 1..<self.threadCount {
            startThread(worker: worker)
        }
    }

    /// Calls `part(p)` for every `p` in `0..<parts`, spread over the pool's threads, and returns
    /// when all have finished. Parts must touch disjoint memory.
    func run(parts: Int, _ part: (Int) -> Void) {
        guard parts > 1, threadCount > 1,
              busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
        else {
            for p in 0..<parts { part(p) }
            return
        }
        withoutActuallyEscaping(part) { part in
            job = (part, parts)
            finishedWorkers.store(0, ordering: .relaxed)
            generation.add(1, ordering: .sequentiallyConsistent)
            if sleepingWorkers.load(ordering: .sequentiallyConsistent) > 0 {
                pthread_mutex_lock(sleepLock)
                pthread_cond_broadcast(wakeUp)
                pthread_mutex_unlock(sleepLock)
            }
            for p in stride(from: 0, to: parts, by: threadCount) { part(p) }
            while finishedWorkers.load(ordering: .acquiring) < threadCount - 1 {}
            job = nil
        }
        busy.store(false, ordering: .releasing)
    }

    private func startThread(worker: Int) {
        let context = Unmanaged.passRetained(WorkerContext(pool: self, worker: worker)).toOpaque()
        var thread = pthread_t()
        let started = pthread_create(&thread, nil, { context in
            #if canImport(Darwin)
            let context = Unmanaged<WorkerContext>.fromOpaque(context).takeRetainedValue()
            #else
            let context = Unmanaged<WorkerContext>.fromOpaque(context!).takeRetainedValue()
            #endif
            context.pool.serve(worker: context.worker)
            return nil
        }, context)
        precondition(started == 0, "could not start a worker thread (error \(started))")
        pthread_detach(thread)
    }

    /// A worker's life: wait for the next generation, run its parts, report, repeat.
    private func serve(worker: Int) {
        var seen = 0
        while true {
            seen = waitForJob(after: seen)
            runParts(worker: worker)
            finishedWorkers.add(1, ordering: .releasing)
        }
    }

    /// Runs this worker's parts of the current job. A function of its own so that the worker's
    /// reference to the job is gone when it reports (`run` checks that nobody kept the job).
    @inline(never)
    private func runParts(worker: Int) {
        guard let job else { return }
        for p in stride(from: worker, to: job.parts, by: threadCount) { job.part(p) }
    }

    /// Returns the first generation after `seen`, watching for a while and then sleeping.
    private func waitForJob(after seen: Int) -> Int {
        let clock = ContinuousClock(), deadline = clock.now + Self.watchBeforeSleeping
        repeat {
            for _ in 0..<1024 {
                let current = generation.load(ordering: .acquiring)
                if current != seen { return current }
            }
        } while clock.now < deadline
        sleepingWorkers.add(1, ordering: .sequentiallyConsistent)
        pthread_mutex_lock(sleepLock)
        while generation.load(ordering: .sequentiallyConsistent) == seen {
            pthread_cond_wait(wakeUp, sleepLock)
        }
        pthread_mutex_unlock(sleepLock)
        sleepingWorkers.subtract(1, ordering: .relaxed)
        return generation.load(ordering: .acquiring)
    }
}

/// What a new worker thread needs to know.
private final class WorkerContext: @unchecked Sendable {
    let pool: WorkerPool
    let worker: Int
    init(pool: WorkerPool, worker: Int) {
        self.pool = pool
        self.worker = worker
    }
}

/// The number of cores this process may use.
enum ProcessorCount {
    /// Online processors, at least 1 and at most 8 (the library's loops gain little beyond).
    static let available = max(1, min(sysconf(Int32(_SC_NPROCESSORS_ONLN)), 8))
}
