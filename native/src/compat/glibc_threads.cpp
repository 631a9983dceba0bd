// Thread functions kept loadable on glibc older than 2.34 like the stand-ins in glibc.cpp: glibc
// 2.34 moved them into libc under a new symbol version. pthread_create/pthread_join come from the
// static libstdc++ (std::thread, the external-events thread in engine/event_pump.cpp);
// pthread_mutex_trylock from std::try_to_lock (component.cpp). The old versions (GLIBC_2.2.5, in
// libpthread before 2.34 and still in libc after) are bound instead.
#define ONEC_HIDDEN __attribute__((visibility("hidden")))

extern "C" {

int onec_pthread_create_225(unsigned long* thread, const void* attr, void* (*start)(void*), void* arg);
int onec_pthread_join_225(unsigned long thread, void** result);
__asm__(".symver onec_pthread_create_225,pthread_create@GLIBC_2.2.5");
__asm__(".symver onec_pthread_join_225,pthread_join@GLIBC_2.2.5");
int onec_pthread_mutex_trylock_225(void* mutex);
__asm__(".symver onec_pthread_mutex_trylock_225,pthread_mutex_trylock@GLIBC_2.2.5");

ONEC_HIDDEN int pthread_create(unsigned long* thread, const void* attr, void* (*start)(void*), void* arg) {
  return onec_pthread_create_225(thread, attr, start, arg);
}

ONEC_HIDDEN int pthread_join(unsigned long thread, void** result) { return onec_pthread_join_225(thread, result); }

ONEC_HIDDEN int pthread_mutex_trylock(void* mutex) { return onec_pthread_mutex_trylock_225(mutex); }

}  // extern "C"
