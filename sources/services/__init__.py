"""Writes on sources, by what they change:

snapshots  one archive attempt's state machine: reserve, stored, extracted, failed (and the
           helpers every write shares: Outcome, storable, the state-written signal)
requests   requests for work that queue the archive task: new snapshots, re-checks, retries,
           re-archives, browser re-captures
sweep      the periodic sweep's finding, marking and giving up on stuck snapshots
"""
