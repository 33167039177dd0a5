"""The job types Leadline knows, and the trade whose capacity each one uses."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class JobType:
    code: str
    label: str
    trade: str


JOB_TYPES: dict[str, JobType] = {
    jt.code: jt
    for jt in [
        JobType("ac_repair", "AC repair", "hvac"),
        JobType("heating_repair", "Heating repair", "hvac"),
        JobType("hvac_tune_up", "HVAC tune-up", "hvac"),
        JobType("hvac_replacement_estimate", "HVAC replacement estimate", "hvac"),
        JobType("leak_repair", "Leak repair", "plumbing"),
        JobType("drain_cleaning", "Drain cleaning", "plumbing"),
        JobType("toilet_repair", "Toilet repair", "plumbing"),
        JobType("water_heater_repair", "Water heater repair", "plumbing"),
        JobType(
            "water_heater_replacement_estimate", "Water heater replacement estimate", "plumbing"
        ),
        JobType("electrical_repair", "Electrical repair", "electrical"),
        JobType("panel_upgrade_estimate", "Panel upgrade estimate", "electrical"),
        JobType("ev_charger_estimate", "EV charger estimate", "electrical"),
        JobType("garage_door_repair", "Garage door repair", "garage_doors"),
        JobType("garage_door_opener", "Garage door opener", "garage_doors"),
        JobType(
            "garage_door_replacement_estimate", "Garage door replacement estimate", "garage_doors"
        ),
    ]
}

JOB_TYPE_CHOICES = [(jt.code, jt.label) for jt in JOB_TYPES.values()]


def trade_of(job_type: str) -> str:
    """The trade whose arrival windows a job type books; unknown types raise KeyError."""
    return JOB_TYPES[job_type].trade


def label_of(job_type: str) -> str:
    jt = JOB_TYPES.get(job_type)
    return jt.label if jt else job_type.replace("_", " ").capitalize()
