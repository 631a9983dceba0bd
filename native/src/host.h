// Thin wrappers over the host objects the platform hands us (IMemoryManager, IAddInDefBaseEx).
#pragma once

#include <cstddef>

#include "abi/constants.h"
#include "abi/vtables.h"

namespace host {

class Memory {
 public:
  void set(void* manager) { mm_ = manager; }
  bool present() const { return mm_ != nullptr; }

  /** AllocMemory(bytes); nullptr if there is no manager or it refuses. */
  void* alloc(std::size_t bytes) const {
    if (mm_ == nullptr) return nullptr;
    void* p = nullptr;
    if (!abi::vtableOf<abi::MemoryManagerVTable>(mm_).AllocMemory(mm_, &p, static_cast<unsigned long>(bytes))) {
      return nullptr;
    }
    return p;
  }

  /** FreeMemory of a host-allocated block (no-op for nullptr). */
  void free(void* p) const {
    if (mm_ == nullptr || p == nullptr) return;
    abi::vtableOf<abi::MemoryManagerVTable>(mm_).FreeMemory(mm_, &p);
  }

  /** A NUL-terminated copy of a UTF-16 string in host memory (GetPropName etc.). */
  char16_t* copy(const char16_t* s, std::size_t n) const {
    auto* p = static_cast<char16_t*>(alloc((n + 1) * sizeof(char16_t)));
    if (p == nullptr) return nullptr;
    for (std::size_t i = 0; i < n; ++i) p[i] = s[i];
    p[n] = 0;
    return p;
  }

 private:
  void* mm_ = nullptr;
};

class Connection {
 public:
  void set(void* disp) { disp_ = disp; }
  bool present() const { return disp_ != nullptr; }

  void addError(const char16_t* source, const char16_t* text) const {
    if (disp_ == nullptr) return;
    abi::vtableOf<abi::AddInDefBaseExVTable>(disp_).AddError(disp_, abi::ADDIN_E_FAIL, source, text,
                                                              abi::kScodeFail);
  }

 private:
  void* disp_ = nullptr;
};

}  // namespace host
