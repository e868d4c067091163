#if canImport(CMalloc)
import CMalloc
#endif

/// How the process's allocator treats the large buffers of a training step.
enum MemoryPolicy {
    /// Keeps freed memory in the process for the next allocation instead of handing it back to
    /// the system.
    ///
    /// A training step allocates and frees the same tensors, megabytes each, every step. glibc's
    /// defaults map the largest ones fresh from the system each time and return the heap's top
    /// when it is free, so each step paid for page faults and the kernel clearing those pages:
    /// measured here (perf stat), about 6,800 faults per DCGAN step and 860 per Dense GAN step,
    /// against about 200 and 3 with this policy; median step 469 → 436 ms and 29.9 → 28.9 ms over
    /// alternating runs. Allowing the heap to serve blocks up to 32 MiB (glibc's limit) and never
    /// trimming it does that; memory that is free stays free for this process's next step.
    ///
    /// Blocks above 32 MiB were still mapped fresh: the 004 notebook's 32×32×64 activations at
    /// batch 128 are 33.5 MB each, and every LeakyReLU, Dropout and batch normalisation there
    /// paid about 10 ms of page faults per call. With mapping switched off altogether
    /// (`M_MMAP_MAX` 0) the heap serves those too: page faults over a `dcgan64-step` bench run
    /// 1,620,503 → 345,188, LeakyReLU forward 11.8 → 1.7 ms, the step 1,490 → 1,275 ms
    /// (medians of alternating rounds).
    static func keepFreedMemoryForReuse() {
        #if canImport(CMalloc)
        mallopt(M_MMAP_THRESHOLD, 32 << 20)
        mallopt(M_MMAP_MAX, 0)  // no block is mapped fresh, however large
        mallopt(M_TRIM_THRESHOLD, Int32.max)
        #endif
    }
}
