#include "ThreadCounter.h"

static _Thread_local long long product_flops;

long long lab_thread_product_flops(void) { return product_flops; }

void lab_set_thread_product_flops(long long value) { product_flops = value; }
