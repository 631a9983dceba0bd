/*
 * A minimal Native API host in plain C: loads the add-in with dlopen, hands it hand-laid host
 * objects (a counting memory manager, an IAddInDefBaseEx that records AddError) and calls
 * methods and properties by name, the way the platform does (FindMethod, GetNParams,
 * GetParamDefValue for omitted arguments, HasRetVal, CallAsFunc/CallAsProc, then FreeMemory of
 * everything left in the parameters and the result).
 *
 * Linux x86_64 (Itanium layout: two destructor slots per vtable; build: make -C native driver) and
 * Windows x64/x86 (MSVC layout: one destructor slot, __stdcall methods with `this` on the stack on
 * x86, the 48-byte tVariant; build: make -C native driver-windows, run under Wine in the tests).
 *
 *   driver LIB.so COMMAND...
 *   driver LIB.so @FILE        the commands from FILE, one argument per line (UTF-8 whatever the
 *                              command line's code page is)
 *     abi                      binary-contract self checks (exports, names, defaults, layout)
 *     new CLASS                create an object (GetClassObject, setMemManager, Init, GetInfo,
 *                              RegisterExtensionAs); it becomes the current one
 *     use N                    switch the current object
 *     call NAME ARG...         call a method (expects success); xcall: expects failure
 *     proc NAME ARG...         force CallAsProc (result dropped)
 *     get PROP / xget PROP     read a property
 *     set PROP ARG / xset      write a property
 *     locale TEXT / lang TEXT  SetLocale / SetUserInterfaceLanguageCode
 *     done                     Done + DestroyObject of the current object
 *     finish                   Done alone (a host that frees with delete calls it first)
 *     delete K                 C++ `delete` through vptr #K (0-3) instead of DestroyObject: the
 *                              deleting destructor (Itanium D0; MSVC scalar deleting, flags 1)
 *     destruct K               the destructor through vptr #K without freeing (Itanium D1; MSVC
 *                              flags 0), then the host frees the memory (operator delete)
 *     sleep MS
 *     async-destroy MS NAME ARG...   call in a second thread, Done+DestroyObject MS after it enters the add-in
 *     bench N NAME ARG...      N calls, prints calls per second
 *     expect TEXT              the last printed value must equal TEXT ("fail" for a failure)
 *     expect-param N TEXT      parameter N of the last call must now equal TEXT
 *     sddl PATH                (Windows) print the owner and DACL of a file, folder or pipe
 *     ls DIR                   (Windows) print "ls: NAME SIZE" for each file in DIR
 *     save N PATH              parameter N (0: the result) of the next call goes to PATH as it came
 *                              back: text as UTF-8 (toUtf8's form), binary as its bytes
 *   ARG: s:UTF-8 text | w:XXXX,XXXX (UTF-16 units, hex) | n:INT | d:DOUBLE | b:0/1 | u
 *        (Undefined) | null | x:HEX (BinaryData) | t:EPOCH_SECONDS (VTYPE_TM) | p:UTF-8 (PSTR)
 *        | f:PATH (text: the file's UTF-8) | g:PATH (BinaryData: the file's bytes)
 *        | - (omitted: the add-in's default, or an error if mandatory)
 * Exit status: the number of unexpected results plus leaked host allocations.
 *
 *   driver BUNDLE --socket PATH   a stand-in for a node that cannot start (tests of the start
 *                                 failure on Windows): prints to stderr, exits 1
 */
#define _GNU_SOURCE
#if defined(_WIN32)
#include <fcntl.h>
#include <io.h>
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <aclapi.h>
#include <sddl.h>
#include <shellapi.h>
#else
#include <dlfcn.h>
#endif
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "native_api.h"

/* ---- host: memory manager ---- */
static long gOutstanding = 0;
static pthread_mutex_t gMemLock = PTHREAD_MUTEX_INITIALIZER;

#if defined(_WIN32)
static void* THISCALL hostDtor(void* self, unsigned flags) { (void)flags; return self; }
#else
static void hostDtor(void* self) { (void)self; }
#endif
static bool CONV memAlloc(void* self, void** p, unsigned long size) {
  (void)self;
  *p = malloc(size ? size : 1);
  if (*p == NULL) return false;
  pthread_mutex_lock(&gMemLock);
  gOutstanding++;
  pthread_mutex_unlock(&gMemLock);
  return true;
}
static void CONV memFree(void* self, void** p) {
  (void)self;
  if (p == NULL || *p == NULL) return;
  free(*p);
  *p = NULL;
  pthread_mutex_lock(&gMemLock);
  gOutstanding--;
  pthread_mutex_unlock(&gMemLock);
}
typedef struct {
  DTORS
  bool(CONV* AllocMemory)(void*, void**, unsigned long);
  void(CONV* FreeMemory)(void*, void**);
} MemVT;
static struct { PREFIX MemVT vt; } gMemVT = {PREFIX_INIT, {DTOR_INIT(hostDtor), memAlloc, memFree}};
static struct { MemVT* vptr; } gMem = {&gMemVT.vt};

/* ---- host: IAddInDefBaseEx ---- */
static char gLastError[8192];
static int gErrorCount = 0;
static char* toUtf8(const WCHAR_T* s, size_t n);

