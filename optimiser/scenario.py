"""A scenario: the settings of one run on top of the input tables, validated and frozen.

A scenario is read from a TOML file (or a mapping, or overrides on another scenario). Unknown keys are
rejected with a "did you mean" hint, every value is checked for type and range, and all problems are raised
together as one :class:`~optimiser.errors.InputError` naming the file and the key (dotted for nested keys,
``export_controls[0].fraction``, indices from 0), with the line where it can be found. Checks that need the
data (element, stage and country names, years) are in :meth:`Scenario.check_against`.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import InputError, InputIssue
from .inputs.schema import BUILT_STATUSES, COFINANCE_INSTRUMENTS, STAGES
from .toml_file import (
    FileFor,
    describe_value,
    did_you_mean,
    read_toml,
    toml_key,
    toml_value,
    unknown_keys,
    with_key_lines,
)

if TYPE_CHECKING:
    from .inputs.data import InputData

logger = logging.getLogger(__name__)


def _missing_cell(value: object) -> bool:
    """A missing cell of a typed input table (``None`` or NaN)."""
    return value is None or (isinstance(value, float) and math.isnan(value))

OBJECTIVES: tuple[str, ...] = ("weighted", "peak", "restricted", "final_year")
"""The named objectives (MODEL.md, "Dependence")."""

OVERRIDES_SOURCE = "<overrides>"
"""The file name issues carry for values given in code or on the command line rather than in a file."""

SCENARIO_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,99}")
"""A name that can be a results directory: letters, digits, '_', '-', '.'; at most 100 characters (file systems
stop at 255, and `evaluate` joins two names)."""
"""A scenario name is a results directory name: no path separators, no leading dot."""

EXPORT_CONTROL_KEYS: tuple[str, ...] = ("elements", "start_year", "end_year", "fraction")

STOCKPILE_KEYS: tuple[str, ...] = (
    "stockpile_elements", "stockpile_first_buy_year", "stockpile_max_cover_years", "stockpile_min_cover_years",
)
"""The stockpile's settings besides ``stockpile`` itself (they do nothing while it is false)."""

RARE_EARTHS: frozenset[str] = frozenset(
    ("Sc", "Y", "La", "Ce", "Pr", "Nd", "Pm", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb", "Lu")
)
"""The seventeen rare-earth elements: an export control may name one the data does not carry (it is skipped
with a warning); any other unknown name is an error."""

EQUIPMENT_DELAY_KEYS: tuple[str, ...] = ("years", "stages", "projects")
MAX_EQUIPMENT_DELAY_YEARS = 20
"""The longest equipment delay a scenario may set (as the largest lead-time shift)."""


class FrozenMapping(Mapping[str, float]):
    """A read-only, hashable, picklable ``str → float`` mapping (``MappingProxyType`` cannot be pickled to
    sweep workers, nor hashed)."""

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[str, float] | Iterable[tuple[str, float]] = ()) -> None:
        self._items: dict[str, float] = dict(items)

    def __getitem__(self, key: str) -> float:
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return hash(frozenset(self._items.items()))

    def __repr__(self) -> str:
        return f"FrozenMapping({self._items!r})"

    def __reduce__(self) -> tuple[type, tuple[dict[str, float]]]:
        return FrozenMapping, (self._items,)


@dataclass(frozen=True)
class _Rule:
    """How one scenario key is checked (its kind, whether it may be absent (None), its range) and what it is.

    ``label``: the key names or describes the run and changes no result, so it takes no part in the scenario
    id and a sweep cannot vary it. ``structural``: the key changes the model's shape (its sets, variables or
    objective), so a sweep builds one model per value instead of re-solving with new parameter values.
    ``shapes_builds``: the key changes the build decisions themselves (their years, projects or domain), so
    the scenarios of a robust portfolio, which share one set of builds, must agree on it (the objective is
    structural but not of the builds: each scenario of a robust portfolio keeps its own).
    """

    kind: str
    optional: bool = False
    minimum: float | None = None
    minimum_exclusive: bool = False
    maximum: float | None = None
    choices: tuple[str, ...] | None = None
    description: str = ""
    label: bool = False
    structural: bool = False
    shapes_builds: bool = False

    def __post_init__(self) -> None:
        if self.shapes_builds and not self.structural:
            raise ValueError("a field that shapes the build decisions is structural")
        if self.label and self.structural:
            raise ValueError("a label changes no result, so it cannot be structural")


YEARS = (1900, 2200)
"""Calendar years a scenario may name (horizon, export controls); the data's own years are checked later."""

MAX_COVER_YEARS = 10.0
"""Largest stockpile cover a scenario may ask for, in years of ROW requirement (national stockpiles hold months)."""

WEIGHT_MAXIMUM = 1000.0
"""Largest element or stage weight: weights are relative, and a ratio above 1000 only degrades the numerics."""

