/* PostgreSQL's client library, wrapped by PostgreSQLAndRedisStore. */
#include <libpq-fe.h>
