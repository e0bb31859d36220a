"""Template filters that show the label of an engine key: `{{ line.topics|topics }}`."""

from django import template
from django.utils.html import format_html_join

from muster.agencies.compliance import words
from muster.tabular import cells

register = template.Library()


@register.filter
def topics(value) -> str:
    """["implicit-bias", "firearms"] -> "Implicit bias, Firearms skill development"."""
    return words.topics_in_words(value or ())


@register.filter
def status_words(value) -> str:
    """A status key as a reader says it: "at-risk" -> "at risk"."""
    return str(value or "").replace("-", " ")


@register.filter
def attributes(value) -> str:
    """License attributes by what they mean: "Has authority to enforce traffic laws"."""
    labels = dict(words.attribute_choices())
    return ", ".join(words.short_label(labels.get(key, key)) for key in value or ())


@register.filter
def area(value) -> str:
    return words.area_label(value or "")


@register.filter
def requirements(value) -> str:
    """Requirement ids -> their labels, or "every requirement" for none."""
    if not value:
        return "every requirement"
    return "; ".join(words.requirement_label(key) for key in value)


@register.filter
def discipline(value) -> str:
    from muster.agencies.choices import Discipline

    return str(Discipline(value).label) if value in Discipline.values else value


@register.simple_tag
def lines_in_words(explanations, mandate) -> str:
    """One `<li>` per line explained (`words.line_in_words`), built in one pass:
    a long history has hundreds of lines, and a template loop with a tag per
    line took several times as long as the words themselves."""
    return format_html_join(
        "",
        "<li>{}</li>",
        ((words.line_in_words(explanation, mandate),) for explanation in explanations),
    )


@register.filter
def uncertain_beside(mandate, result) -> tuple[str, ...]:
    """What the mandate file says the sources leave open about one requirement's
    result (its requirement, and the value governing its period):
    `{% for note in m.mandate|uncertain_beside:r %}`."""
    return mandate.uncertain_in_period(result.id, result.period)


@register.filter
def breaks(value) -> str:
    """(left, back) pairs -> "2015-03-01 to 2017-06-30; 2019-01-01 to 2019-04-01"."""
    return cells.breaks_text(value or ())
