/* The engine bundle (build/engine.mjs) embedded in the Windows DLL, with its size. The Linux build
   uses generated/engine_blob.S; this file takes the bundle's path from the Makefile
   (-DONEC_BUNDLE="\"/abs/path/engine.mjs\""). C symbols carry a leading underscore on Windows x86. */
#if defined(_WIN64)
#define SYM(name) name
#else
#define SYM(name) _##name
#endif

    .section .rdata,"dr"
    .balign 16
    .globl SYM(onec_engine_bundle)
SYM(onec_engine_bundle):
    .incbin ONEC_BUNDLE
.Lbundle_end:
    .byte 0
    .balign 8
    .globl SYM(onec_engine_bundle_size)
SYM(onec_engine_bundle_size):
    .quad .Lbundle_end - SYM(onec_engine_bundle)