RULES: dict[str, _Rule] = {
    "name": _Rule("name", description="results directory name", label=True),
    "description": _Rule("str", label=True),
    "budget_busd": _Rule("float", minimum=0.0, maximum=1000.0, description="capital budget B, US$ billion"),
    "yearly_cap_fraction": _Rule("float", minimum=0.01, maximum=1.0, description="share of B spendable in a year"),
    "horizon_start": _Rule("int", optional=True, minimum=YEARS[0], maximum=YEARS[1],
                           description="first planning year (default: the data's)",
                           structural=True, shapes_builds=True),
    "horizon_end": _Rule("int", optional=True, minimum=YEARS[0], maximum=YEARS[1],
                         description="last planning year (default: the data's)", structural=True, shapes_builds=True),
    "first_decision_year": _Rule("int", optional=True, minimum=YEARS[0], maximum=YEARS[1],
                                 description="first year a new build may start; the years before it are history "
                                 "(default: the first planning year)", structural=True, shapes_builds=True),
    "lead_time_shift_years": _Rule("int", minimum=-10, maximum=20, description="years added to every lead time"),
    "capex_multiplier": _Rule("float", minimum=0.01, maximum=100.0, description="factor on every capex"),
    "demand_multiplier": _Rule("float", minimum=0.01, maximum=100.0, description="factor on all ROW demand"),
    "demand_growth_shift": _Rule("float", minimum=-0.25, maximum=0.25,
                                 description="extra yearly demand growth, a fraction (0.03 = 3 points)"),
    "demand_case": _Rule("str", optional=True,
                         description="the named demand path (a case of demand.csv; default: the data's first)"),
    "row_demand_share": _Rule("float", optional=True, minimum=0.01, maximum=1.0,
                              description="ROW share of world demand"),
    "magnet_dy_share": _Rule("float", optional=True, minimum=0.0, maximum=0.5, structural=True,
                             description="Dy share of the rare-earth content of magnets that contain Dy (default: "
                             "the recipe's)"),
    "magnet_tb_share": _Rule("float", optional=True, minimum=0.0, maximum=0.5, structural=True,
                             description="Tb share of the rare-earth content of magnets that contain Tb (default: "
                             "the recipe's)"),
    "objective": _Rule("str", choices=OBJECTIVES, structural=True),
    "unmet_weight": _Rule("float", minimum=0.1, maximum=1000.0, description="MODEL.md's K"),
    "discount_rate": _Rule("float", minimum=0.0, maximum=0.5, description="yearly rate on capex"),
    "cofinance_instruments": _Rule("strings", optional=True, choices=COFINANCE_INSTRUMENTS, structural=True,
                                   description="how builds may be financed; each build takes the allowed instrument "
                                   "whose terms (cofinance.csv) charge the budget least (default: grants only)"),
    "partner_countries": _Rule("strings", optional=True, structural=True, shapes_builds=True),
    "bloc_add": _Rule("strings", optional=True, structural=True, shapes_builds=True,
                      description="countries added to the bloc (the partners of countries.csv or partner_countries)"),
    "bloc_remove": _Rule("strings", optional=True, structural=True, shapes_builds=True,
                         description="countries taken out of the bloc: their projects are no longer funded, and their "
                         "existing supply counts in dependence at their risk weight"),
    "risk_weights": _Rule("weights", minimum=0.0, maximum=1.0, structural=True,
                          description="weight of a country's supply in dependence when it is outside the bloc"),
    "integer_builds": _Rule("bool", structural=True, shapes_builds=True),
    "tie_break": _Rule("bool"),
    "tie_break_tolerance": _Rule("float", minimum=0.0, minimum_exclusive=True, maximum=0.01,
                                 description="relative slack on the optimum in the capex tie-break"),
    "time_limit_seconds": _Rule("float", optional=True, minimum=0.0, minimum_exclusive=True, maximum=604800.0,
                                description="solver time limit for the whole run, seconds (at most a week)"),
    "element_weights": _Rule("weights", minimum=0.0, maximum=WEIGHT_MAXIMUM),
    "stage_weights": _Rule("weights", minimum=0.0, maximum=WEIGHT_MAXIMUM, choices=STAGES),
    "export_controls": _Rule("export_controls"),
    "equipment_delay": _Rule("equipment_delay", optional=True, structural=True,
                             description="years added to the lead time of the builds of the named stages and "
                             "projects (equipment export controls)"),
    "stockpile": _Rule("bool", structural=True,
                       description="a strategic stockpile: buy oxide in years without an export cap, draw it in years "
                       "with one (terms in stockpile.csv)"),
    "stockpile_elements": _Rule("strings", optional=True, structural=True,
                                description="elements the stockpile may hold (default: every element of stockpile.csv)"),
    "stockpile_first_buy_year": _Rule("int", optional=True, minimum=YEARS[0], maximum=YEARS[1], structural=True,
                                      description="first year the stockpile may buy (default: the first decision year)"),
    "stockpile_max_cover_years": _Rule("float", optional=True, minimum=0.0, maximum=MAX_COVER_YEARS, structural=True,
                                       description="largest stock, in years of the element's ROW requirement at "
                                       "separation (besides max_stock_t)"),
    "stockpile_min_cover_years": _Rule("float", optional=True, minimum=0.0, maximum=MAX_COVER_YEARS, structural=True,
                                       description="smallest stock at the end of each buying year, in years of the "
                                       "element's ROW requirement at separation"),
    "project_risk": _Rule("bool", structural=True,
                          description="every candidate delivers its capacity times its probability of success "
                          "(project_risk.csv): expected capacity"),
    "failed_projects": _Rule("strings", optional=True,
                             description="build decisions that fail (deliver nothing, whatever is spent on them): "
                             "one go/no-go outcome, drawn per sample by a sweep with project_risk = \"draw\""),
    "minimum_scale": _Rule("bool", structural=True, shapes_builds=True,
                           description="a project with a min_share (project_risk.csv) is built at 0 or at least "
                           "its min_share (binary variables: a MIP)"),
    "substitution": _Rule("bool", structural=True,
                          description="demand-reduction options (substitution.csv: thrifting, substitute magnets) "
                          "compete with builds for the budget"),
    "substitution_options": _Rule("strings", optional=True, structural=True,
                                  description="the substitution options allowed (default: every row of "
                                  "substitution.csv)"),
    "recycling_scrap_limit": _Rule("bool", structural=True, shapes_builds=True,
                                   description="recyclers' output is limited by end-of-life magnet scrap and swarf "
                                   "(recycling_scrap.csv, magnet_lifetime.csv), and generic recycling modules may "
                                   "be built"),
}
"""Every scenario key, in the order ``to_toml`` writes them; the field lists below are derived from it."""

