"""Date formats where Django's Vietnamese ones read awkwardly (FORMAT_MODULE_PATH)."""
