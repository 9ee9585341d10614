"""The choices of the claims models' fields (also `Claim.Status`, `Claim.Kind`,
`Evidence.Stance`, `WebhookDelivery.Outcome`)."""

from django.db import models


class ClaimStatus(models.TextChoices):
    UNREVIEWED = "unreviewed", "Unreviewed"
    IN_REVIEW = "in_review", "In review"
    STATE_SOURCED = "state_sourced", "State-sourced"
    INDEPENDENTLY_VERIFIED = "independently_verified", "Independently verified"
    DISPUTED = "disputed", "Disputed"
    UNVERIFIABLE = "unverifiable", "Unverifiable"


class ClaimKind(models.TextChoices):
    FIGURE = "figure", "Figure"
    OWNERSHIP = "ownership", "Ownership / control"
    EVENT = "event", "Event"
    PLAN = "plan", "Plan / forecast"


class EvidenceStance(models.TextChoices):
    SUPPORTS = "supports", "Supports"
    ECHOES = "echoes", "Echoes the claimant"
    REFUTES = "refutes", "Refutes"
    CONTEXT = "context", "Context"


class WebhookDeliveryOutcome(models.TextChoices):
    DELIVERED = "delivered", "Delivered"
    RETRYING = "retrying", "Failed, will retry"
    GAVE_UP = "gave_up", "Failed, gave up"
    # The broker was down when the status changed: the sweep queues it when the broker is back.
    UNQUEUED = "unqueued", "Not queued yet (broker down)"
    REQUEUED = "requeued", "Queued by the sweep"
