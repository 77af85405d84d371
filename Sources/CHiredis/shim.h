/* The Redis client library, wrapped by PostgreSQLAndRedisStore. */
#include <hiredis/hiredis.h>
