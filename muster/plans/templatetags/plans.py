"""Template helpers for plans."""

from django import template

register = template.Library()


@register.filter
def cost(option, hour_value):
    """An option's cost at `hour_value` dollars an hour away from duty."""
    return option.cost(hour_value)
