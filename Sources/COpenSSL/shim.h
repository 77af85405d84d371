/* OpenSSL's libcrypto as ProviderCore uses it: digests, HMAC, RSA verification,
   key and certificate decoding, and the CSPRNG; and, beside it, the AVX-512 IFMA
   public-key operation for 2048-bit RSA keys (rsa2048_ifma.h, header-only). */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/err.h>
#include <openssl/crypto.h>
#include "rsa2048_ifma.h"