static bool CONV hostAddError(void* self, unsigned short wcode, const WCHAR_T* source, const WCHAR_T* descr, long scode) {
  (void)self;
  size_t ns = 0, nd = 0;
  while (source && source[ns]) ns++;
  while (descr && descr[nd]) nd++;
  char* s = toUtf8(source, ns);
  char* d = toUtf8(descr, nd);
  snprintf(gLastError, sizeof gLastError, "%u %s %s %ld", wcode, s, d, scode);
  gErrorCount++;
  free(s);
  free(d);
  return true;
}
/* the other IAddInDefBaseEx methods, each with its own signature (__stdcall pops its arguments) */
static bool CONV hostRead(void* self, WCHAR_T* name, tVariant* value, long* err, WCHAR_T** descr) {
  (void)self, (void)name, (void)value, (void)err, (void)descr;
  return false;
}
static bool CONV hostWrite(void* self, WCHAR_T* name, tVariant* value) { (void)self, (void)name, (void)value; return false; }
static bool CONV hostRegisterProfileAs(void* self, WCHAR_T* name) { (void)self, (void)name; return false; }
static bool CONV hostSetEventBufferDepth(void* self, long depth) { (void)self, (void)depth; return false; }
static long CONV hostGetEventBufferDepth(void* self) { (void)self; return 0; }
static bool CONV hostExternalEvent(void* self, WCHAR_T* source, WCHAR_T* message, WCHAR_T* data) {
  (void)self, (void)source, (void)message, (void)data;
  return false;
}
static void CONV hostCleanEventBuffer(void* self) { (void)self; }
static bool CONV hostSetStatusLine(void* self, WCHAR_T* text) { (void)self, (void)text; return false; }
static void CONV hostResetStatusLine(void* self) { (void)self; }
static void* CONV hostGetInterface(void* self, int which) { (void)self, (void)which; return NULL; }
typedef struct {
  DTORS
  bool(CONV* AddError)(void*, unsigned short, const WCHAR_T*, const WCHAR_T*, long);
  bool(CONV* Read)(void*, WCHAR_T*, tVariant*, long*, WCHAR_T**);
  bool(CONV* Write)(void*, WCHAR_T*, tVariant*);
  bool(CONV* RegisterProfileAs)(void*, WCHAR_T*);
  bool(CONV* SetEventBufferDepth)(void*, long);
  long(CONV* GetEventBufferDepth)(void*);
  bool(CONV* ExternalEvent)(void*, WCHAR_T*, WCHAR_T*, WCHAR_T*);
  void(CONV* CleanEventBuffer)(void*);
  bool(CONV* SetStatusLine)(void*, WCHAR_T*);
  void(CONV* ResetStatusLine)(void*);
  void*(CONV* GetInterface)(void*, int);
} DefBaseVT;
#if defined(_WIN32)
_Static_assert(SLOT(DefBaseVT, AddError) == 1 && SLOT(DefBaseVT, GetInterface) == 11, "MSVC IAddInDefBaseEx slots");
#else
_Static_assert(SLOT(DefBaseVT, AddError) == 2 && SLOT(DefBaseVT, GetInterface) == 12, "Itanium IAddInDefBaseEx slots");
#endif
static struct { PREFIX DefBaseVT vt; } gDefVT = {
    PREFIX_INIT,
    {DTOR_INIT(hostDtor), hostAddError, hostRead, hostWrite, hostRegisterProfileAs, hostSetEventBufferDepth,
     hostGetEventBufferDepth, hostExternalEvent, hostCleanEventBuffer, hostSetStatusLine, hostResetStatusLine,
     hostGetInterface}};
static struct { DefBaseVT* vptr; } gDef = {&gDefVT.vt};

static void initHost(void) {}

/* ---- UTF-8 / UTF-16 ---- */
static WCHAR_T* fromUtf8(const char* s, size_t* outLen) {
  size_t n = strlen(s), k = 0;
  WCHAR_T* out = malloc((n + 1) * sizeof(WCHAR_T));
  const unsigned char* p = (const unsigned char*)s;
  for (size_t i = 0; i < n;) {
    uint32_t cp;
    int extra;
    if (p[i] < 0x80) cp = p[i], extra = 0;
    else if ((p[i] & 0xe0) == 0xc0) cp = p[i] & 0x1f, extra = 1;
    else if ((p[i] & 0xf0) == 0xe0) cp = p[i] & 0x0f, extra = 2;
    else cp = p[i] & 0x07, extra = 3;
    i++;
    for (int e = 0; e < extra && i < n; e++, i++) cp = (cp << 6) | (p[i] & 0x3f);
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out[k++] = (WCHAR_T)(0xd800 + (cp >> 10));
      out[k++] = (WCHAR_T)(0xdc00 + (cp & 0x3ff));
    } else {
      out[k++] = (WCHAR_T)cp;
    }
  }
  out[k] = 0;
  if (outLen) *outLen = k;
  return out;
}

/* UTF-8 with NUL, control characters and unpaired surrogates shown as \uXXXX */
static char* toUtf8(const WCHAR_T* s, size_t n) {
  char* out = malloc(n * 6 + 1);
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    uint32_t cp = s[i];
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < n && s[i + 1] >= 0xdc00 && s[i + 1] <= 0xdfff) {
      cp = 0x10000 + ((cp - 0xd800) << 10) + (s[i + 1] - 0xdc00);
      i++;
    } else if ((cp >= 0xd800 && cp <= 0xdfff) || cp < 0x20 || cp == '\\') {
      if (cp == '\\') { out[k++] = '\\'; out[k++] = '\\'; continue; }
      k += (size_t)sprintf(out + k, "\\u%04X", cp);
      continue;
    }
    if (cp < 0x80) out[k++] = (char)cp;
    else if (cp < 0x800) { out[k++] = (char)(0xc0 | (cp >> 6)); out[k++] = (char)(0x80 | (cp & 0x3f)); }
    else if (cp < 0x10000) { out[k++] = (char)(0xe0 | (cp >> 12)); out[k++] = (char)(0x80 | ((cp >> 6) & 0x3f)); out[k++] = (char)(0x80 | (cp & 0x3f)); }
    else { out[k++] = (char)(0xf0 | (cp >> 18)); out[k++] = (char)(0x80 | ((cp >> 12) & 0x3f)); out[k++] = (char)(0x80 | ((cp >> 6) & 0x3f)); out[k++] = (char)(0x80 | (cp & 0x3f)); }
  }
  out[k] = 0;
  return out;
}

static size_t wlen(const WCHAR_T* s) {
  size_t n = 0;
  while (s && s[n]) n++;
  return n;
}

/* ---- values ---- */
static char gLastValue[1 << 16];
#define MAX_PARAMS 16
static char gLastParams[MAX_PARAMS][4096];

