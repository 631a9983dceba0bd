// Thread entry points for the external-events thread (engine/event_pump.cpp, std::thread), kept
// loadable on glibc older than 2.34 like the stand-ins in glibc.cpp: the static libstdc++ refers to
// pthread_create/pthread_join, which glibc 2.34 moved into libc under a new version. The old
// versions (GLIBC_2.2.5, in libpthread before 2.34 and still in libc after) are bound instead.
#define ONEC_HIDDEN __attribute__((visibility("hidden")))

extern "C" {

int onec_pthread_create_225(unsigned long* thread, const void* attr, void* (*start)(void*), void* arg);
int onec_pthread_join_225(unsigned long thread, void** result);
__asm__(".symver onec_pthread_create_225,pthread_create@GLIBC_2.2.5");
__asm__(".symver onec_pthread_join_225,pthread_join@GLIBC_2.2.5");

ONEC_HIDDEN int pthread_create(unsigned long* thread, const void* attr, void* (*start)(void*), void* arg) {
  return onec_pthread_create_225(thread, attr, start, arg);
}

ONEC_HIDDEN int pthread_join(unsigned long thread, void** result) { return onec_pthread_join_225(thread, result); }

}  // extern "C"
