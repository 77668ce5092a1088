from django.db import models


class ReferenceCounter(models.Model):
    """Hands out human references (CON-2026-000123) without gaps or repeats."""

    prefix = models.CharField(max_length=8)
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="unique_reference_counter")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last_value}"


class ApiTokenUse(models.Model):
    """When and from where an API token was last used, for the idle timeout, the
    account page and the once-a-day audit row of its use (safeguard/core/api_tokens.py)."""

    token = models.OneToOneField(
        "authtoken.Token", primary_key=True, on_delete=models.CASCADE, related_name="use"
    )
    last_used_at = models.DateTimeField()
    last_used_from = models.GenericIPAddressField(null=True, blank=True)
    # The day of the last audit row of this token's use: the first use each day
    # writes one (a conditional UPDATE of this field decides which request).
    audited_on = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Token of {self.token.user_id} last used {self.last_used_at:%Y-%m-%d %H:%M}"