static void formatValue(const tVariant* v, char* buf, size_t size) {
  switch (v->vt) {
    case VTYPE_EMPTY: snprintf(buf, size, "u"); break;
    case VTYPE_NULL: snprintf(buf, size, "null"); break;
    case VTYPE_BOOL: snprintf(buf, size, "b:%d", v->u.bVal ? 1 : 0); break;
    case VTYPE_I4: snprintf(buf, size, "n:%d", v->u.lVal); break;
    case VTYPE_R8: snprintf(buf, size, "d:%.17g", v->u.dblVal); break;
    case VTYPE_PWSTR: {
      /* no more units than the buffer can show (a 16 MiB message would need 100 MB converted) */
      char* t = toUtf8(v->u.w.pwstrVal, v->u.w.wstrLen < size ? v->u.w.wstrLen : size);
      bool terminated = v->u.w.pwstrVal != NULL && v->u.w.pwstrVal[v->u.w.wstrLen] == 0;
      snprintf(buf, size, "s:%s%s", t, terminated ? "" : " [NOT NUL-TERMINATED]");
      free(t);
      break;
    }
    case VTYPE_BLOB: {
      size_t k = (size_t)snprintf(buf, size, "x:");
      for (uint32_t i = 0; i < v->u.s.strLen && k + 3 < size; i++) k += (size_t)snprintf(buf + k, size - k, "%02x", (unsigned char)v->u.s.pstrVal[i]);
      break;
    }
    case VTYPE_TM: {
      const struct tm* t = &v->u.tmVal;
      snprintf(buf, size, "t:%04d-%02d-%02dT%02d:%02d:%02d", t->tm_year + 1900, t->tm_mon + 1, t->tm_mday, t->tm_hour, t->tm_min, t->tm_sec);
      break;
    }
    default: snprintf(buf, size, "vt:%u", v->vt);
  }
}

/* Frees what the add-in left in a variant, as the platform does after a call. */
static void releaseValue(tVariant* v) {
  void* p = NULL;
  if (v->vt == VTYPE_PWSTR) p = v->u.w.pwstrVal;
  else if (v->vt == VTYPE_BLOB) p = v->u.s.pstrVal;
  if (p) memFree(&gMem, &p);
  memset(v, 0, sizeof *v);
}

/* The whole of file `path` (NUL-terminated too); NULL if it cannot be read. */
static char* readWhole(const char* path, size_t* size) {
  FILE* f = fopen(path, "rb");
  if (f == NULL) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char* data = malloc((size_t)n + 1);
  *size = fread(data, 1, (size_t)n, f);
  data[*size] = 0;
  fclose(f);
  return data;
}

/* Host-allocated (AllocMemory) payloads, like the platform's own parameters. */
static bool parseValue(const char* arg, tVariant* v) {
  memset(v, 0, sizeof *v);
  if (strncmp(arg, "f:", 2) == 0 || strncmp(arg, "g:", 2) == 0) {
    size_t size = 0;
    char* data = readWhole(arg + 2, &size);
    if (data == NULL) {
      fprintf(stderr, "cannot read %s\n", arg + 2);
      return false;
    }
    void* mem;
    if (arg[0] == 'f') {
      size_t n = 0;
      WCHAR_T* w = fromUtf8(data, &n);
      memAlloc(&gMem, &mem, (n + 1) * sizeof(WCHAR_T));
      memcpy(mem, w, (n + 1) * sizeof(WCHAR_T));
      free(w);
      v->u.w.pwstrVal = mem;
      v->u.w.wstrLen = (uint32_t)n;
      v->vt = VTYPE_PWSTR;
    } else {
      memAlloc(&gMem, &mem, size ? size : 1);
      memcpy(mem, data, size);
      v->u.s.pstrVal = mem;
      v->u.s.strLen = (uint32_t)size;
      v->vt = VTYPE_BLOB;
    }
    free(data);
    return true;
  }
  if (strcmp(arg, "u") == 0) return true;
  if (strcmp(arg, "null") == 0) { v->vt = VTYPE_NULL; return true; }
  if (strncmp(arg, "s:", 2) == 0 || strncmp(arg, "w:", 2) == 0) {
    size_t n = 0;
    WCHAR_T* w;
    if (arg[0] == 's') {
      w = fromUtf8(arg + 2, &n);
    } else {
      w = malloc((strlen(arg) / 2 + 2) * sizeof(WCHAR_T));
      for (const char* p = arg + 2; *p;) {
        w[n++] = (WCHAR_T)strtoul(p, (char**)&p, 16);
        if (*p == ',') p++;
      }
    }
    void* mem;
    memAlloc(&gMem, &mem, (n + 1) * sizeof(WCHAR_T));
    memcpy(mem, w, n * sizeof(WCHAR_T));
    ((WCHAR_T*)mem)[n] = 0;
    free(w);
    v->u.w.pwstrVal = mem;
    v->u.w.wstrLen = (uint32_t)n;
    v->vt = VTYPE_PWSTR;
    return true;
  }
  if (strncmp(arg, "p:", 2) == 0) { v->u.s.pstrVal = (char*)arg + 2; v->u.s.strLen = (uint32_t)strlen(arg + 2); v->vt = VTYPE_PSTR; return true; }
  if (strncmp(arg, "n:", 2) == 0) { v->u.lVal = (int32_t)strtol(arg + 2, NULL, 10); v->vt = VTYPE_I4; return true; }
  if (strncmp(arg, "d:", 2) == 0) { v->u.dblVal = strtod(arg + 2, NULL); v->vt = VTYPE_R8; return true; }
  if (strncmp(arg, "b:", 2) == 0) { v->u.bVal = arg[2] == '1'; v->vt = VTYPE_BOOL; return true; }
  if (strncmp(arg, "t:", 2) == 0) {
    time_t t = (time_t)strtoll(arg + 2, NULL, 10);
#if defined(_WIN32)
    gmtime_s(&v->u.tmVal, &t);
#else
    gmtime_r(&t, &v->u.tmVal);
#endif
    v->vt = VTYPE_TM;
    return true;
  }
  if (strncmp(arg, "x:", 2) == 0) {
    size_t n = strlen(arg + 2) / 2;
    void* mem;
    memAlloc(&gMem, &mem, n ? n : 1);
    for (size_t i = 0; i < n; i++) { unsigned b; sscanf(arg + 2 + 2 * i, "%2x", &b); ((unsigned char*)mem)[i] = (unsigned char)b; }
    v->u.s.pstrVal = mem;
    v->u.s.strLen = (uint32_t)n;
    v->vt = VTYPE_BLOB;
    return true;
  }
  fprintf(stderr, "bad argument %s\n", arg);
  return false;
}

