"""/api/v1/leads: lead intake, reading leads, and what a person does on a lead.

Handlers stay thin: parse (the schemas), check the permission, call one service or
selector, shape the answer. Reading needs View Customer Chats; acting needs Send
Message as well, as on the lead record.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field as NinjaField
from ninja import Query, Router, Status

from leadline.accounts.roles import SEND_MESSAGE, VIEW_CUSTOMER_CHATS
from leadline.api import selectors, shapes
from leadline.api.auth import company_of, needs
from leadline.api.errors import COMMON_ERRORS, ApiError, from_domain
from leadline.api.schemas import (
    MAX_ID,
    Input,
    LeadIn,
    LeadOut,
    LeadPage,
    MessageIn,
    MessageOut,
    NoteIn,
    NoteOut,
    TaskIn,
    TaskOut,
)
from leadline.campaigns.intake import take_in_lead
from leadline.crm import selectors as crm_selectors
from leadline.crm import services as crm_services
from leadline.kit.errors import DomainError, NotFound
from leadline.kit.phone import parse_phone

router = Router(tags=["leads"])


class LeadFilters(Input):
    phone: str | None = NinjaField(
        None, max_length=40, description="Only leads with this number (any common US form)."
    )
    cursor: str | None = NinjaField(None, max_length=20, description="next_cursor of a page.")
    limit: int = NinjaField(50, ge=1, le=200)


def _cursor(text: str | None) -> int | None:
    if text is None:
        return None
    if not text.isdigit() or not 0 < int(text) <= MAX_ID:
        raise ApiError(422, "cursor: use the next_cursor of the previous page.", field="cursor")
    return int(text)


@router.post(
    "/leads",
    response={200: LeadOut, 201: LeadOut, **COMMON_ERRORS},
    operation_id="createLead",
    summary="Create a lead (and start Speed to Lead)",
)
def create_lead(request: HttpRequest, payload: LeadIn) -> Status[LeadOut]:
    """Record a lead and start its campaign: 201. The same phone while a conversation of the
    same campaign is still going returns that lead instead: 200, and nothing new starts."""
    needs(request, VIEW_CUSTOMER_CHATS, SEND_MESSAGE)
    company = company_of(request)
    try:
        intake = take_in_lead(
            company=company,
            phone=payload.phone,
            campaign_id=payload.campaign,
            source=payload.source,
            first_name=payload.first_name,
            last_name=payload.last_name,
            email=payload.email,
            zip=payload.zip,
            address=payload.address,
            note=payload.note,
        )
    except NotFound:
        raise ApiError(
            422, "campaign: your company has no campaign with this id.", field="campaign"
        ) from None
    except DomainError as exc:
        raise from_domain(exc) from exc
    lead = selectors.lead_with_interactions(company=company, lead_id=intake.lead.pk)
    return Status(201 if intake.created else 200, shapes.lead(lead))


@router.get(
    "/leads",
    response={200: LeadPage, **COMMON_ERRORS},
    operation_id="listLeads",
    summary="List leads, or search them by phone",
)
def list_leads(request: HttpRequest, filters: Query[LeadFilters]) -> LeadPage:
    """The company's leads, newest first, a page at a time."""
    needs(request, VIEW_CUSTOMER_CHATS)
    phone = None
    if filters.phone is not None:
        phone = parse_phone(filters.phone).e164
        if phone is None:
            raise ApiError(422, "phone: this is not a phone number.", field="phone")
    rows, following = selectors.lead_page(
        company=company_of(request), phone=phone, after=_cursor(filters.cursor), limit=filters.limit
    )
    return LeadPage(
        items=[shapes.lead(row) for row in rows],
        next_cursor=str(following) if following is not None else None,
    )


@router.get(
    "/leads/{lead_id}",
    response={200: LeadOut, **COMMON_ERRORS},
    operation_id="getLead",
    summary="Get a lead",
)
def get_lead(request: HttpRequest, lead_id: int) -> LeadOut:
    needs(request, VIEW_CUSTOMER_CHATS)
    lead = selectors.lead_with_interactions(company=company_of(request), lead_id=lead_id)
    return shapes.lead(lead)


