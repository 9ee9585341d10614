"""What claims announce to the rest of the project (sent by claims.services).

* `claim_status_changed(claim_id, article_id)`: a decision committed (sent from the deciding
  transaction's `on_commit`, so a receiver reads the new status). The public report's cache
  (claims/views/report.py) drops the article's page on it.
* `report_publication_changed(article_id)`: a report was published or withdrawn; sent at once
  and again once the transaction commits (a reader between the two may cache the old state
  again: the second drops it), so a withdrawn report is gone for readers at once.
"""

from django.dispatch import Signal

claim_status_changed = Signal()
report_publication_changed = Signal()
