/* The RSA public-key operation s^65537 mod n for 2048-bit keys with AVX-512 IFMA (52-bit multiply-add), about twice
   as fast as OpenSSL 3's BN_mod_exp_mont on the same machine. Only public values pass through it (the signature and
   the public key), so it need not run in constant time. ProviderCore uses it where the processor has the instructions
   and the key fits (2048 bits, e = 65537), and OpenSSL otherwise; tests compare the two on random values.

   Numbers are 40 limbs of 52 bits, least significant first (2080 bits). Multiplication is Montgomery's with
   R = 2^2080 > 4n, so results stay below 2n without a final subtraction ("almost Montgomery multiplication"), and one
   subtraction at the end brings the result below n. */
#ifndef OAUTH1_RSA2048_IFMA_H
#define OAUTH1_RSA2048_IFMA_H

#include <stdint.h>
#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#endif

#define OAUTH1_RSA2048_LIMBS 40
#define OAUTH1_RSA2048_BYTES 256
#define OAUTH1_RSA2048_MASK ((1ULL << 52) - 1)

/* A public key prepared for the vector path: n, R^2 mod n, and -n^-1 mod 2^52. */
typedef struct {
    uint64_t n[OAUTH1_RSA2048_LIMBS];
    uint64_t rr[OAUTH1_RSA2048_LIMBS];
    uint64_t k0;
} oauth1_rsa2048_key;

/* 1 when the processor has AVX-512F and IFMA and the kernel saves the AVX-512 registers, else 0 (always 0 off
   x86-64, where the functions below that need the instructions are stubs that refuse every input). */
static inline int oauth1_rsa2048_vector_available(void) {
#if !defined(__x86_64__)
    return 0;
#else
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx) || !(ecx & (1u << 27))) return 0; /* OSXSAVE */
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return 0;
    if (!(ebx & (1u << 16)) || !(ebx & (1u << 21))) return 0; /* AVX512F, AVX512_IFMA */
    unsigned int xcr0_low, xcr0_high;
    __asm__ volatile("xgetbv" : "=a"(xcr0_low), "=d"(xcr0_high) : "c"(0));
    return (xcr0_low & 0xE6) == 0xE6; /* SSE, AVX, opmask, ZMM_Hi256 and Hi16_ZMM state */
#endif
}

/* Big-endian bytes (at most 256) to limbs. */
static inline void oauth1_rsa2048_limbs_from_bytes(uint64_t *limbs, const uint8_t *bytes, int length) {
    uint64_t words[34] = {0};
    for (int i = 0; i < length; i++) {
        const int bit = (length - 1 - i) * 8;
        words[bit / 64] |= (uint64_t)bytes[i] << (bit % 64);
    }
    for (int k = 0; k < OAUTH1_RSA2048_LIMBS; k++) {
        const int bit = 52 * k, word = bit / 64, offset = bit % 64;
        uint64_t value = words[word] >> offset;
        if (offset > 12) value |= words[word + 1] << (64 - offset);
        limbs[k] = value & OAUTH1_RSA2048_MASK;
    }
}

/* Limbs (a value below 2^2048) to 256 big-endian bytes. */
static inline void oauth1_rsa2048_bytes_from_limbs(uint8_t *bytes, const uint64_t *limbs) {
    for (int i = 0; i < OAUTH1_RSA2048_BYTES; i++) {
        const int bit = (OAUTH1_RSA2048_BYTES - 1 - i) * 8, k = bit / 52, offset = bit % 52;
        uint64_t value = limbs[k] >> offset;
        if (offset > 44) value |= limbs[k + 1] << (52 - offset);
        bytes[i] = (uint8_t)value;
    }
}

/* Whether a >= b, both normalised. */
static inline int oauth1_rsa2048_at_least(const uint64_t *a, const uint64_t *b) {
    for (int k = OAUTH1_RSA2048_LIMBS - 1; k >= 0; k--) {
        if (a[k] != b[k]) return a[k] > b[k];
    }
    return 1;
}

