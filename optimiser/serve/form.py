"""The scenario form, described from ``scenario.RULES`` and the data: one field per scenario key.

The page builds its inputs from this description by kind (a number with its bounds, a checkbox, a choice,
a set of names, a table of weights, export controls, an equipment delay; any other kind as a JSON text box),
so a key added to ``RULES`` appears in the form with no change here. What the data adds is the names a key
may take (demand cases, countries, elements, stockpile elements, substitution options, candidate projects);
a key the data names nothing for takes free text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import MISSING, fields

from ..inputs.data import InputData
from ..inputs.schema import BUILT_STATUSES, STAGES
from ..scenario import RULES, Scenario

MAIN_KEYS: tuple[str, ...] = (
    "budget_busd", "yearly_cap_fraction", "lead_time_shift_years", "capex_multiplier", "demand_multiplier",
    "demand_case", "objective", "export_controls", "partner_countries",
)
"""The keys shown first, in this order (the planner's usual levers); every other key follows under 'More
settings' in the order of RULES."""

BUDGET_SLIDER_BUSD: tuple[float, float, float] = (0.0, 30.0, 0.1)
"""The budget slider's range and step (US$ billion); the number beside it takes any budget RULES allows."""


def _names(data: InputData) -> dict[str, list[str]]:
    """The names the data offers for the keys that take names (a key's own ``choices`` come first)."""
    countries = [str(name) for name in data.countries["country"]]
    candidates = list(dict.fromkeys(str(name) for name, status in zip(data.projects["project"], data.projects["status"])
                                    if status in BUILT_STATUSES))  # projects.csv has a row per stage of a project
    return {
        "demand_case": data.demand_cases,
        "partner_countries": countries,
        "bloc_add": countries,
        "bloc_remove": countries,
        "risk_weights": countries,
        "element_weights": data.element_names,
        "stockpile_elements": [str(name) for name in data.stockpile["element"]],
        "substitution_options": [str(name) for name in data.substitution["option"]],
        "failed_projects": candidates,
        "export_controls.elements": data.element_names,
        "equipment_delay.stages": list(STAGES),
        "equipment_delay.projects": candidates,
    }


def _data_weights(data: InputData) -> dict[str, dict[str, float]]:
    """The weight each name has in the data, for the weight tables' keys (a name added to a table starts there)."""
    def table(frame, name: str, column: str) -> dict[str, float]:
        return {str(key): float(value) for key, value in zip(frame[name], frame[column]) if value == value}

    return {
        "element_weights": table(data.elements, "element", "weight"),
        "stage_weights": table(data.stages, "stage", "weight"),
        "risk_weights": table(data.countries, "country", "risk_weight"),
    }


def _defaults() -> dict[str, object]:
    """Each scenario field's default as plain JSON (``None``: unset, the data's value applies)."""
    values: dict[str, object] = {}
    for item in fields(Scenario):
        value = item.default_factory() if item.default_factory is not MISSING else item.default
        if value is MISSING:
            value = None
        values[item.name] = list(value) if isinstance(value, tuple) else dict(value) if isinstance(value, Mapping) else value
    return values


def form_schema(data: InputData) -> dict:
    """Every scenario key with what the form needs to draw and bound its input, plus the data's names."""
    names = _names(data)
    defaults = _defaults()
    order = list(MAIN_KEYS) + [key for key in RULES if key not in MAIN_KEYS]
    described = []
    for key in order:
        rule = RULES[key]
        described.append({
            "key": key,
            "kind": rule.kind,
            "optional": rule.optional,
            "min": rule.minimum,
            "max": rule.maximum,
            "min_exclusive": rule.minimum_exclusive,
            "choices": list(rule.choices) if rule.choices is not None else names.get(key),
            "description": rule.description,
            "default": defaults.get(key),
            "structural": rule.structural,
            "main": key in MAIN_KEYS,
        })
    partners = sorted(str(name) for name in data.countries.loc[data.countries["partner"], "country"])
    return {
        "fields": described,
        "names": names,
        "data_weights": _data_weights(data),
        "partners": partners,
        "restricted": data.restricted_elements,
        "stages": list(STAGES),
        "years": [data.first_year, data.last_year],
        "default_demand_case": data.default_demand_case,
        "budget_slider": list(BUDGET_SLIDER_BUSD),
    }
