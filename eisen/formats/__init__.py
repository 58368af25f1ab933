"""Date formats of the app where they differ from Django's for a locale (FORMAT_MODULE_PATH)."""
