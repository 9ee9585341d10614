"""Editors' admin for articles, claims, evidence and the (read-only) audit trail. Ingest and
proposed claims are intake's (intake/admin.py extends the article admin).

Status changes from here go through `claims.services` like everywhere else.

One module per admin concern; importing them here registers them (Django imports
`claims.admin`): `article` (articles and their claims' spans), `claim` (claims, their
evidence and status changes, the audit trail), `evidence` (sources and their publishers),
`classification` (requests to classify a publisher), `webhooks` (endpoints and the delivery
log), `consumers` (API consumers and their tokens, issue 25).
"""

from claims.admin import article, claim, classification, consumers, evidence, webhooks  # noqa: F401
