import pytest

from leadline.kit.phone import phone_region


@pytest.mark.parametrize(
    ("number", "state"),
    [
        ("+15125550143", "TX"),  # "Texas"
        ("+12105550143", "TX"),  # "San Antonio, TX"
        ("+12125550143", "NY"),  # "New York, NY"
        ("+12065550143", "WA"),  # "Washington State"
        ("+12025550143", "DC"),  # "Washington D.C."
    ],
)
def test_the_state_of_a_number_comes_from_its_area_code(number: str, state: str) -> None:
    assert phone_region(number) == state
