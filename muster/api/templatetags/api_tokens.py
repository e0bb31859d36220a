"""The API tokens panel of the security page."""

from django import template

from muster.accounts import access

register = template.Library()


@register.inclusion_tag("api/_tokens_panel.html", takes_context=True)
def api_tokens_panel(context):
    user = context["request"].user
    return {"tokens": access.manageable_tokens(user).filter(revoked_at__isnull=True)}
