/*
 * The "1C side" of the benchmarks: a plain-C host that loads the add-in library with dlopen and
 * calls it exactly as the platform does (FindMethod/GetNParams once, then CallAsFunc with tVariant
 * parameters allocated through the host memory manager, FreeMemory of what the add-in returned).
 * No FFI, so every microsecond measured is the library's and the engine's.
 *
 * Compiled by bench/run.ts (gcc -O2). Every mode prints one JSON line on stdout at the end; modes
 * that need a moment of quiet (to read the engine's memory) print "ready ..." and wait for a line
 * on stdin before they start.
 *
 *   bench-driver LIB rt URL SIZE INFLIGHT ROUNDS      Send INFLIGHT text messages, then Receive them
 *   bench-driver LIB stream URL SIZE COUNT            Send COUNT, then Receive COUNT
 *   bench-driver LIB large URL SIZE text|binary COUNT Send one, Receive it back, COUNT times
 *   bench-driver LIB serve TOTAL                      Server: Run on 127.0.0.1:0, Receive and answer
 *                                                     each message with Send to its sender, TOTAL times
 *                                                     (with BENCH_CLUSTER_REDIS and BENCH_SERVICE in the
 *                                                     environment: a cluster node, which after its TOTAL
 *                                                     waits for stdin to end, so its clients stay connected)
 *   bench-driver LIB hold                             Server: Run on 127.0.0.1:0, wait for stdin to end
 *   bench-driver LIB status COUNT                     read Client.Статус COUNT times: median per call
 *   bench-driver - bare SOCKET COUNT                  a bare round trip on a Unix socket: median
 *   bench-driver - relay SOCKET rt SIZE ROUNDS        the floor: one message at a time through the
 *   bench-driver - relay SOCKET large SIZE text|binary COUNT
 *                                                     bare relay (bench/peers/relay.ts) and back
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "../../native/test/native_api.h"

/* ---- host objects ---- */
static void hostDtor(void* self) { (void)self; }
static bool memAlloc(void* self, void** p, unsigned long size) {
  (void)self;
  *p = malloc(size ? size : 1);
  return *p != NULL;
}
static void memFree(void* self, void** p) {
  (void)self;
  if (p && *p) {
    free(*p);
    *p = NULL;
  }
}
typedef struct {
  DTORS
  bool (*AllocMemory)(void*, void**, unsigned long);
  void (*FreeMemory)(void*, void**);
} MemVT;
static struct { PREFIX MemVT vt; } gMemVT = {PREFIX_INIT, {DTOR_INIT(hostDtor), memAlloc, memFree}};
static struct { MemVT* vptr; } gMem = {&gMemVT.vt};

static char gLastError[4096];
static bool hostAddError(void* self, unsigned short code, const WCHAR_T* source, const WCHAR_T* descr, long scode) {
  (void)self, (void)code, (void)source, (void)scode;
  size_t k = 0;
  for (size_t i = 0; descr && descr[i] && k + 4 < sizeof gLastError; i++) {
    uint32_t c = descr[i];
    if (c < 0x80) gLastError[k++] = (char)c;
    else if (c < 0x800) gLastError[k++] = (char)(0xc0 | (c >> 6)), gLastError[k++] = (char)(0x80 | (c & 0x3f));
    else gLastError[k++] = (char)(0xe0 | (c >> 12)), gLastError[k++] = (char)(0x80 | ((c >> 6) & 0x3f)), gLastError[k++] = (char)(0x80 | (c & 0x3f));
  }
  gLastError[k] = 0;
  return true;
}
static bool hostFalse(void) { return false; }
static long hostZero(void) { return 0; }
static void hostVoid(void) {}
static void* hostNull(void) { return NULL; }
typedef struct {
  DTORS
  bool (*AddError)(void*, unsigned short, const WCHAR_T*, const WCHAR_T*, long);
  void* slots[10];
} DefBaseVT;
static struct { PREFIX DefBaseVT vt; } gDefVT;
static struct { DefBaseVT* vptr; } gDef = {&gDefVT.vt};