ID_FIELDS_V1: frozenset[str] = frozenset((
    "budget_busd", "yearly_cap_fraction", "horizon_start", "horizon_end", "lead_time_shift_years",
    "capex_multiplier", "demand_multiplier", "demand_growth_shift", "row_demand_share", "objective",
    "unmet_weight", "discount_rate", "partner_countries", "integer_builds", "tie_break", "tie_break_tolerance",
    "time_limit_seconds", "element_weights", "stage_weights", "export_controls",
))
"""The keys scenario ids hashed when stored sweeps were first written; any later key enters the id only when
it differs from its default."""

LABEL_FIELDS: tuple[str, ...] = tuple(key for key, rule in RULES.items() if rule.label)
"""Keys that name or describe a run (``name``, ``description``): no part of a result or of the scenario id."""

RESULT_FIELDS: tuple[str, ...] = tuple(key for key, rule in RULES.items() if not rule.label)
"""Keys that can change a result: every key but the labels. They make the scenario id, a sweep may vary
them, and the runs table of a sweep has a column for each."""

STRUCTURAL_FIELDS: tuple[str, ...] = tuple(key for key, rule in RULES.items() if rule.structural)
"""Keys that change the model's shape: scenarios differing in them need their own built model."""

BUILD_SHAPING_FIELDS: tuple[str, ...] = tuple(key for key, rule in RULES.items() if rule.shapes_builds)
"""Keys that change the build decisions: scenarios sharing one set of builds must agree on them."""


@dataclass(frozen=True, slots=True)
class ExportControl:
    """China caps its exports of ``elements`` at ``fraction`` of ROW requirement in ``start_year..end_year``."""

    elements: tuple[str, ...]
    start_year: int
    end_year: int
    fraction: float

    def __post_init__(self) -> None:
        values, issues = _export_control_values(
            {key: getattr(self, key) for key in EXPORT_CONTROL_KEYS}, "export_controls", lambda key: "<ExportControl>"
        )
        if issues:
            raise InputError(issues)
        for key, value in values.items():
            object.__setattr__(self, key, value)

    def to_dict(self) -> dict[str, object]:
        return {"elements": list(self.elements), "start_year": self.start_year, "end_year": self.end_year,
                "fraction": self.fraction}


@dataclass(frozen=True, slots=True)
class EquipmentDelay:
    """``years`` added to the lead time of every build with a component at one of ``stages`` or named in
    ``projects``: new plants that depend on equipment under export control start producing later."""

    years: int
    stages: tuple[str, ...] = ()
    projects: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        values, issues = _equipment_delay_values(
            {"years": self.years, "stages": self.stages, "projects": self.projects}, "equipment_delay",
            lambda key: "<EquipmentDelay>",
        )
        if issues:
            raise InputError(issues)
        for key, value in values.items():
            object.__setattr__(self, key, value)

    def applies_to(self, project: str, stages: Iterable[str]) -> bool:
        """Whether a build of ``project``, with components at ``stages``, is delayed."""
        return project in self.projects or any(stage in self.stages for stage in stages)

    def to_dict(self) -> dict[str, object]:
        return {"years": self.years, "stages": list(self.stages), "projects": list(self.projects)}


