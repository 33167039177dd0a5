from leadline.accounts.models import Company
from leadline.interactions.services import change_status
from tests.builders import make_interaction


def test_a_new_interaction_starts_in_started(company: Company) -> None:
    interaction = make_interaction(company)
    assert interaction.status_label == "Started"
    change_status(interaction=interaction, to="active.hot")
    assert interaction.status_label == "Active: Hot"
    assert interaction.events.count() == 2
