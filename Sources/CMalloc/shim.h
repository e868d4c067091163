// glibc allocator tuning (mallopt); Linux only.
#include <malloc.h>