@dataclass(frozen=True, slots=True)
class Scenario:
    """The settings of one run. Build it with :meth:`from_toml`, :meth:`from_dict` or :meth:`with_overrides`.

    ``source`` (the file the scenario came from) and ``overridden`` (keys changed since) only say where a
    value came from, for issues; they take no part in equality.
    """

    name: str = "base"
    description: str = ""
    budget_busd: float = 15.5
    yearly_cap_fraction: float = 0.25
    horizon_start: int | None = None
    horizon_end: int | None = None
    first_decision_year: int | None = None
    lead_time_shift_years: int = 0
    capex_multiplier: float = 1.0
    demand_multiplier: float = 1.0
    demand_growth_shift: float = 0.0
    demand_case: str | None = None
    row_demand_share: float | None = None
    magnet_dy_share: float | None = None
    magnet_tb_share: float | None = None
    objective: str = "weighted"
    unmet_weight: float = 10.0
    discount_rate: float = 0.0
    cofinance_instruments: tuple[str, ...] | None = None
    partner_countries: tuple[str, ...] | None = None
    bloc_add: tuple[str, ...] | None = None
    bloc_remove: tuple[str, ...] | None = None
    risk_weights: Mapping[str, float] = field(default_factory=FrozenMapping)
    integer_builds: bool = False
    tie_break: bool = True
    tie_break_tolerance: float = 1e-8
    time_limit_seconds: float | None = None
    element_weights: Mapping[str, float] = field(default_factory=FrozenMapping)
    stage_weights: Mapping[str, float] = field(default_factory=FrozenMapping)
    export_controls: tuple[ExportControl, ...] = ()
    equipment_delay: EquipmentDelay | None = None
    stockpile: bool = False
    stockpile_elements: tuple[str, ...] | None = None
    stockpile_first_buy_year: int | None = None
    stockpile_max_cover_years: float | None = None
    stockpile_min_cover_years: float | None = None
    project_risk: bool = False
    failed_projects: tuple[str, ...] | None = None
    minimum_scale: bool = False
    substitution: bool = False
    substitution_options: tuple[str, ...] | None = None
    recycling_scrap_limit: bool = False
    source: str = field(default="<scenario>", compare=False, repr=False)
    overridden: frozenset[str] = field(default=frozenset(), compare=False, repr=False)

    def __post_init__(self) -> None:
        values, issues = _settings_values({key: getattr(self, key) for key in RULES}, self._file_for)
        if issues:
            raise InputError(issues)
        for key, value in values.items():
            object.__setattr__(self, key, value)

    # Building ---------------------------------------------------------------------------------------------

    @classmethod
    def from_toml(cls, path: str | Path) -> Scenario:
        """Read a scenario file; ``name`` defaults to one made from the file's stem (``low.toml`` → ``low``,
        ``my low budget.toml`` → ``my_low_budget``: see :func:`name_from_file`), never to ``base``."""
        file = str(path)
        settings, text = read_toml(path, "scenario file")
        if "name" not in settings:
            derived = name_from_file(Path(path))
            if derived is None:
                raise InputError(InputIssue(
                    file, f"no 'name' key, and the file name '{Path(path).name}' leaves nothing that can name a "
                    "results directory: add name = \"...\" (letters, digits, '_', '-', '.')", column="name",
                ))
            settings["name"] = derived
        try:
            scenario = cls.from_dict(settings, source=file)
        except InputError as error:
            raise InputError(with_key_lines(error.issues, file, text)) from None
        logger.debug("read scenario %s from %s", scenario.name, file)
        return scenario

    @classmethod
    def from_dict(cls, settings: Mapping[str, object], source: str = OVERRIDES_SOURCE) -> Scenario:
        """A scenario from a mapping of scenario keys (as in the TOML file); every issue raised at once."""
        if not isinstance(settings, Mapping):
            raise InputError(InputIssue(source, f"a scenario must be a table of settings, not {describe_value(settings)}"))
        issues = unknown_keys(settings, RULES, "", lambda key: source)
        values, value_issues = _settings_values({key: settings[key] for key in RULES if key in settings},
                                                lambda key: source)
        issues += value_issues
        if issues:
            raise InputError(issues)
        return cls(**values, source=source)

    def with_overrides(self, **changes: object) -> Scenario:
        """This scenario with ``changes`` applied (validated; issues name ``<overrides>`` as their file)."""
        issues = unknown_keys(changes, RULES, "", lambda key: OVERRIDES_SOURCE)
        if issues:
            raise InputError(issues)
        overridden = self.overridden | frozenset(changes)

        def file_for(key: str) -> str:
            return OVERRIDES_SOURCE if _top_key(key) in overridden else self.source

        values, issues = _settings_values({**{key: getattr(self, key) for key in RULES}, **changes}, file_for)
        if issues:
            raise InputError(issues)
        return Scenario(**values, source=self.source, overridden=overridden)

    # Writing ----------------------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, object]:
        """Plain, TOML-serialisable settings (lists, dicts, scalars); ``None`` values left out."""
        settings: dict[str, object] = {}
        for key in RULES:
            value = getattr(self, key)
            if value is None:
                continue
            if key == "export_controls":
                settings[key] = [control.to_dict() for control in value]
            elif key == "equipment_delay":
                settings[key] = value.to_dict()
            elif isinstance(value, Mapping):
                settings[key] = dict(value)
            elif isinstance(value, tuple):
                settings[key] = list(value)
            else:
                settings[key] = value
        return settings

    def result_settings(self) -> dict[str, object]:
        """The settings that can change a result (:data:`RESULT_FIELDS`, as in :meth:`to_dict`): what the
        scenario id hashes. A key added after :data:`ID_FIELDS_V1` is left out while it holds its default, so
        that adding a setting never moves the ids of the scenarios stored sweeps already hold."""
        defaults = Scenario()
        return {
            key: value
            for key, value in self.to_dict().items()
            if key in RESULT_FIELDS and (key in ID_FIELDS_V1 or getattr(self, key) != getattr(defaults, key))
        }

    def to_toml(self) -> str:
        """The scenario as a TOML file that :meth:`from_toml` reads back to an equal scenario."""
        lines = [f"# scenario '{self.name}'"]
        tables: list[str] = []
        for key, value in self.to_dict().items():
            if key == "export_controls":
                for control in self.export_controls:
                    tables += ["", f"[[{key}]]", *(f"{k} = {toml_value(v)}" for k, v in control.to_dict().items())]
            elif isinstance(value, dict):
                if value:
                    tables += ["", f"[{key}]", *(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items())]
            else:
                lines.append(f"{key} = {toml_value(value)}")
        return "\n".join(lines + tables) + "\n"

    # Against the data -------------------------------------------------------------------------------------

    def horizon(self, data: InputData) -> tuple[int, int]:
        """(first, last) planning year: the scenario's, else the data's."""
        first = data.first_year if self.horizon_start is None else self.horizon_start
        last = data.last_year if self.horizon_end is None else self.horizon_end
        return first, last

    def decision_start(self, data: InputData) -> int:
        """The first year a new build may start: ``first_decision_year``, never before the first planning year.

        The planning years before it are history: only operating, construction and committed projects run in
        them. A ``first_decision_year`` before the horizon (a sweep moving ``horizon_start`` past it) means none.
        """
        first, _ = self.horizon(data)
        return first if self.first_decision_year is None else max(first, self.first_decision_year)

    def demand_case_in(self, data: InputData) -> str:
        """The demand case this scenario runs on ``data``: its ``demand_case``, else the data's default."""
        return data.default_demand_case if self.demand_case is None else self.demand_case

    def bloc(self, data: InputData) -> frozenset[str]:
        """The partner countries of this run: ``partner_countries`` (else the partners of countries.csv), with
        ``bloc_add`` added and ``bloc_remove`` taken out."""
        base = (set(self.partner_countries) if self.partner_countries is not None
                else set(data.countries.loc[data.countries["partner"], "country"]))
        return frozenset((base | set(self.bloc_add or ())) - set(self.bloc_remove or ()))

    def risk_weight(self, data: InputData, country: str) -> float:
        """The weight of ``country``'s supply in dependence when outside the bloc: the scenario's, else
        countries.csv's, else 1 (as China)."""
        if country in self.risk_weights:
            return float(self.risk_weights[country])
        rows = data.countries.loc[data.countries["country"] == country, "risk_weight"]
        value = rows.iloc[0] if len(rows) else float("nan")
        return 1.0 if _missing_cell(value) else float(value)

    def check_against(self, data: InputData) -> None:
        """Raise :class:`InputError` for names and years the data does not have."""
        issues: list[InputIssue] = []

        def add(key: str, message: str) -> None:
            issues.append(InputIssue(self._file_for(key), message, column=key))

        elements = set(data.element_names)
        first, last = self.horizon(data)
        if first < data.first_year:
            add("horizon_start", f"{first} is before the data's first year {data.first_year}")
        if last > data.last_year:
            add("horizon_end", f"{last} is after the data's last year {data.last_year}")
        if first > last:
            add("horizon_end" if self.horizon_end is not None else "horizon_start",
                f"the horizon {first}-{last} ends before it starts")
        if self.first_decision_year is not None and self.first_decision_year > last:
            add("first_decision_year", f"{self.first_decision_year} is after the horizon's last year {last}: "
                "no build could start")
        for index, control in enumerate(self.export_controls):
            key = f"export_controls[{index}]"
            absent = [element for element in control.elements if element not in elements and element in RARE_EARTHS]
            if absent:
                logger.warning("%s: %s.elements: %s not in elements.csv, skipped (the data does not yet have all "
                               "the rare earths)", self._file_for(key), key, ", ".join(absent))
            unknown = [element for element in control.elements if element not in elements and element not in RARE_EARTHS]
            if unknown:
                add(f"{key}.elements", f"unknown element(s) {', '.join(unknown)} (not in elements.csv)"
                    f"{did_you_mean(unknown[0], elements)}")
            if not first <= control.start_year <= last:
                add(f"{key}.start_year", f"{control.start_year} is outside the horizon {first}-{last}")
            if not first <= control.end_year <= last:
                add(f"{key}.end_year", f"{control.end_year} is outside the horizon {first}-{last}")
        if self.equipment_delay is not None:
            statuses = dict(zip(data.projects["project"], data.projects["status"]))
            for index, project in enumerate(self.equipment_delay.projects):
                at = f"equipment_delay.projects[{index}]"
                if project not in statuses:
                    add(at, f"unknown project '{project}' (not in projects.csv){did_you_mean(project, statuses)}")
                elif statuses[project] not in BUILT_STATUSES:
                    add(at, f"'{project}' is a {statuses[project]} project, not a build decision: its online year "
                        "is data (edit projects.csv to move it)")
        for key, element in (("magnet_dy_share", "Dy"), ("magnet_tb_share", "Tb")):
            if getattr(self, key) is not None and element not in set(data.magnet_recipes["element"]):
                add(key, f"no magnet recipe in magnet_recipes.csv contains {element}: the share has nothing to set")
        if self.demand_case is not None and self.demand_case not in data.demand_cases:
            add("demand_case", f"unknown demand case '{self.demand_case}' (demand.csv has: "
                f"{', '.join(data.demand_cases)}){did_you_mean(self.demand_case, data.demand_cases)}")
        for element in self.element_weights:
            if element not in elements:
                add(f"element_weights.{element}", f"unknown element '{element}' (not in elements.csv)"
                    f"{did_you_mean(element, elements)}")
        for stage in self.stage_weights:
            if stage not in STAGES:
                add(f"stage_weights.{stage}", f"unknown stage '{stage}' (stages: {', '.join(STAGES)})")
        countries = set(data.countries["country"])
        for key in ("partner_countries", "bloc_add", "bloc_remove"):
            named = getattr(self, key)
            unknown = [country for country in named or () if country not in countries]
            if unknown:
                add(key, f"unknown country(ies) {', '.join(unknown)} (not in countries.csv)"
                    f"{did_you_mean(unknown[0], countries)}")
        both = sorted(set(self.bloc_add or ()) & set(self.bloc_remove or ()))
        if both:
            add("bloc_remove", f"{', '.join(both)} both added to and removed from the bloc")
        for country in self.risk_weights:
            if country not in countries:
                add(f"risk_weights.{country}", f"unknown country '{country}' (not in countries.csv)"
                    f"{did_you_mean(country, countries)}")
        offered = set(data.cofinance["instrument"]) | {"grant"}
        for index, instrument in enumerate(self.cofinance_instruments or ()):
            if instrument not in offered:
                add(f"cofinance_instruments[{index}]", f"cofinance.csv gives no terms for '{instrument}' (it has: "
                    f"{', '.join(sorted(offered))}): no build could use it")
        self._check_stockpile(data, add)
        self._check_project_risk(data, add)
        self._check_substitution(data, add)
        self._check_recycling_scrap(data, add)
        if self.objective == "restricted" and not data.restricted_elements:
            add("objective", "the 'restricted' objective needs restricted elements, and elements.csv marks none")
        if not issues:
            self._check_some_weight(data, add)
        if issues:
            raise InputError(with_key_lines(issues, self.source))

    def _check_substitution(self, data: InputData, add: Callable[[str, str], None]) -> None:
        """Substitution needs options in substitution.csv, and the options named must be among them;
        ``substitution_options`` without ``substitution = true`` does nothing (a warning says so)."""
        options = list(data.substitution["option"])
        if not self.substitution:
            if self.substitution_options is not None:
                logger.warning("%s: substitution_options is set but substitution is false: no option is used",
                               self._file_for("substitution_options"))
            return
        if not options:
            add("substitution", "substitution.csv has no options (or is missing): there is nothing to fund")
        for index, option in enumerate(self.substitution_options or ()):
            if option not in options:
                add(f"substitution_options[{index}]", f"unknown option '{option}' (not in substitution.csv)"
                    f"{did_you_mean(option, options)}")

    def _check_recycling_scrap(self, data: InputData, add: Callable[[str, str], None]) -> None:
        """The scrap limit needs its parameters (recycling_scrap.csv) and a lifetime distribution
        (magnet_lifetime.csv)."""
        if not self.recycling_scrap_limit:
            return
        if data.recycling_scrap.empty:
            add("recycling_scrap_limit", "recycling_scrap.csv has no rows (or is missing): the scrap limit needs "
                "recovery_rate, swarf_recovery and history_growth")
        if data.magnet_lifetime.empty:
            add("recycling_scrap_limit", "magnet_lifetime.csv has no rows (or is missing): the scrap limit needs "
                "the lifetimes of the magnets that become scrap")

    def _check_stockpile(self, data: InputData, add: Callable[[str, str], None]) -> None:
        """A stockpile needs terms in stockpile.csv for the elements it names, and a first buying year in the
        horizon; stockpile settings without ``stockpile = true`` do nothing (a warning says so)."""
        if not self.stockpile:
            unused = [key for key in STOCKPILE_KEYS if getattr(self, key) is not None]
            if unused:
                logger.warning("%s: %s set but stockpile is false: no stockpile is modelled", self.source,
                               ", ".join(unused))
            return
        offered = list(data.stockpile["element"])
        if not offered:
            add("stockpile", "stockpile = true, but the inputs have no stockpile.csv rows (price, holding cost and "
                "maximum stock per element)")
        for index, element in enumerate(self.stockpile_elements or ()):
            if element not in offered:
                add(f"stockpile_elements[{index}]", f"no stockpile terms for '{element}' in stockpile.csv (it has: "
                    f"{', '.join(offered) or 'none'}){did_you_mean(element, offered)}")
        first, last = self.horizon(data)
        year = self.stockpile_first_buy_year
        if year is not None and not first <= year <= last:
            add("stockpile_first_buy_year", f"{year} is outside the horizon {first}-{last}")

    def _check_project_risk(self, data: InputData, add: Callable[[str, str], None]) -> None:
        """Failed projects are build decisions of the data; expected capacity needs every included candidate's
        probability of success (project_risk.csv)."""
        from .model.project_risk_data import unrisked_candidates

        statuses = dict(zip(data.projects["project"], data.projects["status"]))
        for index, project in enumerate(self.failed_projects or ()):
            at = f"failed_projects[{index}]"
            if project not in statuses:
                add(at, f"unknown project '{project}' (not in projects.csv){did_you_mean(project, statuses)}")
            elif statuses[project] not in BUILT_STATUSES:
                add(at, f"'{project}' is a {statuses[project]} project, not a build decision: only "
                    f"{', '.join(BUILT_STATUSES)} projects can be drawn to fail")
        if self.project_risk:
            missing = unrisked_candidates(data)
            if missing:
                shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
                add("project_risk", f"no probability of success for the candidate(s) {shown}: give each a row in "
                    "project_risk.csv (a maturity, or a probability)")

    def _check_some_weight(self, data: InputData, add: Callable[[str, str], None]) -> None:
        """An objective whose every weight is zero measures nothing: every plan would score 0."""
        elements = data.restricted_elements if self.objective == "restricted" else data.element_names
        element_weight = {**dict(zip(data.elements["element"], data.elements["weight"].astype(float))),
                          **self.element_weights}
        stage_weight = {**dict(zip(data.stages["stage"], data.stages["weight"].astype(float))), **self.stage_weights}
        if not any(element_weight[e] > 0 for e in elements):
            add("element_weights", "every element the objective measures has weight 0, so every plan would score 0: "
                "give at least one a positive weight")
        if not any(weight > 0 for weight in stage_weight.values()):
            add("stage_weights", "every stage has weight 0, so every plan would score 0: give at least one a "
                "positive weight")

    def _file_for(self, key: str) -> str:
        return OVERRIDES_SOURCE if _top_key(key) in self.overridden else self.source


