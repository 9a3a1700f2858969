/* rt_prog_tlsdl - a dlopen'ed library with a __thread variable (dynamic TLS,
 * allocated per thread by ld.so's __tls_get_addr): test_rt_bug_ld_allocations. */
static __thread void *tlsdl_keep;

void rt_tlsdl_set(void *p) { tlsdl_keep = p; }
void *rt_tlsdl_get(void) { return tlsdl_keep; }
