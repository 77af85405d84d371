import ProviderCore
import FileAndSQLiteStore

// The FastCGI/CGI gateway, routes and admin commands arrive with their own issue; until then the binary reports what it links.
print("oauth1-fcgi: ProviderCore ready; SQLite \(SQLiteDatabase.libraryVersion)")
