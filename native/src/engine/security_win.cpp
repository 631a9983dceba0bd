#include "engine/security_win.h"

#include <windows.h>
#include <sddl.h>

#include <vector>

#include "engine/sys.h"

namespace winsec {

namespace {

/** TokenUser / TokenOwner of a token, as a SID copy. */
std::vector<unsigned char> tokenSid(HANDLE token, TOKEN_INFORMATION_CLASS which) {
  DWORD size = 0;
  GetTokenInformation(token, which, nullptr, 0, &size);
  if (size == 0) return {};
  std::vector<unsigned char> buf(size);
  if (!GetTokenInformation(token, which, buf.data(), size, &size)) return {};
  PSID sid = which == TokenUser ? reinterpret_cast<TOKEN_USER*>(buf.data())->User.Sid
                                : reinterpret_cast<TOKEN_OWNER*>(buf.data())->Owner;
  if (sid == nullptr || !IsValidSid(sid)) return {};
  std::vector<unsigned char> copy(GetLengthSid(sid));
  if (!CopySid(static_cast<DWORD>(copy.size()), copy.data(), sid)) return {};
  return copy;
}

struct Identity {
  std::vector<unsigned char> user;   // TokenUser of the process token
  std::vector<unsigned char> owner;  // TokenOwner: the user, or Administrators for an elevated admin
  std::string userText;

  Identity() {
    HANDLE token = nullptr;
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token)) return;
    user = tokenSid(token, TokenUser);
    owner = tokenSid(token, TokenOwner);
    CloseHandle(token);
    if (!user.empty()) userText = sidText(user.data());
  }
};

const Identity& identity() {
  static const Identity id;  // the process token's user does not change
  return id;
}

bool sameSid(const std::vector<unsigned char>& a, const void* b) {
  return !a.empty() && b != nullptr && EqualSid(const_cast<unsigned char*>(a.data()), const_cast<void*>(b));
}

bool isWellKnown(const void* sid, WELL_KNOWN_SID_TYPE type) {
  return sid != nullptr && IsWellKnownSid(const_cast<void*>(sid), type);
}

}  // namespace

const std::string& userSid() { return identity().userText; }

std::string sidText(const void* sid) {
  wchar_t* text = nullptr;
  if (sid == nullptr || !ConvertSidToStringSidW(const_cast<void*>(sid), &text)) return "?";
  std::string out = sys::narrow(text, wcslen(text));
  LocalFree(text);
  return out;
}

bool isOwnSid(const void* sid) { return sameSid(identity().user, sid) || sameSid(identity().owner, sid); }

void* privateDescriptor(bool directory) {
  const std::string& user = userSid();
  if (user.empty()) return nullptr;
  // FA = FILE_ALL_ACCESS (for a pipe it includes FILE_CREATE_PIPE_INSTANCE, which the engine
  // needs for every further instance); OICI = inherited by files and subfolders.
  std::string sddl = directory ? "D:P(A;OICI;FA;;;" + user + ")(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)"
                               : "D:P(A;;FA;;;" + user + ")(A;;FA;;;SY)";
  PSECURITY_DESCRIPTOR sd = nullptr;
  if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(sys::widen(sddl).c_str(), SDDL_REVISION_1, &sd,
                                                            nullptr)) {
    return nullptr;
  }
  return sd;
}

bool grantsOthers(const void* daclPtr) {
  auto* dacl = static_cast<ACL*>(const_cast<void*>(daclPtr));
  if (dacl == nullptr) return true;  // NULL DACL: everyone has full access
  for (DWORD i = 0; i < dacl->AceCount; ++i) {
    void* raw = nullptr;
    if (!GetAce(dacl, i, &raw)) return true;
    auto* header = static_cast<ACE_HEADER*>(raw);
    if (header->AceType == ACCESS_DENIED_ACE_TYPE || header->AceType == ACCESS_DENIED_OBJECT_ACE_TYPE ||
        header->AceType == ACCESS_DENIED_CALLBACK_ACE_TYPE) {
      continue;  // taking access away is never too open
    }
    if (header->AceType != ACCESS_ALLOWED_ACE_TYPE) return true;  // anything unusual: be strict
    auto* ace = static_cast<ACCESS_ALLOWED_ACE*>(raw);
    const void* sid = &ace->SidStart;
    if (isOwnSid(sid) || isWellKnown(sid, WinLocalSystemSid) || isWellKnown(sid, WinBuiltinAdministratorsSid) ||
        isWellKnown(sid, WinCreatorOwnerSid)) {
      continue;
    }
    return true;
  }
  return false;
}

int processUserMatches(unsigned long pid, std::string& other) {
  HANDLE process = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid);
  if (process == nullptr) return static_cast<int>(GetLastError());
  HANDLE token = nullptr;
  if (!OpenProcessToken(process, TOKEN_QUERY, &token)) {
    int err = static_cast<int>(GetLastError());
    CloseHandle(process);
    return err;
  }
  std::vector<unsigned char> user = tokenSid(token, TokenUser);
  CloseHandle(token);
  CloseHandle(process);
  if (user.empty()) return ERROR_INVALID_SID;
  if (sameSid(identity().user, user.data())) return 0;
  other = sidText(user.data());
  return -1;
}

}  // namespace winsec
