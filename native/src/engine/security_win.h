// Windows security helpers for the engine's private files and pipe: who we are, private DACLs,
// and who owns the process at the other end of the pipe.
#pragma once

#include <string>

namespace winsec {

/** The process token's user SID as text (S-1-5-21-…); "" if the token cannot be read. */
const std::string& userSid();

/**
 * A security descriptor (SDDL-built, LocalFree it) whose protected DACL grants full access to the
 * user and SYSTEM — and, for a directory, Administrators too, inherited by the files in it (the
 * ACL a profile folder has). Owner and group are left to the system. nullptr on failure.
 */
void* privateDescriptor(bool directory);

/**
 * Checks a DACL (PACL; nullptr = the NULL DACL, open to everyone) for access granted to anyone but
 * the user, the token's default owner, CREATOR OWNER, SYSTEM and Administrators.
 */
bool grantsOthers(const void* dacl);

/** Whether a SID (PSID) is the user's or the token's default owner. */
bool isOwnSid(const void* sid);

/** A SID as S-1-… text. */
std::string sidText(const void* sid);

/**
 * Whether process `pid` runs as the same user as we do. Returns 0 (same), -1 (another user) or a
 * Win32 error code of the check (the process could not be opened or its token read).
 */
int processUserMatches(unsigned long pid, std::string& other);

}  // namespace winsec
