"""The configuration: finding and reading it (`files`), its options as frozen dataclasses
(`options`), validation with JSON paths (`parse`) and relbot's own `values` section (`values`)."""