/* ---- the host ---- */
#if defined(_WIN32)
static HMODULE gLib;
#define dlsym(lib, name) ((void*)GetProcAddress((lib), (name)))
#else
static void* gLib;
#endif
static const WCHAR_T* (*pGetClassNames)(void);
static long (*pGetClassObject)(const WCHAR_T*, void**);
static long (*pDestroyObject)(void**);
static int (*pSetPlatformCapabilities)(int);
static int (*pGetAttachType)(void);

#define MAX_OBJECTS 16
static Obj gObjects[MAX_OBJECTS];
static int gObjectCount = 0;
static Obj* gCurrent = NULL;
static int gUnexpected = 0;

static void check(bool ok, const char* what) {
  if (!ok) {
    printf("FAILED: %s\n", what);
    gUnexpected++;
  }
}

static bool newObject(const char* cls) {
  WCHAR_T* name = fromUtf8(cls, NULL);
  void* obj = NULL;
  long r = pGetClassObject(name, &obj);
  free(name);
  if (r == 0 || obj == NULL) {
    printf("GetClassObject(%s) failed\n", cls);
    return false;
  }
  Obj* o = &gObjects[gObjectCount++];
  o->base = obj;
  check(VT0(o)->setMemManager(SELF(o, 0), &gMem), "setMemManager");
  check(VT0(o)->Init(SELF(o, 0), &gDef), "Init");
  check(VT0(o)->GetInfo(SELF(o, 0)) == 2000, "GetInfo == 2000");
  WCHAR_T* ext = NULL;
  check(VT1(o)->RegisterExtensionAs(SELF(o, 1), &ext), "RegisterExtensionAs");
  char* e = toUtf8(ext, wlen(ext));
  printf("object %d: %s\n", gObjectCount - 1, e);
  free(e);
  void* p = ext;
  memFree(&gMem, &p);
  gCurrent = o;
  return true;
}

static void destroyObject(Obj* o) {
  VT0(o)->Done(SELF(o, 0));
  void* p = o->base;
  check(pDestroyObject(&p) == 0 && p == NULL, "DestroyObject");
  o->base = NULL;
}

/* What a C++ host does with `delete p` (or `p->~T()` then operator delete) instead of DestroyObject. */
static void deleteObject(Obj* o, int k, bool freeing) {
  void* self = SELF(o, k);
  Dtor* dtors = (Dtor*)DTORS_OF(o, k);
#if defined(_WIN32)
  void* r = dtors[0](self, freeing ? 1u : 0u);
  check(r != NULL, "the scalar deleting destructor returns the object");
  if (!freeing) free(o->base); /* the DLL's operator new is msvcrt's malloc */
#else
  if (freeing) {
    dtors[1](self);
  } else {
    dtors[0](self);
    /* the library's operator delete (a sanitizer build links libstdc++ dynamically; the release
       build's static one is malloc's) */
    void (*operatorDelete)(void*) = (void (*)(void*))dlsym(gLib, "_ZdlPv");
    if (operatorDelete != NULL) operatorDelete(o->base);
    else free(o->base);
  }
#endif
  o->base = NULL;
}

/* Resolves a method and builds its parameter array; NULL on error. */
static tVariant* prepareCall(Obj* o, const char* name, char** args, int nargs, long* method, long* count) {
  WCHAR_T* w = fromUtf8(name, NULL);
  *method = VT1(o)->FindMethod(SELF(o, 1), w);
  free(w);
  if (*method < 0) {
    printf("FindMethod(%s) = -1\n", name);
    return NULL;
  }
  *count = VT1(o)->GetNParams(SELF(o, 1), *method);
  if (nargs > *count) {
    printf("too many arguments for %s (%ld)\n", name, *count);
    return NULL;
  }
  tVariant* params = calloc((size_t)(*count ? *count : 1), sizeof(tVariant));
  for (long i = 0; i < *count; i++) {
    if (i < nargs && strcmp(args[i], "-") != 0) {
      if (!parseValue(args[i], &params[i])) return NULL;
    } else if (!VT1(o)->GetParamDefValue(SELF(o, 1), *method, i, &params[i])) {
      printf("parameter %ld of %s is mandatory\n", i + 1, name);
      for (long k = 0; k < *count; k++) releaseValue(&params[k]);
      free(params);
      return NULL;
    }
  }
  return params;
}

/* "save N PATH": where the next call's parameter N (0: its result) goes */
static const char* gSavePath[MAX_PARAMS + 1];

static void saveValue(const tVariant* v, const char* path) {
  FILE* f = fopen(path, "wb");
  bool done = f != NULL;
  if (done && v->vt == VTYPE_PWSTR) {
    char* t = toUtf8(v->u.w.pwstrVal, v->u.w.wstrLen);
    done = fwrite(t, 1, strlen(t), f) == strlen(t);
    free(t);
  } else if (done && v->vt == VTYPE_BLOB) {
    done = fwrite(v->u.s.pstrVal, 1, v->u.s.strLen, f) == v->u.s.strLen;
  } else {
    done = false;
  }
  if (f != NULL) fclose(f);
  if (done) {
    printf("saved %s\n", path);
  } else {
    printf("FAILED: save %s (vt %u)\n", path, v->vt);
    gUnexpected++;
  }
}

static bool finishCall(bool ok, tVariant* ret, tVariant* params, long count, bool printParams) {
  char buf[sizeof gLastValue];
  if (ok && gSavePath[0] != NULL) saveValue(ret, gSavePath[0]);
  for (long i = 0; ok && i < count && i < MAX_PARAMS; i++) {
    if (gSavePath[i + 1] != NULL) saveValue(&params[i], gSavePath[i + 1]);
  }
  for (int i = 0; i <= MAX_PARAMS; i++) gSavePath[i] = NULL;
  if (ok) {
    formatValue(ret, buf, sizeof buf);
    printf("=> ok %s\n", buf);
    snprintf(gLastValue, sizeof gLastValue, "%s", buf);
  } else {
    printf("=> fail %s\n", gLastError);
    snprintf(gLastValue, sizeof gLastValue, "fail");
  }
  for (long i = 0; i < count; i++) {
    if (printParams) {
      formatValue(&params[i], buf, sizeof buf);
      printf("   param %ld: %s\n", i + 1, buf);
      if (i < MAX_PARAMS) {
        size_t n = strlen(buf) < sizeof gLastParams[i] - 1 ? strlen(buf) : sizeof gLastParams[i] - 1;
        memcpy(gLastParams[i], buf, n);
        gLastParams[i][n] = 0;
      }
    }
    releaseValue(&params[i]);
  }
  releaseValue(ret);
  free(params);
  return ok;
}

