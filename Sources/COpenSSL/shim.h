/* OpenSSL's libcrypto as ProviderCore uses it: digests, HMAC, RSA verification,
   key and certificate decoding, and the CSPRNG. */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/err.h>
#include <openssl/crypto.h>
