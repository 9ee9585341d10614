"""Writes of intake: `proposals` (generated, accepted, merged, rejected) and `articles`
(ingested from a URL or a file)."""