/* Set just before a call enters the add-in: async-destroy counts its delay from there, so it never
 * destroys an object whose call has not begun (the host would then use a freed object itself). */
static atomic_bool gCalling;

static bool callMethod(Obj* o, const char* name, char** args, int nargs, bool forceProc, bool quiet) {
  long method, count;
  tVariant* params = prepareCall(o, name, args, nargs, &method, &count);
  if (params == NULL) return false;
  tVariant ret;
  memset(&ret, 0, sizeof ret);
  bool ok;
  gLastError[0] = 0;
  bool function = !forceProc && VT1(o)->HasRetVal(SELF(o, 1), method);
  atomic_store(&gCalling, true);
  if (function) {
    ok = VT1(o)->CallAsFunc(SELF(o, 1), method, &ret, params, count);
  } else {
    ok = VT1(o)->CallAsProc(SELF(o, 1), method, params, count);
  }
  if (quiet) {
    for (long i = 0; i < count; i++) releaseValue(&params[i]);
    releaseValue(&ret);
    free(params);
    return ok;
  }
  return finishCall(ok, &ret, params, count, true);
}

static long findProp(Obj* o, const char* name) {
  WCHAR_T* w = fromUtf8(name, NULL);
  long p = VT1(o)->FindProp(SELF(o, 1), w);
  free(w);
  if (p < 0) printf("FindProp(%s) = -1\n", name);
  return p;
}

/* ---- async destroy: a blocked call in one thread, Done+DestroyObject in another ---- */
typedef struct {
  Obj* o;
  const char* name;
  char** args;
  int nargs;
  bool ok;
} AsyncCall;

static void* asyncCall(void* arg) {
  AsyncCall* c = arg;
  c->ok = callMethod(c->o, c->name, c->args, c->nargs, false, true);
  return NULL;
}

/* ---- ABI self checks ---- */
static bool wequal(const WCHAR_T* a, const char* utf8) {
  WCHAR_T* b = fromUtf8(utf8, NULL);
  size_t i = 0;
  bool eq = true;
  for (;; i++) {
    if (a[i] != b[i]) { eq = false; break; }
    if (a[i] == 0) break;
  }
  free(b);
  return eq;
}

