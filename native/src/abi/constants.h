// Enum values of the contract (sections 1.1 and 5).
#pragma once

#include "abi/platform.h"

namespace abi {

enum AppCapabilities : int {
  eAppCapabilitiesInvalid = -1,
  eAppCapabilities1 = 1,
  eAppCapabilities2 = 2,
  eAppCapabilities3 = 3,
  eAppCapabilitiesLast = eAppCapabilities3,
};

enum AttachType : int {
  eCanAttachNotIsolated = 1,
  eCanAttachIsolated = 2,
  eCanAttachAny = 3,
};

static_assert(sizeof(AppCapabilities) == 4 && sizeof(AttachType) == 4, "enums are 4 bytes");

constexpr unsigned short ADDIN_E_FAIL = 1006;
/** E_FAIL as the HRESULT-style scode passed to AddError */
constexpr long kScodeFail = static_cast<long>(static_cast<int32_t>(0x80004005u));

/** GetInfo: technology version 2 */
constexpr long kTechnologyVersion = 2000;

}  // namespace abi