def name_from_file(path: Path) -> str | None:
    """The scenario name a file without a ``name`` key gets: its stem if that is a valid name, else the stem
    lowercased with each run of other characters turned into ``_`` and leading/trailing ``_ . -`` stripped;
    ``None`` when nothing valid is left."""
    stem = path.stem
    if SCENARIO_NAME.fullmatch(stem):
        return stem
    derived = re.sub(r"[^a-z0-9_.\-]+", "_", stem.lower()).strip("_.-")[:100].rstrip("_.-")
    if not SCENARIO_NAME.fullmatch(derived):
        return None
    logger.info("scenario file %s has no 'name' key: named '%s' after the file", path, derived)
    return derived


# Checking values --------------------------------------------------------------------------------------------

def _settings_values(settings: Mapping[str, object], file_for: FileFor) -> tuple[dict[str, object], list[InputIssue]]:
    """The settings converted to their field types (lists → tuples, ints → floats, tables → mappings),
    and every issue with them."""
    values: dict[str, object] = {}
    issues: list[InputIssue] = []
    for key, value in settings.items():
        rule = RULES[key]
        if value is None and rule.optional:
            values[key] = None
            continue
        converted, found = _value(key, value, rule, file_for)
        values[key] = converted
        issues += found
    if values.get("project_risk") is True and values.get("failed_projects") is not None:
        issues.append(InputIssue(file_for("failed_projects"), "failed_projects is one drawn outcome (a project "
                                 "succeeds or fails) and project_risk = true the expected capacity over all outcomes: "
                                 "set one of them", column="failed_projects"))
    start, end = values.get("horizon_start"), values.get("horizon_end")
    if isinstance(start, int) and isinstance(end, int) and start > end:
        issues.append(InputIssue(file_for("horizon_end"), f"horizon_end {end} is before horizon_start {start}",
                                 column="horizon_end"))
    low, high = values.get("stockpile_min_cover_years"), values.get("stockpile_max_cover_years")
    if isinstance(low, float) and isinstance(high, float) and low > high:
        issues.append(InputIssue(file_for("stockpile_min_cover_years"), f"stockpile_min_cover_years {low:g} is above "
                                 f"stockpile_max_cover_years {high:g}", column="stockpile_min_cover_years"))
    return values, issues


