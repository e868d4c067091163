#ifndef LAB_THREAD_COUNTER_H
#define LAB_THREAD_COUNTER_H

/// One count per thread: the floating-point operations of the matrix products the thread has
/// asked for (NeuralNet's `ProductCount`). Thread-local, so that work on other threads, such as
/// tests running side by side, never adds to it; C because Swift has no thread-local storage
/// cheaper than a pthread key lookup.

/// This thread's count.
long long lab_thread_product_flops(void);

/// Sets this thread's count.
void lab_set_thread_product_flops(long long value);

#endif
