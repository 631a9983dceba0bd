// Keeps the library loadable on older glibc than the build machine's.
//
// The static libstdc++/libgcc_eh of GCC 12 built against glibc >= 2.34 refer to symbols that only
// newer glibc versions define (objdump -T showed _dl_find_object@GLIBC_2.35,
// __libc_single_threaded@GLIBC_2.32, pthread_once/__pthread_key_create@GLIBC_2.34). We define
// hidden replacements here: the static archives bind to them at link time, and the .so then
// needs nothing newer than GLIBC_2.17. `make -C native check` prints the newest version needed.
#include <dlfcn.h>
#include <link.h>

#include <cstdint>

#define ONEC_HIDDEN __attribute__((visibility("hidden")))

extern "C" {

// glibc's "the process has one thread" flag (2.32): 0 = always take the thread-safe path.
ONEC_HIDDEN char __libc_single_threaded = 0;

// pthread_once / pthread_key_create moved into libc in 2.34 with new versions; the old versions
// (GLIBC_2.2.5) still exist, bind to those.
int onec_pthread_once_225(int* control, void (*init)(void));
int onec_pthread_key_create_225(unsigned* key, void (*destructor)(void*));
__asm__(".symver onec_pthread_once_225,pthread_once@GLIBC_2.2.5");
__asm__(".symver onec_pthread_key_create_225,pthread_key_create@GLIBC_2.2.5");

ONEC_HIDDEN int pthread_once(int* control, void (*init)(void)) { return onec_pthread_once_225(control, init); }

ONEC_HIDDEN int __pthread_key_create(unsigned* key, void (*destructor)(void*)) {
  return onec_pthread_key_create_225(key, destructor);
}

#if defined(DLFO_STRUCT_HAS_EH_DBASE)
// _dl_find_object (2.35), used by the unwinder to find a pc's .eh_frame_hdr; the same answer
// from dl_iterate_phdr, which every glibc has.
namespace {
struct FindObject {
  uintptr_t pc;
  struct dl_find_object* result;
  bool found;
};

int findObjectCallback(struct dl_phdr_info* info, size_t, void* data) {
  auto* search = static_cast<FindObject*>(data);
  uintptr_t low = UINTPTR_MAX, high = 0;
  void* ehFrame = nullptr;
  bool inside = false;
  for (unsigned i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    uintptr_t start = info->dlpi_addr + ph.p_vaddr;
    if (ph.p_type == PT_LOAD) {
      uintptr_t end = start + ph.p_memsz;
      if (search->pc >= start && search->pc < end) inside = true;
      if (start < low) low = start;
      if (end > high) high = end;
    } else if (ph.p_type == PT_GNU_EH_FRAME) {
      ehFrame = reinterpret_cast<void*>(start);
    }
  }
  if (!inside) return 0;
  search->result->dlfo_flags = 0;
  search->result->dlfo_map_start = reinterpret_cast<void*>(low);
  search->result->dlfo_map_end = reinterpret_cast<void*>(high);
  search->result->dlfo_link_map = nullptr;
  search->result->dlfo_eh_frame = ehFrame;
#if DLFO_STRUCT_HAS_EH_DBASE
  search->result->dlfo_eh_dbase = nullptr;
#endif
#if DLFO_STRUCT_HAS_EH_COUNT
  search->result->dlfo_eh_count = 0;
#endif
  search->found = true;
  return 1;
}
}  // namespace

ONEC_HIDDEN int _dl_find_object(void* pc, struct dl_find_object* result) noexcept {
  FindObject search{reinterpret_cast<uintptr_t>(pc), result, false};
  dl_iterate_phdr(findObjectCallback, &search);
  return search.found ? 0 : -1;
}
#endif

}  // extern "C"
