"""Kinds and scopes of API tokens."""

from django.db import models


class TokenKind(models.TextChoices):
    PERSONAL = "personal", "Personal (acts with your own roles)"
    SERVICE = "service", "Agency service (for another system of one agency)"


class TokenAccess(models.TextChoices):
    READ = "read", "Read only"
    WRITE = "write", "Read and write"