static void initHost(void) {
  gDefVT.vt = (DefBaseVT){DTOR_INIT(hostDtor), hostAddError, {NULL}};
  void* slots[10] = {(void*)hostFalse, (void*)hostFalse, (void*)hostFalse, (void*)hostFalse, (void*)hostZero,
                     (void*)hostFalse, (void*)hostVoid,  (void*)hostFalse, (void*)hostVoid,  (void*)hostNull};
  memcpy(gDefVT.vt.slots, slots, sizeof slots);
}

/* ---- helpers ---- */
static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char* what) {
  fprintf(stderr, "bench-driver: %s%s%s\n", what, gLastError[0] ? ": " : "", gLastError);
  exit(1);
}

/* ASCII-only names and texts: one UTF-16 unit per byte */
static WCHAR_T* wide(const char* s) {
  size_t n = strlen(s);
  WCHAR_T* w = malloc((n + 1) * sizeof(WCHAR_T));
  for (size_t i = 0; i <= n; i++) w[i] = (unsigned char)s[i];
  return w;
}

static void release(tVariant* v) {
  void* p = NULL;
  if (v->vt == VTYPE_PWSTR) p = v->u.w.pwstrVal;
  else if (v->vt == VTYPE_BLOB) p = v->u.s.pstrVal;
  if (p) memFree(&gMem, &p);
  memset(v, 0, sizeof *v);
}

static void* gLib;
static Obj newObject(const char* cls) {
  long (*getClassObject)(const WCHAR_T*, void**) = (long (*)(const WCHAR_T*, void**))dlsym(gLib, "GetClassObject");
  if (!getClassObject) die("no GetClassObject");
  WCHAR_T* name = wide(cls);
  void* obj = NULL;
  if (!getClassObject(name, &obj) || !obj) die("GetClassObject");
  free(name);
  Obj o = {obj};
  VT0(&o)->setMemManager(SELF(&o, 0), &gMem);
  VT0(&o)->Init(SELF(&o, 0), &gDef);
  VT0(&o)->GetInfo(SELF(&o, 0));
  WCHAR_T* ext = NULL;
  VT1(&o)->RegisterExtensionAs(SELF(&o, 1), &ext);
  void* p = ext;
  memFree(&gMem, &p);
  return o;
}

static void destroyObject(Obj* o) {
  long (*destroy)(void**) = (long (*)(void**))dlsym(gLib, "DestroyObject");
  VT0(o)->Done(SELF(o, 0));
  void* p = o->base;
  destroy(&p);
}

typedef struct {
  Obj* o;
  long id;
  long nparams;
  tVariant* params;
} Method;

static Method method(Obj* o, const char* name) {
  WCHAR_T* w = wide(name);
  Method m = {o, VT1(o)->FindMethod(SELF(o, 1), w), 0, NULL};
  free(w);
  if (m.id < 0) die(name);
  m.nparams = VT1(o)->GetNParams(SELF(o, 1), m.id);
  m.params = calloc((size_t)m.nparams + 1, sizeof(tVariant));
  return m;
}

/* CallAsFunc; the Boolean result; what the add-in left in the result is freed, as the platform does */
static bool callBool(Method* m) {
  tVariant ret;
  memset(&ret, 0, sizeof ret);
  gLastError[0] = 0;
  bool ok = VT1(m->o)->CallAsFunc(SELF(m->o, 1), m->id, &ret, m->params, m->nparams);
  bool value = ok && ret.vt == VTYPE_BOOL && ret.u.bVal;
  release(&ret);
  return ok && value;
}

static void setInt(tVariant* v, int32_t n) {
  release(v);
  v->u.lVal = n;
  v->vt = VTYPE_I4;
}

static void setText(tVariant* v, const char* s) {
  release(v);
  size_t n = strlen(s);
  void* mem;
  memAlloc(&gMem, &mem, (n + 1) * sizeof(WCHAR_T));
  for (size_t i = 0; i <= n; i++) ((WCHAR_T*)mem)[i] = (unsigned char)s[i];
  v->u.w.pwstrVal = mem;
  v->u.w.wstrLen = (uint32_t)n;
  v->vt = VTYPE_PWSTR;
}