@router.post(
    "/leads/{lead_id}/takeover",
    response={200: LeadOut, **COMMON_ERRORS},
    operation_id="takeOverLead",
    summary="Take the lead over from the agent",
)
def take_over(request: HttpRequest, lead_id: int) -> LeadOut:
    """The agent sends nothing more to this lead; its open conversations become Takeover.
    A second takeover is 409."""
    user = needs(request, VIEW_CUSTOMER_CHATS, SEND_MESSAGE)
    company = company_of(request)
    lead = crm_selectors.get_lead(company=company, lead_id=lead_id)
    crm_services.take_over_lead(lead=lead, actor=user)
    return shapes.lead(selectors.lead_with_interactions(company=company, lead_id=lead_id))


@router.post(
    "/leads/{lead_id}/messages",
    response={201: MessageOut, **COMMON_ERRORS},
    operation_id="sendMessage",
    summary="Text the lead as a person (after a takeover)",
)
def send_message(request: HttpRequest, lead_id: int, payload: MessageIn) -> Status[MessageOut]:
    """Queues a text from the token's user in the taken-over conversation; 409 before a
    takeover or for a number that opted out."""
    user = needs(request, VIEW_CUSTOMER_CHATS, SEND_MESSAGE)
    lead = crm_selectors.get_lead(company=company_of(request), lead_id=lead_id)
    message = crm_services.reply_to_lead(lead=lead, actor=user, body=payload.body)
    return Status(201, shapes.message(message))


@router.get(
    "/leads/{lead_id}/notes",
    response={200: list[NoteOut], **COMMON_ERRORS},
    operation_id="listNotes",
    summary="The lead's notes",
)
def list_notes(request: HttpRequest, lead_id: int) -> list[NoteOut]:
    needs(request, VIEW_CUSTOMER_CHATS)
    return [
        shapes.note(n) for n in selectors.lead_notes(company=company_of(request), lead_id=lead_id)
    ]


@router.post(
    "/leads/{lead_id}/notes",
    response={201: NoteOut, **COMMON_ERRORS},
    operation_id="addNote",
    summary="Add a note to the lead",
)
def add_note(request: HttpRequest, lead_id: int, payload: NoteIn) -> Status[NoteOut]:
    user = needs(request, VIEW_CUSTOMER_CHATS, SEND_MESSAGE)
    lead = crm_selectors.get_lead(company=company_of(request), lead_id=lead_id)
    note = crm_services.add_note(lead=lead, author=user, body=payload.body)
    return Status(201, shapes.note(note))


@router.get(
    "/leads/{lead_id}/tasks",
    response={200: list[TaskOut], **COMMON_ERRORS},
    operation_id="listTasks",
    summary="The lead's follow-up tasks",
)
def list_tasks(request: HttpRequest, lead_id: int) -> list[TaskOut]:
    needs(request, VIEW_CUSTOMER_CHATS)
    return [
        shapes.task(t) for t in selectors.lead_tasks(company=company_of(request), lead_id=lead_id)
    ]


@router.post(
    "/leads/{lead_id}/tasks",
    response={201: TaskOut, **COMMON_ERRORS},
    operation_id="createTask",
    summary="Assign a follow-up task on the lead",
)
def create_task(request: HttpRequest, lead_id: int, payload: TaskIn) -> Status[TaskOut]:
    user = needs(request, VIEW_CUSTOMER_CHATS, SEND_MESSAGE)
    company = company_of(request)
    lead = crm_selectors.get_lead(company=company, lead_id=lead_id)
    if selectors.teammate(company=company, user_id=payload.assignee_id) is None:
        raise ApiError(
            422, "assignee_id: no active teammate of your company has this id.", field="assignee_id"
        )
    task = crm_services.create_task(
        lead=lead,
        actor=user,
        title=payload.title,
        assignee_id=payload.assignee_id,
        due_date=payload.due_date,
    )
    return Status(201, shapes.task(task))


@router.post(
    "/leads/{lead_id}/tasks/{task_id}/complete",
    response={200: TaskOut, **COMMON_ERRORS},
    operation_id="completeTask",
    summary="Mark a follow-up task done",
)
def complete_task(request: HttpRequest, lead_id: int, task_id: int) -> TaskOut:
    """Needs Send Message, except for the task's own assignee. A done task is 409."""
    user = needs(request, VIEW_CUSTOMER_CHATS)
    task = crm_selectors.get_task(company=company_of(request), lead_id=lead_id, task_id=task_id)
    if task.assignee_id != user.pk:
        needs(request, SEND_MESSAGE)
    return shapes.task(crm_services.complete_task(task=task, actor=user))
