"""Mail filled from a template's skeleton is, byte for byte, what Jinja2 renders."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from jinja2 import DictLoader, Environment, StrictUndefined, select_autoescape

from notifications import content as mail_content
from notifications.content import ReminderContent, render_mail
from notifications.skeletons import Skeletons

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)


def reminder(**changes: object) -> ReminderContent:
    """A reminder whose values need escaping in HTML and encoding in headers."""
    base = ReminderContent(
        dedup_key="r-1-d7-email",
        rung="d7",
        recipient_role="responsible",
        language="da",
        recipient_name='Ærø "Kommune" & <Co>',
        recipient_email="opi@aeroe.dk",
        case_id=17,
        case_title="Demens & velfærd <pilot> 'ét'",
        case_state="pilot",
        deadline_id=4,
        deadline_kind="midterm_evaluation",
        deadline_title="Midtvejsevaluering {{ x }}",
        deadline_revision=2,
        due_at=NOW + timedelta(days=7),
        responsible_organisation_id=3,
        responsible_name="Furesø  Kommune\nlinje",
        overdue=False,
        days_left=7,
        what_is_due="Gennemfør <b>midtvejsevalueringen</b>.",
        case_url="https://opi.example/api/v1/cases/17",
        ack_url="https://opi.example/api/v1/ack?token=a&b",
        page_url='https://opi.example/ui/cases/17?deadline=4&x="y"',
        ack_page_url="https://opi.example/ui/ack?token=a&b",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def jinja_rendered(c: ReminderContent) -> tuple[str, str, str]:
    env, variables, lang = mail_content._env, c.template_vars(), c.language
    subject = env.get_template(f"subject.{lang}.txt").render(variables)
    return (
        " ".join(subject.split()),
        env.get_template(f"reminder.{lang}.txt").render(variables),
        env.get_template(f"reminder.{lang}.html").render(variables),
    )


CASES = [
    pytest.param({}, id="da-ahead"),
    pytest.param({"language": "en"}, id="en-ahead"),
    pytest.param({"days_left": 1}, id="tomorrow"),
    pytest.param({"days_left": 0, "language": "en"}, id="today"),
    pytest.param({"overdue": True, "days_left": -3}, id="overdue"),
    pytest.param({"overdue": True, "days_left": -5, "rung": "esc2"}, id="escalation"),
    pytest.param({"overdue": True, "rung": "esc1", "language": "en"}, id="escalation-en"),
]


@pytest.mark.parametrize("changes", CASES)
def test_filled_mail_is_jinja_s(changes: dict[str, object]) -> None:
    first = reminder(**changes)
    second = replace(first, case_title="Fald & <søvn>", recipient_name="B & C", case_id=99)
    for c in (first, second, first):  # the first builds the skeleton; the others fill it
        rendered = render_mail(c)
        assert (rendered.subject, rendered.text, rendered.html) == jinja_rendered(c)


def test_a_template_branching_on_a_value_falls_back_to_jinja() -> None:
    template = "{% if c.case_title == 'x' %}X{% endif %}<p>{{ c.case_title }}</p>"
    env = Environment(
        loader=DictLoader({"t.html": template}),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
    )
    skeletons = Skeletons(env)
    for title in ("x", "y & z", "x"):  # "x" first: its skeleton misses "X" and is refused
        variables = {"c": reminder(case_title=title), "escalation": False}
        assert skeletons.render("t.html", variables) == env.get_template("t.html").render(variables)
