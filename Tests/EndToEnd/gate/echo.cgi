#!/bin/sh
# A CGI program behind Apache's mod_authnz_fcgi and the provider's Authorizer role: it prints what the
# authorizer told Apache about the caller.
printf 'Content-Type: text/plain\r\n\r\n'
echo "remote_user=$REMOTE_USER username=$OAUTH_USERNAME user_id=$OAUTH_USER_ID client_id=$OAUTH_CLIENT_ID scopes=$OAUTH_SCOPES"
