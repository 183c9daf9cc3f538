// Never fetched: blocked.js fails on its "blocked" specifier before its imports are fetched.