def _value(key: str, value: object, rule: _Rule, file_for: FileFor) -> tuple[object, list[InputIssue]]:
    def issue(message: str, at: str = key) -> list[InputIssue]:
        return [InputIssue(file_for(at), message, column=at)]

    if rule.kind in ("int", "float"):
        return _number(key, value, rule, file_for)
    if rule.kind == "bool":
        return value, ([] if isinstance(value, bool) else issue(f"expected true or false, got {describe_value(value)}"))
    if rule.kind in ("str", "name"):
        if not isinstance(value, str):
            return value, issue(f"expected a string, got {describe_value(value)}")
        if rule.choices is not None and value not in rule.choices:
            return value, issue(f"'{value}' is not one of: {', '.join(rule.choices)}{did_you_mean(value, rule.choices)}")
        if rule.kind == "name" and not SCENARIO_NAME.fullmatch(value):
            return value, issue(f"'{value}' cannot name a results directory: use letters, digits, '_', '-', '.' (at most 100)")
        return value, []
    if rule.kind == "strings":
        if not isinstance(value, (list, tuple)):
            return value, issue(f"expected an array of strings, got {describe_value(value)}")
        if not all(isinstance(item, str) and item for item in value):
            return value, issue("every entry must be a non-empty string")
        if rule.choices is not None:
            unknown = [item for item in value if item not in rule.choices]
            if unknown:
                return value, issue(f"'{unknown[0]}' is not one of: {', '.join(rule.choices)}"
                                    f"{did_you_mean(unknown[0], rule.choices)}")
            if not value or len(set(value)) < len(value):
                return value, issue(f"expected a non-empty array of distinct names from: {', '.join(rule.choices)}")
        return tuple(value), []
    if rule.kind == "weights":
        return _weights(key, value, rule, file_for)
    if rule.kind == "equipment_delay":
        return _equipment_delay(key, value, file_for)
    return _export_controls(key, value, file_for)


