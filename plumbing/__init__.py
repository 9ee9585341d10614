"""What every app shares and no app owns: API base classes, parsers and request-size limits,
token authentication, throttling, permissions, retry backoff, admin links, compiled row
reads and the embedded broker's transport. It imports no app and nothing of the project's
wiring (`reex`); settings come through `django.conf`."""