/* A message body of SIZE units/bytes, host-allocated once and reused (the add-in only reads it). */
static void setBody(tVariant* v, size_t size, bool binary) {
  release(v);
  void* mem;
  if (binary) {
    memAlloc(&gMem, &mem, size ? size : 1);
    for (size_t i = 0; i < size; i++) ((unsigned char*)mem)[i] = (unsigned char)(i * 31 + 7);
    v->u.s.pstrVal = mem;
    v->u.s.strLen = (uint32_t)size;
    v->vt = VTYPE_BLOB;
  } else {
    memAlloc(&gMem, &mem, (size + 1) * sizeof(WCHAR_T));
    for (size_t i = 0; i < size; i++) ((WCHAR_T*)mem)[i] = (WCHAR_T)('a' + i % 26);
    ((WCHAR_T*)mem)[size] = 0;
    v->u.w.pwstrVal = mem;
    v->u.w.wstrLen = (uint32_t)size;
    v->vt = VTYPE_PWSTR;
  }
}

static size_t bodySize(const tVariant* v) {
  if (v->vt == VTYPE_PWSTR) return v->u.w.wstrLen;
  if (v->vt == VTYPE_BLOB) return v->u.s.strLen;
  return (size_t)-1;
}

static void waitForGo(const char* what) {
  printf("ready %s\n", what);
  fflush(stdout);
  char line[64];
  if (!fgets(line, sizeof line, stdin)) exit(0);
}

static Obj connectClient(const char* url) {
  Obj o = newObject("Client");
  Method connect = method(&o, "Connect");
  setText(&connect.params[0], url);
  if (!callBool(&connect)) die("Connect");
  release(&connect.params[0]);
  return o;
}

/* Receive(10 s) into params[1]; the message must have the expected size. */
static void receiveOne(Method* receive, size_t expected) {
  setInt(&receive->params[0], 10000);
  if (!callBool(receive)) die("Receive");
  if (bodySize(&receive->params[1]) != expected) die("Receive: unexpected message size");
}

static int cmpDouble(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return x < y ? -1 : x > y;
}

/* a Unix stream socket connected to `path` */
static int connectUnix(const char* path) {
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un addr;
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path);
  if (connect(fd, (struct sockaddr*)&addr, sizeof addr) != 0) die("connect");
  return fd;
}

/* ---- the floor: frames to and from the bare relay (bench/peers/relay.ts) ---- */
static void sendAll(int fd, const unsigned char* p, size_t n) {
  while (n > 0) {
    ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
    if (w <= 0) die("relay send");
    p += w;
    n -= (size_t)w;
  }
}

static void recvAll(int fd, unsigned char* p, size_t n) {
  while (n > 0) {
    ssize_t r = recv(fd, p, n, 0);
    if (r <= 0) die("relay recv");
    p += r;
    n -= (size_t)r;
  }
}

/* u32 length (of what follows), u8 kind (1 text, 2 binary), the body: written with one send */
static unsigned char* relayFrame(size_t size, bool binary) {
  unsigned char* f = malloc(5 + size);
  uint32_t len = (uint32_t)(size + 1);
  memcpy(f, &len, 4);
  f[4] = binary ? 2 : 1;
  for (size_t i = 0; i < size; i++) f[5 + i] = binary ? (unsigned char)(i * 31 + 7) : (unsigned char)('a' + i % 26);
  return f;
}

/* one message there and back: the echo must come back as it was sent */
static void relayRoundTrip(int fd, const unsigned char* frame, size_t size, unsigned char* in) {
  sendAll(fd, frame, 5 + size);
  recvAll(fd, in, 5);
  uint32_t len;
  memcpy(&len, in, 4);
  if (len != size + 1 || in[4] != frame[4]) die("relay: unexpected echo");
  recvAll(fd, in + 5, size);
  if (memcmp(in + 5, frame + 5, size) != 0) die("relay: the echo differs");
}

static int relayMain(char** argv) {
  int fd = connectUnix(argv[3]);
  bool rt = strcmp(argv[4], "rt") == 0;
  size_t size = (size_t)atol(argv[5]);
  bool binary = !rt && strcmp(argv[6], "binary") == 0;
  long count = atol(argv[rt ? 6 : 7]);
  unsigned char* frame = relayFrame(size, binary);
  unsigned char* in = malloc(5 + size);
  long warm = rt ? count / 10 + 1 : 0; /* as the other modes: round trips warm up, large messages do not */
  double t0 = 0;
  for (long i = -warm; i < count; i++) {
    if (i == 0) t0 = now();
    relayRoundTrip(fd, frame, size, in);
  }
  double dt = now() - t0;
  printf("{\"messages\":%ld,\"seconds\":%.6f}\n", count, dt);
  return 0;
}

