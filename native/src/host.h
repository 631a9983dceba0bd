// Thin wrappers over the host objects the platform hands us (IMemoryManager, IAddInDefBaseEx).
#pragma once

#include <cstddef>
#include <string>

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

  // External events (engine/event_pump.cpp). ExternalEvent is the one call made from the
  // object's own thread, as the contract allows; the strings are NUL-terminated and stay ours.
  bool externalEvent(std::u16string& source, std::u16string& name, std::u16string& data) const {
    if (disp_ == nullptr) return false;
    return abi::vtableOf<abi::AddInDefBaseExVTable>(disp_).ExternalEvent(disp_, &source[0], &name[0], &data[0]);
  }

  bool setEventBufferDepth(long depth) const {
    if (disp_ == nullptr) return true;  // no host connection (no Init): nothing to tell
    return abi::vtableOf<abi::AddInDefBaseExVTable>(disp_).SetEventBufferDepth(disp_, depth);
  }

 private:
  void* disp_ = nullptr;
};

}  // namespace host