def _equipment_delay(key: str, value: object, file_for: FileFor) -> tuple[object, list[InputIssue]]:
    """An :class:`EquipmentDelay`, or a table with ``years`` and at least one of ``stages`` and ``projects``."""
    if isinstance(value, EquipmentDelay):
        return value, []
    if not isinstance(value, Mapping):
        return value, [InputIssue(file_for(key), f"expected a table ([{key}]), got {describe_value(value)}",
                                  column=key)]
    issues = unknown_keys(value, EQUIPMENT_DELAY_KEYS, f"{key}.", file_for)
    if "years" not in value:
        issues.append(InputIssue(file_for(f"{key}.years"), "missing: an equipment delay needs years",
                                 column=f"{key}.years"))
    if issues:
        return value, issues
    values, issues = _equipment_delay_values(value, key, file_for)
    return (value, issues) if issues else (EquipmentDelay(**values), [])  # type: ignore[arg-type]


def _equipment_delay_values(
    item: Mapping[str, object], at: str, file_for: FileFor
) -> tuple[dict[str, object], list[InputIssue]]:
    """One equipment delay's values converted and checked: years bounded, stages among STAGES, names strings,
    and something named."""
    issues: list[InputIssue] = []
    year_rule = _Rule("int", minimum=0, maximum=MAX_EQUIPMENT_DELAY_YEARS, description="years of delay")
    years, found = _number(f"{at}.years", item["years"], year_rule, file_for)
    issues += found
    lists: dict[str, tuple[str, ...]] = {}
    for name in ("stages", "projects"):
        entries = item.get(name, ())
        if not isinstance(entries, (list, tuple)) or not all(isinstance(entry, str) and entry for entry in entries):
            issues.append(InputIssue(file_for(f"{at}.{name}"), f"expected an array of names, got {entries!r}",
                                     column=f"{at}.{name}"))
            continue
        lists[name] = tuple(entries)
    for index, stage in enumerate(lists.get("stages", ())):
        if stage not in STAGES:
            issues.append(InputIssue(file_for(f"{at}.stages[{index}]"), f"unknown stage '{stage}' (stages: "
                                     f"{', '.join(STAGES)}){did_you_mean(stage, STAGES)}", column=f"{at}.stages[{index}]"))
    if not issues and not lists["stages"] and not lists["projects"]:
        issues.append(InputIssue(file_for(at), "an equipment delay needs stages or projects to apply to", column=at))
    return {"years": years, **lists}, issues


