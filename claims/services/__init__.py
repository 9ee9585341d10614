"""Writes on claims, one module per thing they change (import from the module itself):

- `status`: deciding a claim (`claim_set_status`, the only writer of `Claim.status` and
  `Claim.version`) and holding it (take, assign, release), with the exceptions a refused
  decision raises.
- `evidence`: checking and attaching a source URL, and a source's next steps (retry its
  archiving, replace its URL, remove it).
- `classification`: who publishes an evidence URL (an editor's classification, the requests
  for one, the resync when the domain register changes).
- `archiving`: what an archived or vanished snapshot changes on evidence.
- `webhooks`: queueing the status-change notifications (imports claims.tasks).
- `delivery`: one delivery attempt (claims.tasks calls it; it imports no task).
- `consumers`: API consumers and their tokens.
- `creation`: claims created from a span of an article, and their figure index.
- `reports`: the vetting report's publication.
"""