static void abiChecks(void) {
  check(wequal(pGetClassNames(), "Client|Server"), "GetClassNames = Client|Server");
  check(pSetPlatformCapabilities(3) == 3, "SetPlatformCapabilities returns 3");
  check(pGetAttachType() == 3, "GetAttachType returns 3");
  void* notNull = (void*)&gMem;
  WCHAR_T* client = fromUtf8("Client", NULL);
  WCHAR_T* bogus = fromUtf8("Nope", NULL);
  check(pGetClassObject(client, &notNull) == 0 && notNull == (void*)&gMem, "GetClassObject refuses non-NULL *pIntf");
  void* none = NULL;
  check(pGetClassObject(bogus, &none) == 0 && none == NULL, "GetClassObject refuses unknown class");
  check(pDestroyObject(&none) == -1, "DestroyObject(NULL) = -1");
  free(client);
  free(bogus);

  /* Init and setMemManager in the other order (Init first), no engine contact at all */
  void* obj = NULL;
  WCHAR_T* server = fromUtf8("Server", NULL);
  check(pGetClassObject(server, &obj) == 1, "GetClassObject returns 1");
  free(server);
  Obj o = {obj};
  check(VT0(&o)->Init(SELF(&o, 0), &gDef), "Init before setMemManager");
  check(VT0(&o)->setMemManager(SELF(&o, 0), &gMem), "setMemManager after Init");
  struct { const char* name; long want; } methods[] = {
      {"Запустить", 0}, {"run", 0}, {"RUN", 0}, {"остановить", 1}, {"ОТПРАВИТЬ", 2}, {"Принять", 3},
      {"получить", 3}, {"ПОЛУЧИТЬ", 3}, {"receive", 3}, {"Отключить", 4}, {"ОписаниеОшибки", 5},
      {"errordescription", 5}, {"Нет", -1}, {"", -1}};
  for (size_t i = 0; i < sizeof methods / sizeof *methods; i++) {
    WCHAR_T* w = fromUtf8(methods[i].name, NULL);
    long got = VT1(&o)->FindMethod(SELF(&o, 1), w);
    free(w);
    char what[128];
    snprintf(what, sizeof what, "FindMethod(%s) = %ld (got %ld)", methods[i].name, methods[i].want, got);
    check(got == methods[i].want, what);
  }
  struct { const char* name; long want; } props[] = {
      {"Сервер", 0}, {"сервер", 0}, {"SERVER", 0}, {"порт", 1}, {"Port", 1}, {"СОЕДИНЕНИЯ", 2}, {"connections", 2}, {"Статус", -1}};
  for (size_t i = 0; i < sizeof props / sizeof *props; i++) {
    WCHAR_T* w = fromUtf8(props[i].name, NULL);
    long got = VT1(&o)->FindProp(SELF(&o, 1), w);
    free(w);
    char what[128];
    snprintf(what, sizeof what, "FindProp(%s) = %ld (got %ld)", props[i].name, props[i].want, got);
    check(got == props[i].want, what);
  }
  /* The document's members come first; additions follow them (test/addin-names.test.ts checks the
     exact counts against src/api/table.ts). */
  check(VT1(&o)->GetNProps(SELF(&o, 1)) >= 3, "GetNProps >= 3");
  check(VT1(&o)->GetNMethods(SELF(&o, 1)) >= 6, "GetNMethods >= 6");
  check(VT1(&o)->GetNParams(SELF(&o, 1), 0) == 5, "GetNParams(Run) = 5");
  check(VT1(&o)->GetNParams(SELF(&o, 1), 3) == 3, "GetNParams(Receive) = 3");
  check(VT1(&o)->HasRetVal(SELF(&o, 1), 0), "HasRetVal(Run)");
  check(VT1(&o)->IsPropReadable(SELF(&o, 1), 1) && !VT1(&o)->IsPropWritable(SELF(&o, 1), 1), "Port readable, not writable");
  const WCHAR_T* n0 = VT1(&o)->GetMethodName(SELF(&o, 1), 3, 0);
  const WCHAR_T* n1 = VT1(&o)->GetMethodName(SELF(&o, 1), 3, 1);
  check(n0 && wequal(n0, "Receive"), "GetMethodName(3, 0) = Receive");
  check(n1 && wequal(n1, "Принять"), "GetMethodName(3, 1) = Принять");
  check(VT1(&o)->GetMethodName(SELF(&o, 1), 99, 0) == NULL, "GetMethodName(99) = NULL");
  void* p = (void*)n0; memFree(&gMem, &p);
  p = (void*)n1; memFree(&gMem, &p);
  const WCHAR_T* pn = VT1(&o)->GetPropName(SELF(&o, 1), 2, 1);
  check(pn && wequal(pn, "Соединения"), "GetPropName(2, 1) = Соединения");
  p = (void*)pn; memFree(&gMem, &p);
  tVariant v;
  memset(&v, 0, sizeof v);
  check(!VT1(&o)->GetParamDefValue(SELF(&o, 1), 0, 0, &v), "Run(Interface) is mandatory");
  check(VT1(&o)->GetParamDefValue(SELF(&o, 1), 0, 2, &v) && v.vt == VTYPE_PWSTR && v.u.w.wstrLen == 0, "Run(Certificate) defaults to \"\"");
  releaseValue(&v);
  check(VT1(&o)->GetParamDefValue(SELF(&o, 1), 3, 1, &v) && v.vt == VTYPE_EMPTY, "Receive(ClientID) defaults to Undefined");
  check(!VT1(&o)->GetParamDefValue(SELF(&o, 1), 3, 0, &v), "Receive(Timeout) is mandatory");
  /* ErrorDescription answers locally: empty before any error */
  tVariant ret;
  memset(&ret, 0, sizeof ret);
  check(VT1(&o)->CallAsFunc(SELF(&o, 1), 5, &ret, NULL, 0) && ret.vt == VTYPE_PWSTR && ret.u.w.wstrLen == 0, "ErrorDescription() = \"\"");
  releaseValue(&ret);
  /* a read-only property: error locally, in the language chosen */
  VT3(&o)->Set(SELF(&o, 3), (const WCHAR_T*)u"en");
  int before = gErrorCount;
  tVariant in;
  memset(&in, 0, sizeof in);
  check(!VT1(&o)->SetPropVal(SELF(&o, 1), 1, &in), "SetPropVal(Port) fails");
  check(gErrorCount == before + 1 && strstr(gLastError, "1006 AddIn.WebSocket Property Port is read-only -2147467259") != NULL, "AddError(1006, AddIn.WebSocket, English text, E_FAIL)");
  VT2(&o)->Set(SELF(&o, 2), (const WCHAR_T*)u"ru_RU");
  check(!VT1(&o)->SetPropVal(SELF(&o, 1), 1, &in), "SetPropVal(Port) fails");
  check(strstr(gLastError, "Свойство Порт доступно только для чтения") != NULL, "Russian text after SetLocale(ru_RU)");
  check(VT1(&o)->CallAsFunc(SELF(&o, 1), 5, &ret, NULL, 0) && ret.vt == VTYPE_PWSTR, "ErrorDescription()");
  char buf[512];
  formatValue(&ret, buf, sizeof buf);
  check(strcmp(buf, "s:Свойство Порт доступно только для чтения") == 0, "ErrorDescription() = the last error");
  releaseValue(&ret);
  VT0(&o)->Done(SELF(&o, 0));
  check(pDestroyObject(&obj) == 0 && obj == NULL, "DestroyObject = 0, *pIntf = NULL");
  printf("abi checks done\n");
}

static double nowSeconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* "@FILE": the arguments from FILE, one per line (UTF-8; a trailing CR is dropped) */
static char** argsFromFile(const char* path, int* count) {
  size_t got = 0;
  char* text = readWhole(path, &got);
  if (text == NULL) return NULL;
  char** out = malloc(sizeof(char*) * ((size_t)got + 2));
  int n = 0;
  for (char* line = text; line != NULL && *line != 0;) {
    char* next = strchr(line, '\n');
    if (next != NULL) *next++ = 0;
    size_t len = strlen(line);
    if (len > 0 && line[len - 1] == '\r') line[len - 1] = 0;
    out[n++] = line;
    line = next;
  }
  out[n] = NULL;
  *count = n;
  return out;
}

#if defined(_WIN32)
/* The command line as UTF-8 (the C runtime's argv is in the ANSI code page). */
static char** utf8Argv(int* argc) {
  int n = 0;
  wchar_t** wargv = CommandLineToArgvW(GetCommandLineW(), &n);
  char** out = malloc(sizeof(char*) * ((size_t)n + 1));
  for (int i = 0; i < n; i++) {
    int k = WideCharToMultiByte(CP_UTF8, 0, wargv[i], -1, NULL, 0, NULL, NULL);
    out[i] = malloc((size_t)k);
    WideCharToMultiByte(CP_UTF8, 0, wargv[i], -1, out[i], k, NULL, NULL);
  }
  out[n] = NULL;
  *argc = n;
  return out;
}
#endif

