"""Labels and hints of the example's fields, statuses and decisions, for the workflow's
pages (translated where shown)."""

from __future__ import annotations


def _l(message: str) -> str:
    return message


FIELD_LABELS: dict[str, str] = {
    "title": _l("Title"),
    "summary": _l("Summary"),
    "background": _l("Background"),
    "method": _l("Method"),
    "child_participation": _l("Children's participation"),
    "results": _l("Results"),
    "lessons_learned": _l("Lessons learned"),
    "adaptations": _l("Adaptations"),
    "trade_offs": _l("Trade-offs"),
    "transferability": _l("Transferability"),
    "articles": _l("Articles of the Convention"),
    "sectors": _l("Sectors"),
    "target_groups": _l("Target groups"),
    "age_groups": _l("Age groups"),
    "organisation_name": _l("Organisation"),
    "organisation_type": _l("Type of organisation"),
    "county_code": _l("County"),
    "municipality_code": _l("Municipality"),
    "start_year": _l("Start year"),
    "end_year": _l("End year"),
    "duration_months": _l("Duration (months)"),
    "effort_hours": _l("Effort (working hours)"),
    "cost_sek": _l("Cost (SEK)"),
    "contact_name": _l("Contact person"),
    "contact_email": _l("Contact email"),
    "links": _l("Links"),
}

FIELD_HINTS: dict[str, str] = {
    "title": _l("5–200 characters. Say what was done, not only the project's name."),
    "summary": _l("At most 600 characters: what, for whom, and what came of it."),
    "background": _l("Why the work was needed. Markdown is allowed."),
    "method": _l("What you did, in what order and with whom. At least 300 characters."),
    "child_participation": _l("How children's views were gathered and what weight they were given."),
    "results": _l("What changed, with follow-up where you have it."),
    "lessons_learned": _l("What you would do the same way, and what differently. At least 150 characters."),
    "adaptations": _l("What you changed along the way."),
    "trade_offs": _l("What you weighed against each other, and what you chose."),
    "transferability": _l("What another municipality needs to repeat it."),
    "links": _l("Full addresses starting with http:// or https://."),
    "duration_months": _l("How many months the work ran."),
    "effort_hours": _l("Roughly how many working hours it took in total."),
}

# Free-text fields written in Markdown, in form order.
MARKDOWN_FIELDS: tuple[str, ...] = (
    "background", "method", "child_participation", "results", "lessons_learned", "adaptations",
    "trade_offs", "transferability",
)

STATUS_LABELS: dict[str, str] = {
    "draft": _l("Draft"),
    "submitted": _l("Awaiting review"),
    "changes_requested": _l("Changes requested"),
    "published": _l("Published"),
    "rejected": _l("Not approved"),
    "withdrawn": _l("Withdrawn"),
}

ACTION_LABELS: dict[str, str] = {
    "created": _l("Draft created"),
    "revision_started": _l("Revision started"),
    "submitted": _l("Submitted for review"),
    "imported": _l("Imported for review"),
    "request_changes": _l("Changes requested"),
    "reject": _l("Not approved"),
    "published": _l("Approved and published"),
    "withdrawn": _l("Withdrawn"),
    "commented": _l("Comment"),
    "imported_published": _l("Imported and published"),
}

DECISION_LABELS: dict[str, str] = {
    "approve": _l("Approve and publish"),
    "request_changes": _l("Request changes"),
    "reject": _l("Reject"),
}

JUDGEMENT_LABELS: dict[str, str] = {
    "met": _l("Met"),
    "not_met": _l("Not met"),
    "not_applicable": _l("Not applicable"),
}

KIND_LABELS: dict[str, str] = {
    "new": _l("New example"),
    "revision": _l("Revision"),
}

TAXONOMY_LABELS: dict[str, str] = {
    "sectors": _l("Sectors"),
    "target-groups": _l("Target groups"),
    "articles": _l("Articles of the Convention"),
}
