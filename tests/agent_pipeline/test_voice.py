"""The Voice Agent: a call per touch, the transcript kept as turns, the same rules."""

from __future__ import annotations

from leadline.accounts.models import Company
from leadline.campaigns.models import Campaign
from leadline.campaigns.services import start_campaign_for_lead
from leadline.channels.services import end_call, live_call, receive_call_turn
from leadline.channels.simulator import SimulatorProvider
from leadline.compliance.models import OptOut
from leadline.interactions.models import Author, Call, Interaction, InteractionEvent
from leadline.simulation.runner import VirtualWorker
from tests.builders import make_lead


def called(shop: Company, campaign: Campaign, worker: VirtualWorker) -> tuple[Interaction, Call]:
    interaction = start_campaign_for_lead(
        lead=make_lead(shop, note="garage door opener"), campaign=campaign
    )
    worker.run_due()
    call = live_call(interaction)
    assert call is not None
    return interaction, call


def say(call: Call, worker: VirtualWorker, text: str) -> None:
    receive_call_turn(call=call, text=text)
    worker.run_due()


def test_the_first_touch_places_a_call_and_speaks_the_opening(
    shop: Company, voice_campaign: Campaign, worker: VirtualWorker, provider: SimulatorProvider
) -> None:
    interaction, call = called(shop, voice_campaign, worker)
    [opening] = call.turns.all()
    assert opening.speaker == Author.AGENT
    assert "Lone Star Comfort Pros" in opening.text
    assert [s.kind for s in provider.sent] == ["call", "say"]
    interaction.refresh_from_db()
    assert interaction.touches_sent == 1


def test_a_call_books_like_a_text_conversation(
    shop: Company, voice_campaign: Campaign, worker: VirtualWorker
) -> None:
    interaction, call = called(shop, voice_campaign, worker)
    say(call, worker, "Yes, the opener stopped working. Can someone come out?")
    say(call, worker, "The earliest time is fine")
    interaction.refresh_from_db()
    assert interaction.status_label == "Converted: Agent"
    speakers = list(call.turns.order_by("seq").values_list("speaker", flat=True))
    assert speakers == ["agent", "lead", "agent", "lead", "agent"]


def test_saying_stop_on_a_call_opts_out_and_ends_the_call(
    shop: Company, voice_campaign: Campaign, worker: VirtualWorker
) -> None:
    interaction, call = called(shop, voice_campaign, worker)
    say(call, worker, "stop calling me")
    interaction.refresh_from_db()
    call.refresh_from_db()
    assert interaction.status_label == "Opt-out"
    assert OptOut.objects.filter(company=shop, phone="+15125550143", active=True).exists()
    assert call.outcome == Call.Outcome.COMPLETED
    assert call.turns.order_by("-seq")[0].speaker == Author.SYSTEM


def test_words_spoken_to_opt_out_stay_in_the_transcript_not_on_the_timeline(
    shop: Company, voice_campaign: Campaign, worker: VirtualWorker
) -> None:
    interaction, call = called(shop, voice_campaign, worker)
    say(call, worker, "stop calling me, my ex-wife Jane gave you this number")
    interaction.refresh_from_db()
    assert interaction.status_label == "Opt-out"
    # Every viewer reads the timeline and the summary; only listeners read what was said
    # (the call's own events, which carry the turns, are shown to listeners only).
    details = list(
        InteractionEvent.objects.filter(lead_id=interaction.lead_id)
        .exclude(kind=InteractionEvent.Kind.CALL)
        .values_list("detail", flat=True)
    )
    assert "The lead opted out on a call" in details
    assert not [detail for detail in details if "Jane" in detail]
    assert "Jane" not in interaction.summary
    assert call.turns.filter(text__contains="Jane").exists()


def test_an_unanswered_call_is_followed_up_by_the_next_call(
    shop: Company, voice_campaign: Campaign, worker: VirtualWorker
) -> None:
    from datetime import timedelta

    interaction, call = called(shop, voice_campaign, worker)
    end_call(call=call)
    call.refresh_from_db()
    assert call.outcome == Call.Outcome.NO_ANSWER
    worker.advance(timedelta(hours=1))
    assert Call.objects.filter(interaction=interaction).count() == 2


def test_a_call_that_cannot_connect_fails_the_interaction(
    shop: Company, voice_campaign: Campaign, worker: VirtualWorker
) -> None:
    interaction, call = called(shop, voice_campaign, worker)
    end_call(call=call, outcome=Call.Outcome.FAILED, error_code="21214")
    interaction.refresh_from_db()
    assert interaction.status_label == "Failed"
