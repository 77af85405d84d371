/*
 * The floor of `make bench`: the least a libfcgi application can do per request.
 *
 * It accepts on the listening socket it inherits as fd 0 (spawn-fcgi, like the oauth1-fcgi supervisor,
 * forks its workers with the socket there), answers every request with a fixed small JSON body shaped
 * like GET /oauth/user's, and reads nothing: no parameters, no body, no storage, no crypto. Whatever
 * oauth1-fcgi costs beyond this is the provider's own work.
 *
 * With FLOOR_PLAIN_CLOSE=1 in its environment (bench/run.py's default, --floor-close plain) it ends each
 * connection the way oauth1-fcgi does: once the request's input has ended, a plain close instead of
 * libfcgi's graceful shutdown-poll-read, so that choice, worth more than a third of the floor's cost, is
 * made alike for both (as keep-alive settings are).
 *
 * Built by bench/run.py:  cc -O2 -o hello hello.c -lfcgi
 */
#include <fcgiapp.h>
#include <stdlib.h>
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
    const char *plain = getenv("FLOOR_PLAIN_CLOSE");
    int plainClose = plain != NULL && strcmp(plain, "1") == 0;
    char byte;

    /* The Content-Length above must match the body; fail loudly at start-up if someone edits one. */
    if (strlen(BODY) != 30)
        return 2;
    if (FCGX_Init() != 0)
        return 1;
    if (FCGX_InitRequest(&request, 0, 0) != 0)
        return 1;
    while (FCGX_Accept_r(&request) >= 0) {
        FCGX_PutStr(response, (int)(sizeof response - 1), request.out);
        if (plainClose && !request.keepConnection && FCGX_GetStr(&byte, 1, request.in) == 0 && FCGX_HasSeenEOF(request.in))
            request.detached = 1;
        FCGX_Finish_r(&request);
    }
    return 0;
}
