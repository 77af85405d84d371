/* SQLite's C API, wrapped by FileAndSQLiteStore. */
#include <sqlite3.h>
