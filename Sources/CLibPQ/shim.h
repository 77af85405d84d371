/* PostgreSQL's client library, for its types and constants only: PostgreSQLAndRedisStore loads libpq.so.5 on first use
 * (LibPQ.swift), so nothing links it. libpq-fe.h finds "postgres_ext.h" next to itself. */
#include <postgresql/libpq-fe.h>
