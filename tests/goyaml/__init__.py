"""go-yaml v2, the YAML reader Helm uses, as a test oracle (`helmread.go` and its Python wrapper)."""
