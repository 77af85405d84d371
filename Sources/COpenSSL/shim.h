/* OpenSSL's libcrypto as ProviderCore and FileAndSQLiteStore use it: digests, HMAC, RSA verification, PEM, base64,
   key and certificate decoding, scrypt, constant-time comparison and the CSPRNG. */
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/err.h>
#include <openssl/crypto.h>
