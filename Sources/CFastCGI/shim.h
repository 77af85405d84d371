/* libfcgi's application interface: the only FastCGI code the gateway uses. */
#include <fcgiapp.h>
