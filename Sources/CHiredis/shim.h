/* The Redis client library, for its types and constants only: PostgreSQLAndRedisStore loads libhiredis.so.0.14 on first
 * use (LibHiredis.swift), so nothing links it. */
#include <hiredis/hiredis.h>
