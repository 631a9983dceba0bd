// Windows counterpart of connection.cpp: the engine is reached over a named pipe opened for
// overlapped I/O, so a blocked read can be woken from another thread (a cancel event) and a
// deadline can be kept. Before a pipe is used its server must be a process of our own user (a
// pipe name can be created first by anyone: then we refuse it), and the pipe's DACL — Node
// creates it with the default one, which lets every local user open it for reading — is narrowed
// to the user and SYSTEM.
#include "engine/connection.h"

#include <windows.h>
#include <aclapi.h>

#include "engine/security_win.h"
#include "engine/sys.h"
#include "wire.h"

namespace engine {

namespace {

constexpr DWORD kBusyWaitMs = 2000;
constexpr int kBusyAttempts = 5;

std::string describe(bool write, DWORD err) {
  if (err == ERROR_BROKEN_PIPE || err == ERROR_PIPE_NOT_CONNECTED || err == ERROR_NO_DATA) {
    return "the engine closed the connection";
  }
  return std::string(write ? "WriteFile: " : "ReadFile: ") + sys::errorText(static_cast<int>(err));
}

/**
 * Best effort: replaces a DACL that lets anyone else in by the private one. The DACL belongs to
 * the pipe (all its instances); the user — the owner — may change it. Where this cannot be done
 * the default DACL stays, which grants other users read access only: they can open an instance
 * but never write a request to the engine.
 */
void tightenPipe(HANDLE pipe) {
  PACL dacl = nullptr;
  PSECURITY_DESCRIPTOR current = nullptr;
  if (GetSecurityInfo(pipe, SE_KERNEL_OBJECT, DACL_SECURITY_INFORMATION, nullptr, nullptr, &dacl, nullptr,
                      &current) == ERROR_SUCCESS) {
    bool open = winsec::grantsOthers(dacl);
    LocalFree(current);
    if (!open) return;
  }
  PSECURITY_DESCRIPTOR sd = winsec::privateDescriptor(false);
  if (sd == nullptr) return;
  BOOL present = FALSE, defaulted = FALSE;
  PACL privateDacl = nullptr;
  if (GetSecurityDescriptorDacl(sd, &present, &privateDacl, &defaulted) && present) {
    SetSecurityInfo(pipe, SE_KERNEL_OBJECT, DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION, nullptr,
                    nullptr, privateDacl, nullptr);
  }
  LocalFree(sd);
}

HANDLE openPipe(const std::wstring& name, DWORD access) {
  // SECURITY_IDENTIFICATION: the server may learn who we are but never act as us
  return CreateFileW(name.c_str(), access, 0, nullptr, OPEN_EXISTING,
                     FILE_FLAG_OVERLAPPED | SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION, nullptr);
}

}  // namespace

Connection::Connection() {
  ioEvent_ = CreateEventW(nullptr, TRUE, FALSE, nullptr);
  cancelEvent_ = CreateEventW(nullptr, TRUE, FALSE, nullptr);
}

Connection::~Connection() {
  close();
  if (ioEvent_ != nullptr) CloseHandle(ioEvent_);
  if (cancelEvent_ != nullptr) CloseHandle(cancelEvent_);
}

int Connection::connect(const std::string& path) {
  close();
  if (ioEvent_ == nullptr || cancelEvent_ == nullptr) return ERROR_NOT_ENOUGH_MEMORY;
  std::wstring name = sys::widen(path);
  HANDLE h = INVALID_HANDLE_VALUE;
  bool canChangeDacl = true;
  for (int attempt = 0;; ++attempt) {
    {
      std::lock_guard<std::mutex> g(fdMutex_);
      if (interrupted_) return kCancelled;
    }
    h = openPipe(name, canChangeDacl ? GENERIC_READ | GENERIC_WRITE | READ_CONTROL | WRITE_DAC
                                     : GENERIC_READ | GENERIC_WRITE);
    if (h != INVALID_HANDLE_VALUE) break;
    DWORD err = GetLastError();
    if (err == ERROR_ACCESS_DENIED && canChangeDacl) {
      canChangeDacl = false;  // a DACL without WRITE_DAC for us: check the server all the same
      continue;
    }
    if (err != ERROR_PIPE_BUSY || attempt >= kBusyAttempts) return static_cast<int>(err);
    // every instance is taken: the engine makes a new one as soon as it accepts
    WaitNamedPipeW(name.c_str(), kBusyWaitMs);
  }

  ULONG pid = 0;
  if (!GetNamedPipeServerProcessId(h, &pid)) {
    DWORD err = GetLastError();
    CloseHandle(h);
    return static_cast<int>(err);
  }
  std::string other;
  int who = winsec::processUserMatches(pid, other);
  if (who != 0) {
    CloseHandle(h);
    // a process we may not even open belongs to someone else
    return who == -1 || who == ERROR_ACCESS_DENIED ? kForeignServer : who;
  }
  if (canChangeDacl) tightenPipe(h);

  std::lock_guard<std::mutex> g(fdMutex_);
  if (interrupted_) {
    CloseHandle(h);
    return kCancelled;
  }
  pipe_ = h;
  serverPid_ = pid;
  return 0;
}

void Connection::close() {
  std::lock_guard<std::mutex> g(fdMutex_);
  if (pipe_ != nullptr) {
    CloseHandle(pipe_);
    pipe_ = nullptr;
    serverPid_ = 0;
  }
}

void Connection::interrupt() {
  std::lock_guard<std::mutex> g(fdMutex_);
  interrupted_ = true;
  if (cancelEvent_ != nullptr) SetEvent(cancelEvent_);
}

void Connection::allowReconnect() {
  std::lock_guard<std::mutex> g(fdMutex_);
  interrupted_ = false;
  if (cancelEvent_ != nullptr) ResetEvent(cancelEvent_);
}

std::size_t Connection::transfer(bool write, uint8_t* p, std::size_t n, int64_t deadlineMs) {
  OVERLAPPED ov{};
  ov.hEvent = ioEvent_;
  ResetEvent(ioEvent_);
  DWORD chunk = n > (1u << 30) ? (1u << 30) : static_cast<DWORD>(n);
  BOOL started = write ? WriteFile(pipe_, p, chunk, nullptr, &ov) : ReadFile(pipe_, p, chunk, nullptr, &ov);
  if (!started && GetLastError() != ERROR_IO_PENDING) {
    DWORD err = GetLastError();
    bool gone = write && (err == ERROR_NO_DATA || err == ERROR_BROKEN_PIPE || err == ERROR_PIPE_NOT_CONNECTED);
    throw LinkBroken{describe(write, err), false, gone};
  }

  HANDLE waits[2] = {ioEvent_, cancelEvent_};
  for (;;) {
    DWORD timeout = INFINITE;
    if (deadlineMs >= 0) {
      int64_t left = deadlineMs - sys::nowMs();
      timeout = left <= 0 ? 0 : static_cast<DWORD>(left > 60000 ? 60000 : left);
    }
    DWORD r = WaitForMultipleObjects(2, waits, FALSE, timeout);
    if (r == WAIT_OBJECT_0) break;
    if (r == WAIT_TIMEOUT && deadlineMs >= 0 && sys::nowMs() < deadlineMs) continue;
    // interrupted, out of time, or the wait itself failed: the operation must end before `ov`
    // goes out of scope
    DWORD waitErr = r == WAIT_FAILED ? GetLastError() : 0;
    CancelIoEx(pipe_, &ov);
    DWORD ignored = 0;
    GetOverlappedResult(pipe_, &ov, &ignored, TRUE);
    if (r == WAIT_OBJECT_0 + 1) throw LinkBroken{"the connection was shut down"};
    if (r == WAIT_TIMEOUT) throw LinkBroken{"no response from the engine in time"};
    throw LinkBroken{"WaitForMultipleObjects: " + sys::errorText(static_cast<int>(waitErr))};
  }
  DWORD done = 0;
  if (!GetOverlappedResult(pipe_, &ov, &done, FALSE)) throw LinkBroken{describe(write, GetLastError())};
  if (done == 0) throw LinkBroken{"the engine closed the connection"};
  return done;
}

void Connection::sendAll(const std::vector<uint8_t>* first, const std::vector<uint8_t>& second) {
  bool sentAny = false;
  for (const std::vector<uint8_t>* frame : {first, &second}) {
    if (frame == nullptr) continue;
    const uint8_t* p = frame->data();
    std::size_t n = frame->size();
    while (n > 0) {
      std::size_t w;
      try {
        w = transfer(true, const_cast<uint8_t*>(p), n, -1);
      } catch (LinkBroken& e) {
        // a pipe whose server end was closed refuses at once: nothing of this request went out
        e.beforeRequest = e.beforeRequest && !sentAny;
        throw;
      }
      sentAny = true;
      p += w;
      n -= w;
    }
  }
}

void Connection::post(const std::vector<uint8_t>* first, const std::vector<uint8_t>& frame) {
  if (pipe_ == nullptr) throw LinkBroken{"not connected"};
  sendAll(first, frame);
}

std::size_t Connection::recvSome(uint8_t* p, std::size_t n, int64_t deadlineMs) {
  return transfer(false, p, n, deadlineMs);
}

// Same framing as connection.cpp.
std::vector<uint8_t> Connection::roundTrip(const std::vector<uint8_t>* prefix, const std::vector<uint8_t>& frame,
                                           uint8_t op, int64_t deadlineMs, std::vector<uint8_t>* spare) {
  if (pipe_ == nullptr) throw LinkBroken{"not connected"};
  sendAll(prefix, frame);
  uint8_t head[5];
  std::size_t got = 0;
  while (got < sizeof head) got += recvSome(head + got, sizeof head - got, deadlineMs);
  uint32_t len = static_cast<uint32_t>(head[0]) | (static_cast<uint32_t>(head[1]) << 8) |
                 (static_cast<uint32_t>(head[2]) << 16) | (static_cast<uint32_t>(head[3]) << 24);
  if (len < 1 || len > wire::kMaxFrame) throw LinkBroken{"bad frame length", true};
  if (head[4] != (wire::kResponseBit | op)) throw LinkBroken{"unexpected response op", true};
  std::vector<uint8_t> body;
  // first-touching fresh memory is what a large body costs most: read it into the spare one
  if (spare != nullptr && len - 1 > 4096) body = std::move(*spare);
  body.resize(len - 1);
  std::size_t have = 0;
  while (have < body.size()) have += recvSome(body.data() + have, body.size() - have, deadlineMs);
  return body;
}

}  // namespace engine
