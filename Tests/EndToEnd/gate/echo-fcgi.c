/* A small FastCGI program standing for "another program on the same web server" behind oauth1-fcgi's gate:
   it answers with the caller identity nginx handed it after auth_request. */
#include <fcgiapp.h>
#include <stdio.h>

static const char *param(FCGX_Request *request, const char *name) {
    const char *value = FCGX_GetParam(name, request->envp);
    return value ? value : "";
}

int main(void) {
    FCGX_Request request;
    FCGX_Init();
    FCGX_InitRequest(&request, 0, 0);
    while (FCGX_Accept_r(&request) >= 0) {
        FCGX_FPrintF(request.out,
                     "Status: 200 OK\r\nContent-Type: text/plain\r\n\r\n"
                     "program=echo user_id=%s username=%s client_id=%s scopes=%s\n",
                     param(&request, "X_OAUTH_USER_ID"), param(&request, "X_OAUTH_USERNAME"),
                     param(&request, "X_OAUTH_CLIENT_ID"), param(&request, "X_OAUTH_SCOPES"));
        FCGX_Finish_r(&request);
    }
    return 0;
}
