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
    static func keepFreedMemoryForReuse() {
        #if canImport(CMalloc)
        mallopt(M_MMAP_THRESHOLD, 32 << 20)
        mallopt(M_TRIM_THRESHOLD, Int32.max)
        #endif
    }
}