int main(int argc, char** argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (argc < 3) {
    fprintf(stderr, "usage: bench-driver LIB MODE ... (see the source)\n");
    return 2;
  }
  const char* mode = argv[2];
  initHost();

  if (strcmp(mode, "bare") == 0 && argc == 5) {
    /* the request and response sizes of a Статус read: 7 bytes out, 13 back */
    int fd = connectUnix(argv[3]);
    long n = atol(argv[4]);
    double* t = malloc((size_t)n * sizeof(double));
    unsigned char req[7] = {3, 0, 0, 0, 3, 0, 0}, resp[64];
    for (long i = -n / 10; i < n; i++) {
      double t0 = now();
      if (send(fd, req, sizeof req, MSG_NOSIGNAL) != (ssize_t)sizeof req) die("send");
      size_t got = 0;
      while (got < 13) {
        ssize_t r = recv(fd, resp + got, sizeof resp - got, 0);
        if (r <= 0) die("recv");
        got += (size_t)r;
      }
      if (i >= 0) t[i] = now() - t0;
    }
    qsort(t, (size_t)n, sizeof(double), cmpDouble);
    printf("{\"calls\":%ld,\"medianUs\":%.2f,\"p90Us\":%.2f}\n", n, t[n / 2] * 1e6, t[n * 9 / 10] * 1e6);
    return 0;
  }

  if (strcmp(mode, "relay") == 0 && ((argc == 7 && strcmp(argv[4], "rt") == 0) || (argc == 8 && strcmp(argv[4], "large") == 0)))
    return relayMain(argv);

  gLib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!gLib) {
    fprintf(stderr, "dlopen: %s\n", dlerror());
    return 2;
  }
  int (*caps)(int) = (int (*)(int))dlsym(gLib, "SetPlatformCapabilities");
  if (caps) caps(3);

  if (strcmp(mode, "rt") == 0 && argc == 7) {
    Obj o = connectClient(argv[3]);
    size_t size = (size_t)atol(argv[4]);
    long inflight = atol(argv[5]), rounds = atol(argv[6]);
    Method send = method(&o, "Send"), receive = method(&o, "Receive");
    setBody(&send.params[0], size, false);
    double t0 = 0;
    long warm = rounds / 10 + 1;
    for (long r = -warm; r < rounds; r++) {
      if (r == 0) t0 = now();
      for (long i = 0; i < inflight; i++)
        if (!callBool(&send)) die("Send");
      for (long i = 0; i < inflight; i++) receiveOne(&receive, size);
    }
    double dt = now() - t0;
    printf("{\"messages\":%ld,\"seconds\":%.6f}\n", inflight * rounds, dt);
    destroyObject(&o);
    return 0;
  }

  if (strcmp(mode, "stream") == 0 && argc == 6) {
    Obj o = connectClient(argv[3]);
    size_t size = (size_t)atol(argv[4]);
    long count = atol(argv[5]);
    Method send = method(&o, "Send"), receive = method(&o, "Receive");
    setBody(&send.params[0], size, false);
    double t0 = now();
    for (long i = 0; i < count; i++)
      if (!callBool(&send)) die("Send");
    double sent = now() - t0;
    for (long i = 0; i < count; i++) receiveOne(&receive, size);
    double dt = now() - t0;
    printf("{\"messages\":%ld,\"seconds\":%.6f,\"sendSeconds\":%.6f}\n", count, dt, sent);
    destroyObject(&o);
    return 0;
  }

  if (strcmp(mode, "large") == 0 && argc == 7) {
    Obj o = connectClient(argv[3]);
    size_t size = (size_t)atol(argv[4]);
    bool binary = strcmp(argv[5], "binary") == 0;
    long count = atol(argv[6]);
    Method send = method(&o, "Send"), receive = method(&o, "Receive");
    setBody(&send.params[0], size, binary);
    waitForGo("connected");
    double t0 = now();
    for (long i = 0; i < count; i++) {
      if (!callBool(&send)) die("Send");
      receiveOne(&receive, size);
      release(&receive.params[1]);  /* BSL would drop the value before the next message */
    }
    double dt = now() - t0;
    printf("{\"messages\":%ld,\"seconds\":%.6f}\n", count, dt);
    destroyObject(&o);
    return 0;
  }

  if ((strcmp(mode, "serve") == 0 && argc == 4) || (strcmp(mode, "hold") == 0 && argc == 3)) {
    Obj o = newObject("Server");
    const char* redis = getenv("BENCH_CLUSTER_REDIS");
    const char* service = getenv("BENCH_SERVICE");
    if (redis && service) {
      const char* names[2] = {"ClusterRedis", "ServiceName"};
      const char* values[2] = {redis, service};
      for (int k = 0; k < 2; k++) {
        WCHAR_T* name = wide(names[k]);
        long prop = VT1(&o)->FindProp(SELF(&o, 1), name);
        free(name);
        tVariant v;
        memset(&v, 0, sizeof v);
        setText(&v, values[k]);
        if (!VT1(&o)->SetPropVal(SELF(&o, 1), prop, &v)) die(names[k]);
        release(&v);
      }
    }
    Method run = method(&o, "Run");
    setText(&run.params[0], "127.0.0.1");
    setInt(&run.params[1], 0);
    for (long i = 2; i < run.nparams; i++) setText(&run.params[i], "");
    if (!callBool(&run)) die("Run");
    WCHAR_T* portName = wide("Port");
    long portProp = VT1(&o)->FindProp(SELF(&o, 1), portName);
    free(portName);
    tVariant port;
    memset(&port, 0, sizeof port);
    if (!VT1(&o)->GetPropVal(SELF(&o, 1), portProp, &port)) die("Port");
    int portNumber = port.vt == VTYPE_I4 ? port.u.lVal : (int)port.u.dblVal;
    if (mode[0] == 'h') {
      printf("port %d\n", portNumber);
      fflush(stdout);
      char line[64];
      while (fgets(line, sizeof line, stdin)) {
      }
      destroyObject(&o);
      return 0;
    }
    long total = atol(argv[3]);
    Method receive = method(&o, "Receive"), send = method(&o, "Send");
    printf("port %d\n", portNumber);
    fflush(stdout);
    double t0 = 0;
    for (long i = 0; i < total; i++) {
      setInt(&receive.params[0], 60000);
      if (!callBool(&receive)) die("Server.Receive");
      if (i == 0) t0 = now();
      /* answer the sender with its own message: the out-parameters become Send's arguments */
      setInt(&send.params[0], receive.params[1].vt == VTYPE_I4 ? receive.params[1].u.lVal : (int32_t)receive.params[1].u.dblVal);
      release(&send.params[1]);
      send.params[1] = receive.params[2];
      memset(&receive.params[2], 0, sizeof receive.params[2]);
      if (!callBool(&send)) die("Server.Send");
    }
    double dt = now() - t0;
    printf("{\"messages\":%ld,\"seconds\":%.6f}\n", total, dt);
    fflush(stdout);
    if (redis && service) {
      char line[64];
      while (fgets(line, sizeof line, stdin)) {
      }
    }
    destroyObject(&o);
    return 0;
  }

  if (strcmp(mode, "status") == 0 && argc == 4) {
    Obj o = newObject("Client");
    WCHAR_T* name = wide("Status");
    long prop = VT1(&o)->FindProp(SELF(&o, 1), name);
    free(name);
    long n = atol(argv[3]);
    double* t = malloc((size_t)n * sizeof(double));
    for (long i = -n / 10 - 1; i < n; i++) {
      tVariant v;
      memset(&v, 0, sizeof v);
      double t0 = now();
      if (!VT1(&o)->GetPropVal(SELF(&o, 1), prop, &v)) die("Status");
      double dt = now() - t0;
      release(&v);
      if (i >= 0) t[i] = dt;
    }
    qsort(t, (size_t)n, sizeof(double), cmpDouble);
    printf("{\"calls\":%ld,\"medianUs\":%.2f,\"p90Us\":%.2f}\n", n, t[n / 2] * 1e6, t[n * 9 / 10] * 1e6);
    destroyObject(&o);
    return 0;
  }

  fprintf(stderr, "bench-driver: bad arguments for %s\n", mode);
  return 2;
}
