// The five C exports the platform resolves (contract section 1.1). Nothing else is exported
// (see exports.map).
#include <atomic>

#include "abi/constants.h"
#include "object.h"
#include "table.h"

using namespace abi;

namespace {

std::atomic<int> gCapabilities{eAppCapabilitiesInvalid};

/** Exact match of a class name (the host passes one of the GetClassNames tokens). */
bool sameName(const WCHAR_T* a, const char16_t* b) {
  for (;; ++a, ++b) {
    if (*a != *b) return false;
    if (*a == 0) return true;
  }
}

}  // namespace

ONEC_EXPORT const WCHAR_T* GetClassNames() { return gen::kClassNames; }

ONEC_EXPORT long GetClassObject(const WCHAR_T* clsName, void** pIntf) {
  if (clsName == nullptr || pIntf == nullptr || *pIntf != nullptr) return 0;
  for (unsigned id = 0; id < gen::kClassCount; ++id) {
    if (!sameName(clsName, gen::kClasses[id].name)) continue;
    void* object = object::create(id);
    if (object == nullptr) return 0;
    *pIntf = object;
    return 1;  // never the pointer: long is 32-bit on Windows x64
  }
  return 0;
}

ONEC_EXPORT long DestroyObject(void** pIntf) {
  if (pIntf == nullptr || *pIntf == nullptr) return -1;
  object::destroy(*pIntf);
  *pIntf = nullptr;
  return 0;
}

ONEC_EXPORT AppCapabilities SetPlatformCapabilities(const AppCapabilities capabilities) {
  gCapabilities.store(capabilities);
  return eAppCapabilitiesLast;
}

ONEC_EXPORT AttachType GetAttachType() { return eCanAttachAny; }
