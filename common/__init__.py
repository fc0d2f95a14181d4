"""The bottom layer: what every Klasgenoot package shares (error base, paths)."""
