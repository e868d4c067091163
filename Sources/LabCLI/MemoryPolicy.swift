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
    /// when it is free, so every step paid for about 15,000 page faults and the kernel clearing
    /// those pages: measured here, 10 % of the DCGAN step and 3 ms of the Dense GAN step. Allowing
    /// the heap to serve blocks up to 32 MiB (glibc's limit) and never trimming it removes nearly
    /// all of them; memory that is free stays free for this process's next step.
    static func keepFreedMemoryForReuse() {
        #if canImport(CMalloc)
        mallopt(M_MMAP_THRESHOLD, 32 << 20)
        mallopt(M_TRIM_THRESHOLD, Int32.max)
        #endif
    }
}