#if defined(_WIN32)
/* "sddl PATH": the owner and DACL of a file or folder, or of a named pipe (opening an instance) */
static void printSddl(const char* path) {
  int n = MultiByteToWideChar(CP_UTF8, 0, path, -1, NULL, 0);
  wchar_t* w = malloc(sizeof(wchar_t) * (size_t)n);
  MultiByteToWideChar(CP_UTF8, 0, path, -1, w, n);
  PSECURITY_DESCRIPTOR sd = NULL;
  SECURITY_INFORMATION what = OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION;
  DWORD err;
  if (_wcsnicmp(w, L"\\\\.\\pipe\\", 9) == 0) {
    HANDLE h = CreateFileW(w, GENERIC_READ | READ_CONTROL, 0, NULL, OPEN_EXISTING, 0, NULL);
    err = h == INVALID_HANDLE_VALUE ? GetLastError()
                                    : GetSecurityInfo(h, SE_KERNEL_OBJECT, what, NULL, NULL, NULL, NULL, &sd);
    if (h != INVALID_HANDLE_VALUE) CloseHandle(h);
  } else {
    err = GetNamedSecurityInfoW(w, SE_FILE_OBJECT, what, NULL, NULL, NULL, NULL, &sd);
  }
  free(w);
  wchar_t* text = NULL;
  if (err == 0 && ConvertSecurityDescriptorToStringSecurityDescriptorW(sd, SDDL_REVISION_1, what, &text, NULL)) {
    int k = WideCharToMultiByte(CP_UTF8, 0, text, -1, NULL, 0, NULL, NULL);
    char* utf8 = malloc((size_t)k);
    WideCharToMultiByte(CP_UTF8, 0, text, -1, utf8, k, NULL, NULL);
    printf("sddl: %s\n", utf8);
    free(utf8);
    LocalFree(text);
  } else {
    printf("sddl: error %lu\n", (unsigned long)(err != 0 ? err : GetLastError()));
    gUnexpected++;
  }
  if (sd != NULL) LocalFree(sd);
}

/* "ls DIR": each file in DIR with its size (asked of the file: a directory entry's may lag) */
static void listDir(const char* dir) {
  char pattern[1024];
  snprintf(pattern, sizeof pattern, "%s\\*", dir);
  int n = MultiByteToWideChar(CP_UTF8, 0, pattern, -1, NULL, 0);
  wchar_t* w = malloc(sizeof(wchar_t) * (size_t)n);
  MultiByteToWideChar(CP_UTF8, 0, pattern, -1, w, n);
  WIN32_FIND_DATAW found;
  HANDLE h = FindFirstFileW(w, &found);
  free(w);
  if (h == INVALID_HANDLE_VALUE) {
    printf("ls: error %lu\n", (unsigned long)GetLastError());
    gUnexpected++;
    return;
  }
  do {
    if (found.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) continue;
    int k = WideCharToMultiByte(CP_UTF8, 0, found.cFileName, -1, NULL, 0, NULL, NULL);
    char* name = malloc((size_t)k);
    WideCharToMultiByte(CP_UTF8, 0, found.cFileName, -1, name, k, NULL, NULL);
    char path[2048];
    snprintf(path, sizeof path, "%s\\%s", dir, name);
    int m = MultiByteToWideChar(CP_UTF8, 0, path, -1, NULL, 0);
    wchar_t* wp = malloc(sizeof(wchar_t) * (size_t)m);
    MultiByteToWideChar(CP_UTF8, 0, path, -1, wp, m);
    HANDLE f = CreateFileW(wp, FILE_READ_ATTRIBUTES, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                           OPEN_EXISTING, 0, NULL);
    free(wp);
    LARGE_INTEGER size;
    size.QuadPart = -1;
    if (f != INVALID_HANDLE_VALUE) {
      if (!GetFileSizeEx(f, &size)) size.QuadPart = -1;
      CloseHandle(f);
    }
    printf("ls: %s %lld\n", name, (long long)size.QuadPart);
    free(name);
  } while (FindNextFileW(h, &found));
  FindClose(h);
}
#endif

static int countArgs(char** argv, int i, int argc) {
  int n = 0;
  while (i + n < argc && strchr("snwdbuxtpfg-", argv[i + n][0]) && (argv[i + n][1] == ':' || argv[i + n][1] == 0 || strcmp(argv[i + n], "null") == 0)) {
    if (argv[i + n][1] == 0 && !strchr("u-", argv[i + n][0])) break;
    n++;
  }
  return n;
}

int main(int argc, char** argv) {
#if defined(_WIN32)
  argv = utf8Argv(&argc);
  _setmode(_fileno(stdout), _O_BINARY); /* UTF-8 bytes and \n exactly as printed */
  _setmode(_fileno(stderr), _O_BINARY);
#endif
  setvbuf(stdout, NULL, _IOLBF, 0);
  /* a fake node for the start-failure tests: passes the library's version check, then cannot start */
  if (argc == 2 && strcmp(argv[1], "--version") == 0) {
    printf("v22.0.0\n");
    return 0;
  }
  if (argc >= 3 && strcmp(argv[2], "--socket") == 0) {
    fprintf(stderr, "fake node: cannot start\n");
    return 1;
  }
  if (argc == 3 && argv[2][0] == '@') {
    int n = 0;
    char** fileArgs = argsFromFile(argv[2] + 1, &n);
    if (fileArgs == NULL) {
      fprintf(stderr, "cannot read %s\n", argv[2] + 1);
      return 2;
    }
    char** all = malloc(sizeof(char*) * ((size_t)n + 3));
    all[0] = argv[0];
    all[1] = argv[1];
    memcpy(all + 2, fileArgs, sizeof(char*) * ((size_t)n + 1));
    argv = all;
    argc = n + 2;
  }
  if (argc < 3) {
    fprintf(stderr, "usage: %s LIB.so COMMAND... (see driver.c)\n", argv[0]);
    return 2;
  }
  initHost();
#if defined(_WIN32)
  gLib = LoadLibraryA(argv[1]);
  if (!gLib) {
    fprintf(stderr, "LoadLibrary(%s): error %lu\n", argv[1], (unsigned long)GetLastError());
    return 2;
  }
#else
  gLib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!gLib) {
    fprintf(stderr, "dlopen: %s\n", dlerror());
    return 2;
  }
