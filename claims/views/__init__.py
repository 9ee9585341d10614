"""The desk's pages: `desk` (the review queue, the claim page and its htmx fragments),
`report` (the vetted article, public once published), `embed` (status badges for the
newsroom's site) and `dashboard` (the editors' charts)."""
