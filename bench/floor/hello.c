/*
 * The floor of `make bench`: the least a libfcgi application can do per request.
 *
 * It accepts on the listening socket it inherits as fd 0 (spawn-fcgi, like the oauth1-fcgi supervisor,
 * forks its workers with the socket there), answers every request with a fixed small JSON body shaped
 * like GET /oauth/user's, and reads nothing: no parameters, no body, no storage, no crypto. Whatever
 * oauth1-fcgi costs beyond this is the provider's own work.
 *
 * Built by bench/run.py:  cc -O2 -o hello hello.c -lfcgi
 */
#include <fcgiapp.h>
#include <string.h>

#define BODY "{\"id\": 1, \"username\": \"bench\"}"

int main(void)
{
    static const char response[] =
        "Status: 200 OK\r\n"
        "Content-Type: application/json\r\n"
        "Cache-Control: no-store\r\n"
        "Content-Length: 30\r\n"
        "\r\n"
        BODY;
    FCGX_Request request;

    /* The Content-Length above must match the body; fail loudly at start-up if someone edits one. */
    if (strlen(BODY) != 30)
        return 2;
    if (FCGX_Init() != 0)
        return 1;
    if (FCGX_InitRequest(&request, 0, 0) != 0)
        return 1;
    while (FCGX_Accept_r(&request) >= 0) {
        FCGX_PutStr(response, (int)(sizeof response - 1), request.out);
        FCGX_Finish_r(&request);
    }
    return 0;
}