/* Prepares a key from its modulus and R^2 mod n (R = 2^2080), both as 256 big-endian bytes; n must be odd. */
static inline void oauth1_rsa2048_key_init(oauth1_rsa2048_key *key, const uint8_t *modulus, const uint8_t *rr) {
    oauth1_rsa2048_limbs_from_bytes(key->n, modulus, OAUTH1_RSA2048_BYTES);
    oauth1_rsa2048_limbs_from_bytes(key->rr, rr, OAUTH1_RSA2048_BYTES);
    const uint64_t n0 = key->n[0];
    uint64_t inverse = n0; /* Newton's iteration: correct to 3, 6, 12, 24, 48, 96 bits */
    for (int i = 0; i < 5; i++) inverse *= 2 - n0 * inverse;
    key->k0 = (0 - inverse) & OAUTH1_RSA2048_MASK;
}

#if defined(__x86_64__)
/* res = a * b / R mod n, below 2n when a and b are; a, b and res normalised (each limb below 2^52). Lane 0 of the
   accumulator, which decides each reduction factor, is also kept in a scalar register, so the vector additions can
   lag one step behind it. */
__attribute__((target("avx512f,avx512ifma")))
static inline void oauth1_rsa2048_multiply(uint64_t *res, const uint64_t *a, const uint64_t *b,
                                           const oauth1_rsa2048_key *key) {
    const __m512i zero = _mm512_setzero_si512();
    __m512i r0 = zero, r1 = zero, r2 = zero, r3 = zero, r4 = zero;
    const __m512i b0 = _mm512_loadu_si512(b), b1 = _mm512_loadu_si512(b + 8), b2 = _mm512_loadu_si512(b + 16),
                  b3 = _mm512_loadu_si512(b + 24), b4 = _mm512_loadu_si512(b + 32);
    const __m512i n0 = _mm512_loadu_si512(key->n), n1 = _mm512_loadu_si512(key->n + 8),
                  n2 = _mm512_loadu_si512(key->n + 16), n3 = _mm512_loadu_si512(key->n + 24),
                  n4 = _mm512_loadu_si512(key->n + 32);
    const uint64_t k0 = key->k0, nFirst = key->n[0], nSecond = key->n[1], bFirst = b[0], bSecond = b[1];
    uint64_t lane0 = 0;
    for (int i = 0; i < OAUTH1_RSA2048_LIMBS; i++) {
        const uint64_t ai = a[i];
        /* Lane 1 now, before this step adds to it: lane 0 of the next step. */
        const uint64_t lane1 = (uint64_t)_mm_extract_epi64(_mm512_castsi512_si128(r0), 1);
        const __m512i av = _mm512_set1_epi64((long long)ai);
        r0 = _mm512_madd52lo_epu64(r0, av, b0);
        r1 = _mm512_madd52lo_epu64(r1, av, b1);
        r2 = _mm512_madd52lo_epu64(r2, av, b2);
        r3 = _mm512_madd52lo_epu64(r3, av, b3);
        r4 = _mm512_madd52lo_epu64(r4, av, b4);
        const unsigned __int128 ab = (unsigned __int128)ai * bFirst;
        lane0 += (uint64_t)ab & OAUTH1_RSA2048_MASK;
        const uint64_t y = (lane0 * k0) & OAUTH1_RSA2048_MASK;
        const __m512i yv = _mm512_set1_epi64((long long)y);
        r0 = _mm512_madd52lo_epu64(r0, yv, n0);
        r1 = _mm512_madd52lo_epu64(r1, yv, n1);
        r2 = _mm512_madd52lo_epu64(r2, yv, n2);
        r3 = _mm512_madd52lo_epu64(r3, yv, n3);
        r4 = _mm512_madd52lo_epu64(r4, yv, n4);
        const unsigned __int128 yn = (unsigned __int128)y * nFirst;
        /* Lane 0 is now a multiple of 2^52: carry its top into lane 1 and drop it (one limb shift). */
        const uint64_t carry = (lane0 + ((uint64_t)yn & OAUTH1_RSA2048_MASK)) >> 52;
        lane0 = lane1 + ((ai * bSecond) & OAUTH1_RSA2048_MASK) + ((y * nSecond) & OAUTH1_RSA2048_MASK) + carry +
                (uint64_t)(ab >> 52) + (uint64_t)(yn >> 52);
        r0 = _mm512_alignr_epi64(r1, r0, 1);
        r1 = _mm512_alignr_epi64(r2, r1, 1);
        r2 = _mm512_alignr_epi64(r3, r2, 1);
        r3 = _mm512_alignr_epi64(r4, r3, 1);
        r4 = _mm512_alignr_epi64(zero, r4, 1);
        r0 = _mm512_add_epi64(r0, _mm512_zextsi128_si512(_mm_cvtsi64_si128((long long)carry)));
        r0 = _mm512_madd52hi_epu64(r0, av, b0);
        r1 = _mm512_madd52hi_epu64(r1, av, b1);
        r2 = _mm512_madd52hi_epu64(r2, av, b2);
        r3 = _mm512_madd52hi_epu64(r3, av, b3);
        r4 = _mm512_madd52hi_epu64(r4, av, b4);
        r0 = _mm512_madd52hi_epu64(r0, yv, n0);
        r1 = _mm512_madd52hi_epu64(r1, yv, n1);
        r2 = _mm512_madd52hi_epu64(r2, yv, n2);
        r3 = _mm512_madd52hi_epu64(r3, yv, n3);
        r4 = _mm512_madd52hi_epu64(r4, yv, n4);
    }
    /* Each lane holds at most 40 steps x 4 products of 52 bits (below 2^60): normalise with one carry pass. */
    uint64_t sum[OAUTH1_RSA2048_LIMBS];
    _mm512_storeu_si512(sum, r0);
    _mm512_storeu_si512(sum + 8, r1);
    _mm512_storeu_si512(sum + 16, r2);
    _mm512_storeu_si512(sum + 24, r3);
    _mm512_storeu_si512(sum + 32, r4);
    uint64_t carry = 0;
    for (int k = 0; k < OAUTH1_RSA2048_LIMBS; k++) {
        const uint64_t value = sum[k] + carry;
        res[k] = value & OAUTH1_RSA2048_MASK;
        carry = value >> 52;
    }
}