def _number(key: str, value: object, rule: _Rule, file_for: FileFor) -> tuple[object, list[InputIssue]]:
    """An int (or a float, which also takes ints), never a bool, finite and within the rule's range."""
    def issue(message: str) -> tuple[object, list[InputIssue]]:
        return value, [InputIssue(file_for(key), message, column=key)]

    wanted = "a whole number" if rule.kind == "int" else "a number"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return issue(f"expected {wanted}, got {describe_value(value)}")
    if rule.kind == "int" and not isinstance(value, int):
        return issue(f"expected {wanted}, got {value!r}")
    if not math.isfinite(value):
        return issue(f"expected a finite number, got {value!r}")
    below = rule.minimum is not None and (value <= rule.minimum if rule.minimum_exclusive else value < rule.minimum)
    above = rule.maximum is not None and value > rule.maximum
    if below or above:
        return issue(f"{value!r} is out of range: allowed {allowed_range(rule)}")
    return (float(value) if rule.kind == "float" else value), []


def allowed_range(rule: _Rule) -> str:
    """The values a numeric rule allows, in words: 'from 0 to 1000', 'above 0, up to 1', 'at least 0'."""
    low = None
    if rule.minimum is not None:
        low = f"above {rule.minimum:g}" if rule.minimum_exclusive else f"at least {rule.minimum:g}"
    if rule.maximum is None:
        text = low or "any finite number"
    elif low is None:
        text = f"at most {rule.maximum:g}"
    elif not rule.minimum_exclusive:
        text = f"from {rule.minimum:g} to {rule.maximum:g}"
    else:
        text = f"{low}, up to {rule.maximum:g}"
    return f"{text} ({rule.description})" if rule.description else text


def _weights(key: str, value: object, rule: _Rule, file_for: FileFor) -> tuple[object, list[InputIssue]]:
    """A table of name → weight ≥ 0, names among the rule's choices when it has any."""
    if not isinstance(value, Mapping):
        return value, [InputIssue(file_for(key), f"expected a table of weights, got {describe_value(value)}", column=key)]
    weights: dict[str, float] = {}
    issues: list[InputIssue] = []
    weight_rule = _Rule("float", minimum=rule.minimum, maximum=rule.maximum, description="a relative weight")
    for name, weight in value.items():
        at = f"{key}.{name}"
        if rule.choices is not None and name not in rule.choices:
            issues.append(InputIssue(file_for(at), f"unknown name '{name}' (one of: {', '.join(rule.choices)})"
                                     f"{did_you_mean(str(name), rule.choices)}", column=at))
            continue
        converted, found = _number(at, weight, weight_rule, file_for)
        issues += found
        if not found:
            weights[str(name)] = float(converted)  # type: ignore[arg-type]
    return FrozenMapping(weights), issues


def _export_controls(key: str, value: object, file_for: FileFor) -> tuple[object, list[InputIssue]]:
    """An array of export controls, each an :class:`ExportControl` or a table with exactly its four keys."""
    if not isinstance(value, (list, tuple)):
        message = f"expected an array of tables ([[{key}]]), got {describe_value(value)}"
        return value, [InputIssue(file_for(key), message, column=key)]
    controls: list[ExportControl] = []
    issues: list[InputIssue] = []
    for index, item in enumerate(value):
        at = f"{key}[{index}]"
        if isinstance(item, ExportControl):
            controls.append(item)
            continue
        if not isinstance(item, Mapping):
            issues.append(InputIssue(file_for(at), f"expected a table, got {describe_value(item)}", column=at))
            continue
        found = unknown_keys(item, EXPORT_CONTROL_KEYS, f"{at}.", file_for)
        found += [
            InputIssue(file_for(f"{at}.{name}"), "missing: an export control needs "
                       f"{', '.join(EXPORT_CONTROL_KEYS)}", column=f"{at}.{name}")
            for name in EXPORT_CONTROL_KEYS
            if name not in item
        ]
        if not found:
            values, found = _export_control_values(item, at, file_for)
            if not found:
                controls.append(ExportControl(**values))  # type: ignore[arg-type]
        issues += found
    return tuple(controls), issues


def _export_control_values(
    item: Mapping[str, object], at: str, file_for: FileFor
) -> tuple[dict[str, object], list[InputIssue]]:
    """One export control's values converted and checked (its keys are known to be exactly the right ones)."""
    issues: list[InputIssue] = []
    elements = item["elements"]
    if not isinstance(elements, (list, tuple)) or not elements or not all(isinstance(e, str) and e for e in elements):
        issues.append(InputIssue(file_for(f"{at}.elements"), "expected a non-empty array of element names, "
                                 f"got {elements!r}", column=f"{at}.elements"))
    else:
        elements = tuple(elements)
    year_rule = _Rule("int", minimum=YEARS[0], maximum=YEARS[1], description="a calendar year")
    start, found = _number(f"{at}.start_year", item["start_year"], year_rule, file_for)
    issues += found
    end, found = _number(f"{at}.end_year", item["end_year"], year_rule, file_for)
    issues += found
    fraction_rule = _Rule("float", minimum=0.0, maximum=1.0, description="China's exports as a share of ROW need")
    fraction, found = _number(f"{at}.fraction", item["fraction"], fraction_rule, file_for)
    issues += found
    if not issues and end < start:  # type: ignore[operator]
        issues.append(InputIssue(file_for(f"{at}.end_year"), f"end_year {end} is before start_year {start}",
                                 column=f"{at}.end_year"))
    return {"elements": elements, "start_year": start, "end_year": end, "fraction": fraction}, issues


def _top_key(key: str) -> str:
    return key.split(".", 1)[0].split("[", 1)[0]