#endif
  pGetClassNames = (const WCHAR_T* (*)(void))dlsym(gLib, "GetClassNames");
  pGetClassObject = (long (*)(const WCHAR_T*, void**))dlsym(gLib, "GetClassObject");
  pDestroyObject = (long (*)(void**))dlsym(gLib, "DestroyObject");
  pSetPlatformCapabilities = (int (*)(int))dlsym(gLib, "SetPlatformCapabilities");
  pGetAttachType = (int (*)(void))dlsym(gLib, "GetAttachType");
  if (!pGetClassNames || !pGetClassObject || !pDestroyObject) {
    fprintf(stderr, "missing exports\n");
    return 2;
  }
  if (pSetPlatformCapabilities) pSetPlatformCapabilities(3);

  for (int i = 2; i < argc;) {
    const char* cmd = argv[i++];
    if (strcmp(cmd, "abi") == 0) {
      abiChecks();
    } else if (strcmp(cmd, "new") == 0) {
      if (!newObject(argv[i++])) gUnexpected++;
    } else if (strcmp(cmd, "use") == 0) {
      gCurrent = &gObjects[atoi(argv[i++])];
    } else if (strcmp(cmd, "call") == 0 || strcmp(cmd, "xcall") == 0 || strcmp(cmd, "proc") == 0) {
      const char* name = argv[i++];
      int n = countArgs(argv, i, argc);
      printf("%s %s\n", cmd, name);
      bool ok = callMethod(gCurrent, name, argv + i, n, cmd[0] == 'p', false);
      i += n;
      if (ok != (cmd[0] != 'x')) check(false, name);
    } else if (strcmp(cmd, "get") == 0 || strcmp(cmd, "xget") == 0) {
      const char* name = argv[i++];
      printf("%s %s\n", cmd, name);
      long p = findProp(gCurrent, name);
      tVariant v;
      memset(&v, 0, sizeof v);
      gLastError[0] = 0;
      bool ok = p >= 0 && VT1(gCurrent)->IsPropReadable(SELF(gCurrent, 1), p) && VT1(gCurrent)->GetPropVal(SELF(gCurrent, 1), p, &v);
      finishCall(ok, &v, NULL, 0, false);
      if (ok != (cmd[0] != 'x')) check(false, name);
    } else if (strcmp(cmd, "set") == 0 || strcmp(cmd, "xset") == 0) {
      const char* name = argv[i++];
      printf("%s %s\n", cmd, name);
      long p = findProp(gCurrent, name);
      tVariant v;
      parseValue(argv[i++], &v);
      gLastError[0] = 0;
      bool ok = p >= 0 && VT1(gCurrent)->SetPropVal(SELF(gCurrent, 1), p, &v);
      tVariant none;
      memset(&none, 0, sizeof none);
      releaseValue(&v);
      finishCall(ok, &none, NULL, 0, false);
      if (ok != (cmd[0] != 'x')) check(false, name);
    } else if (strcmp(cmd, "locale") == 0 || strcmp(cmd, "lang") == 0) {
      WCHAR_T* w = fromUtf8(argv[i++], NULL);
      if (cmd[1] == 'o') VT2(gCurrent)->Set(SELF(gCurrent, 2), w);
      else VT3(gCurrent)->Set(SELF(gCurrent, 3), w);
      free(w);
    } else if (strcmp(cmd, "done") == 0) {
      destroyObject(gCurrent);
      printf("destroyed\n");
    } else if (strcmp(cmd, "finish") == 0) {
      VT0(gCurrent)->Done(SELF(gCurrent, 0));
    } else if (strcmp(cmd, "delete") == 0 || strcmp(cmd, "destruct") == 0) {
      int k = atoi(argv[i++]);
      if (k < 0 || k > 3) {
        fprintf(stderr, "%s: vptr 0-3\n", cmd);
        return 2;
      }
      deleteObject(gCurrent, k, cmd[2] == 'l');
      printf("%s through vptr %d\n", cmd[2] == 'l' ? "deleted" : "destructed", k);
    } else if (strcmp(cmd, "sleep") == 0) {
      usleep((useconds_t)atoi(argv[i++]) * 1000);
    } else if (strcmp(cmd, "expect") == 0) {
      const char* want = argv[i++];
      if (strcmp(gLastValue, want) != 0) {
        printf("FAILED: expected %s, got %s\n", want, gLastValue);
        gUnexpected++;
      }
    } else if (strcmp(cmd, "expect-param") == 0) {
      int k = atoi(argv[i++]) - 1;
      const char* want = argv[i++];
      if (k < 0 || k >= MAX_PARAMS || strcmp(gLastParams[k], want) != 0) {
        printf("FAILED: expected param %d = %s, got %s\n", k + 1, want, k >= 0 && k < MAX_PARAMS ? gLastParams[k] : "?");
        gUnexpected++;
      }
#if defined(_WIN32)
    } else if (strcmp(cmd, "sddl") == 0) {
      printSddl(argv[i++]);
    } else if (strcmp(cmd, "ls") == 0) {
      listDir(argv[i++]);
#endif
    } else if (strcmp(cmd, "save") == 0) {
      int k = atoi(argv[i++]);
      if (k < 0 || k > MAX_PARAMS) {
        fprintf(stderr, "save: 0-%d\n", MAX_PARAMS);
        return 2;
      }
      gSavePath[k] = argv[i++];
    } else if (strcmp(cmd, "async-destroy") == 0) {
      int ms = atoi(argv[i++]);
      AsyncCall c = {gCurrent, argv[i++], NULL, 0, false};
      c.nargs = countArgs(argv, i, argc);
      c.args = argv + i;
      i += c.nargs;
      pthread_t t;
      atomic_store(&gCalling, false);
      pthread_create(&t, NULL, asyncCall, &c);
      while (!atomic_load(&gCalling)) usleep(1000);
      usleep((useconds_t)ms * 1000);
      double t0 = nowSeconds();
      destroyObject(c.o);
      pthread_join(t, NULL);
      printf("async-destroy: call returned %s, destroy took %.0f ms\n", c.ok ? "true" : "false", (nowSeconds() - t0) * 1000);
    } else if (strcmp(cmd, "bench") == 0) {
      long n = atol(argv[i++]);
      const char* name = argv[i++];
      int na = countArgs(argv, i, argc);
      double t0 = nowSeconds();
      long failed = 0;
      for (long k = 0; k < n; k++) {
        if (!callMethod(gCurrent, name, argv + i, na, false, true)) failed++;
      }
      double dt = nowSeconds() - t0;
      i += na;
      printf("bench %s: %ld calls in %.3f s = %.0f calls/s (%.1f us/call), %ld failed\n", name, n, dt, n / dt, dt * 1e6 / n, failed);
    } else {
      fprintf(stderr, "unknown command %s\n", cmd);
      return 2;
    }
  }
  for (int k = 0; k < gObjectCount; k++) {
    if (gObjects[k].base) destroyObject(&gObjects[k]);
  }
  printf("outstanding host allocations: %ld, unexpected results: %d\n", gOutstanding, gUnexpected);
  return gUnexpected + (int)gOutstanding;
}