/* out = signature^65537 mod n as 256 big-endian bytes (RFC 8017 section 5.2.2, RSAVP1). Returns 0, writing nothing,
   when the signature is not below n. Call only where oauth1_rsa2048_vector_available() returned 1. */
__attribute__((target("avx512f,avx512ifma")))
static inline int oauth1_rsa2048_public(uint8_t *out, const uint8_t *signature, const oauth1_rsa2048_key *key) {
    uint64_t s[OAUTH1_RSA2048_LIMBS], sR[OAUTH1_RSA2048_LIMBS], x[OAUTH1_RSA2048_LIMBS];
    uint64_t one[OAUTH1_RSA2048_LIMBS] = {1};
    oauth1_rsa2048_limbs_from_bytes(s, signature, OAUTH1_RSA2048_BYTES);
    if (oauth1_rsa2048_at_least(s, key->n)) return 0;
    oauth1_rsa2048_multiply(sR, s, key->rr, key);   /* s R mod n */
    oauth1_rsa2048_multiply(x, sR, sR, key);
    for (int i = 1; i < 16; i++) oauth1_rsa2048_multiply(x, x, x, key); /* s^65536 R */
    oauth1_rsa2048_multiply(x, x, sR, key);          /* s^65537 R */
    oauth1_rsa2048_multiply(x, x, one, key);         /* s^65537, at most n */
    if (oauth1_rsa2048_at_least(x, key->n)) {
        int64_t borrow = 0;
        for (int k = 0; k < OAUTH1_RSA2048_LIMBS; k++) {
            const int64_t value = (int64_t)x[k] - (int64_t)key->n[k] - borrow;
            borrow = value < 0;
            x[k] = (uint64_t)value & OAUTH1_RSA2048_MASK;
        }
    }
    oauth1_rsa2048_bytes_from_limbs(out, x);
    return 1;
}
#else
static inline int oauth1_rsa2048_public(uint8_t *out, const uint8_t *signature, const oauth1_rsa2048_key *key) {
    (void)out; (void)signature; (void)key;
    return 0;
}
#endif

#endif
