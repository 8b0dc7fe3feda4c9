"""The input tables: their files, columns, types and bounds, as data.

Every table is a CSV file in the inputs directory. Each row carries a ``source`` (a citation, a derivation
from other rows, or a stated ``ASSUMPTION: ...``). Units: tonnes of rare-earth oxide equivalent (t REO) per
year of the stage's output, money in US$ million, years as calendar years.
"""

from __future__ import annotations

from dataclasses import dataclass, field

STAGES: tuple[str, ...] = ("mining", "separation", "metal", "magnet")
"""The ordered stages of the chain; the model's balances are written for exactly these."""

PROJECT_STATUSES: tuple[str, ...] = ("operating", "construction", "committed", "candidate", "generic")
"""``operating``, ``construction`` and ``committed`` projects are data (online in their stated year);
``candidate`` and ``generic`` projects are build decisions."""

EXISTING_STATUSES: tuple[str, ...] = ("operating", "construction", "committed")
"""The statuses of projects that are data, not decisions: each is online from its ``online_year`` (with its
ramp) whatever the plan, and its capex is never charged to the planner's budget. ``committed``: financed (a
final investment decision, a loan or grant drawn) but not yet building or not yet producing; it runs as
``construction`` does."""

BUILT_STATUSES: tuple[str, ...] = ("candidate", "generic")
"""The statuses of projects the model decides to build (or not); every other status is in
:data:`EXISTING_STATUSES`."""

MATURITIES: tuple[str, ...] = ("scoping", "pfs", "feasibility", "financed", "generic")
"""How far a build decision has come (project_risk.csv): a scoping study or PEA, a pre-feasibility study, a
definitive or bankable feasibility study, finance committed, or a generic module of proven technology."""

PROJECT_ROLES: tuple[str, ...] = ("mine", "plant", "recycling")
"""``mine``: ore with fixed grades at the mining stage; ``plant``: separation, metal or magnet capacity over
a scope; ``recycling``: scrap-fed output with fixed grades entering its stage without virgin feed."""

PARAMETER_NAMES: dict[str, str] = {
    "first_year": "first year covered by the data (demand, production)",
    "last_year": "last year covered by the data",
    "china_mined_share": "share of China's separation feed mined in China (0-1)",
    "row_demand_share": "ROW share of world demand the demand tables were derived with (0-1)",
}
"""The scalar parameters ``parameters.csv`` must define, and only these."""


FIRST_POSSIBLE_YEAR = 1900
LAST_POSSIBLE_YEAR = 2200
"""Bounds on every year in the tables: wide enough for any real plan, narrow enough that a mistyped year
(``20300``) is named instead of making the checks enumerate millions of years."""

MAX_TONNES = 1e9
"""Upper bound on any quantity in t REO-eq per year: about 2,500 times world output, far inside what the solver
represents exactly (it takes 1e20 as infinity), so a stray exponent is named rather than breaking the solve."""

MAX_CAPEX_MUSD = 1e7
"""Upper bound on a capex figure, US$ million (US$10 trillion)."""

MAX_WEIGHT = 1e6
"""Upper bound on an objective weight."""

MAX_PRICE_USD_PER_KG = 1e6
"""Upper bound on a price per kg (US$1M/kg, far above any rare-earth oxide)."""

MAX_YEARS = 100
"""Upper bound on a duration in years (lead time, construction)."""

MAX_COUNT = 1_000_000
"""Upper bound on a count (components, units, stage order)."""

COFINANCE_INSTRUMENTS: tuple[str, ...] = ("grant", "loan", "equity", "price_floor")
"""The ways the planner may finance a build (issue 13, co-finance); ``grant`` carries the whole capex."""

COFINANCE_DEFAULT = "*"
"""The ``project`` of a ``cofinance.csv`` row that gives an instrument's terms for every build without its own."""

SUBSTITUTION_TARGETS: tuple[str, ...] = ("element", "magnet")
"""What a substitution option cuts: an element's content of ROW-made magnets, or a magnet type's demand."""

RECYCLING_SCRAP_PARAMETERS: dict[str, str] = {
    "recovery_rate": "share of the rare-earth content of magnets reaching end of life that recyclers recover (0-1)",
    "swarf_recovery": "share of the magnet stage's manufacturing loss recovered as swarf for recycling (0-1)",
    "history_growth": "yearly growth of magnet demand before the data's first year, to extend it backwards",
}
"""The parameters ``recycling_scrap.csv`` must define when it has rows."""

DEFAULT_DEMAND_CASE = "default"
"""The demand case of every row of a ``demand.csv`` or ``magnet_demand.csv`` without a ``case`` column."""


@dataclass(frozen=True)
class Column:
    """One column of an input table.

    ``kind`` is ``str``, ``int``, ``float`` or ``bool``; ``required`` means a value must be present on every
    row (an empty cell is missing); ``choices`` restricts a ``str`` column to listed values.
    """

    name: str
    kind: str
    required: bool = True
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] | None = None
    description: str = ""


@dataclass(frozen=True)
class Table:
    """One input table: its file name, its columns and the columns that identify a row."""

    name: str
    filename: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    description: str = ""
    optional_columns: tuple[str, ...] = field(default=())
    """Columns a file may leave out of its header: every row then takes the column's default value
    (``load.DEFAULTS``). A column that is in the header needs a value on every row where it is required."""
    required_file: bool = True
    """False: the file may be absent from an input directory, which then reads as a table with no rows."""

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)


SOURCE = Column("source", "str", description="citation, derivation or 'ASSUMPTION: ...'")
CASE = Column("case", "str", description="the named demand case the row belongs to (a scenario's demand_case)")
YEAR = Column("year", "int", minimum=FIRST_POSSIBLE_YEAR, maximum=LAST_POSSIBLE_YEAR)

TABLES: dict[str, Table] = {
    "elements": Table(
        "elements",
        "elements.csv",
        (
            Column("element", "str", description="element symbol, e.g. Nd"),
            Column("restricted", "bool", description="under China's April 2025 export licences"),
            Column("weight", "float", minimum=0.0, maximum=MAX_WEIGHT, description="weight of the element in the objective"),
            Column("oxide", "str", required=False),
            SOURCE,
        ),
        key=("element",),
    ),
    "stages": Table(
        "stages",
        "stages.csv",
        (
            Column("stage", "str", choices=STAGES),
            Column("order", "int", minimum=0, maximum=MAX_COUNT),
            Column("yield", "float", minimum=0.0, maximum=1.0, description="output per unit of feed"),
            Column("weight", "float", minimum=0.0, maximum=MAX_WEIGHT, description="weight of the stage in the objective"),
            SOURCE,
        ),
        key=("stage",),
    ),
    "countries": Table(
        "countries",
        "countries.csv",
        (
            Column("country", "str"),
            Column("partner", "bool", description="in the consuming bloc by default"),
            Column("risk_weight", "float", required=False, minimum=0.0, maximum=1.0,
                   description="weight of the country's supply in dependence when it is outside the bloc (China 1)"),
            SOURCE,
        ),
        key=("country",),
        optional_columns=("risk_weight",),
    ),
    "magnet_recipes": Table(
        "magnet_recipes",
        "magnet_recipes.csv",
        (
            Column("magnet_type", "str"),
            Column("element", "str"),
            Column("share", "float", minimum=0.0, maximum=1.0, description="share of the magnet's RE content"),
            SOURCE,
        ),
        key=("magnet_type", "element"),
    ),
    "parameters": Table(
        "parameters",
        "parameters.csv",
        (
            Column("name", "str", choices=tuple(PARAMETER_NAMES)),
            Column("value", "float"),
            Column("unit", "str", required=False),
            SOURCE,
        ),
        key=("name",),
    ),
    "projects": Table(
        "projects",
        "projects.csv",
        (
            Column("project", "str", description="identifier; one build decision per project"),
            Column("component", "int", minimum=0, maximum=MAX_COUNT, description="0, 1, ...: one row per stage the project has"),
            Column("name", "str"),
            Column("country", "str"),
            Column("status", "str", choices=PROJECT_STATUSES),
            Column("stage", "str", choices=STAGES),
            Column("role", "str", choices=PROJECT_ROLES),
            Column("capacity", "float", minimum=0.0, maximum=MAX_TONNES, description="t REO-eq per year of the stage's output (ore for mines)"),
            Column("capex_musd", "float", required=False, minimum=0.0, maximum=MAX_CAPEX_MUSD, description="US$ million per unit, on component 0"),
            Column("lead_time_years", "int", required=False, minimum=0, maximum=MAX_YEARS, description="decision to first output"),
            Column("online_year", "int", required=False, minimum=FIRST_POSSIBLE_YEAR, maximum=LAST_POSSIBLE_YEAR, description="first year of output (operating, construction, committed)"),
            Column("earliest_start", "int", required=False, minimum=FIRST_POSSIBLE_YEAR, maximum=LAST_POSSIBLE_YEAR, description="earliest year construction may start"),
            Column("max_units", "int", required=False, minimum=1, maximum=MAX_COUNT, description="units that may be built (generic modules > 1)"),
            Column("build_years", "int", required=False, minimum=1, maximum=MAX_YEARS, description="construction years over which capex is drawn"),
            Column("ramp", "str", required=False, description="capacity fractions in the first years of output, e.g. '0.25;0.5'"),
            Column("scope", "str", required=False, description="space-separated elements (separation, metal) or magnet types (magnet)"),
            Column("assumed", "str", required=False, description="semicolon-separated columns whose value is an assumption"),
            Column("include", "bool", required=False, description="false: listed for the record but left out of the model (say why in note)"),
            SOURCE,
            Column("note", "str", required=False),
        ),
        key=("project", "component"),
    ),
    "grades": Table(
        "grades",
        "grades.csv",
        (
            Column("project", "str"),
            Column("component", "int", minimum=0, maximum=MAX_COUNT),
            Column("element", "str"),
            Column("grade", "float", minimum=0.0, maximum=1.0, description="fraction of the throughput (t REO) that is this element"),
            SOURCE,
        ),
        key=("project", "component", "element"),
    ),
    "demand": Table(
        "demand",
        "demand.csv",
        (
            CASE,
            Column("element", "str"),
            Column("stage", "str", choices=STAGES[:-1]),
            YEAR,
            Column("demand_t", "float", minimum=0.0, maximum=MAX_TONNES, description="ROW final demand for the stage's product, t REO-eq"),
            SOURCE,
        ),
        key=("element", "stage", "year", "case"),
        optional_columns=("case",),
    ),
    "magnet_demand": Table(
        "magnet_demand",
        "magnet_demand.csv",
        (
            CASE,
            Column("magnet_type", "str"),
            YEAR,
            Column("demand_t", "float", minimum=0.0, maximum=MAX_TONNES, description="ROW demand, t REO-eq of magnet rare-earth content"),
            SOURCE,
        ),
        key=("magnet_type", "year", "case"),
        optional_columns=("case",),
    ),
    "china_production": Table(
        "china_production",
        "china_production.csv",
        (
            Column("stage", "str", choices=STAGES),
            Column("element", "str", description="an element, or ALL for the stage total"),
            YEAR,
            Column("production_t", "float", minimum=0.0, maximum=MAX_TONNES),
            SOURCE,
        ),
        key=("stage", "element", "year"),
    ),
    "row_other_mining": Table(
        "row_other_mining",
        "row_other_mining.csv",
        (
            Column("country", "str"),
            YEAR,
            Column("production_t", "float", minimum=0.0, maximum=MAX_TONNES, description="ore mined outside the bloc and sold to China"),
            SOURCE,
        ),
        key=("country", "year"),
    ),
    "history_output": Table(
        "history_output",
        "history_output.csv",
        (
            Column("project", "str", description="an operating, construction or committed project"),
            Column("component", "int", minimum=0, maximum=MAX_COUNT),
            YEAR,
            Column("output_t", "float", minimum=0.0, maximum=MAX_TONNES,
                   description="published actual output that year, t REO-eq of the stage's output (ore for mines)"),
            SOURCE,
        ),
        key=("project", "component", "year"),
        description="published actual output of projects that are data: in a year listed it replaces the "
        "component's capacity times its ramp (a mine runs at it, a plant at most at it)",
        required_file=False,
    ),
    "cofinance": Table(
        "cofinance",
        "cofinance.csv",
        (
            Column("instrument", "str", choices=COFINANCE_INSTRUMENTS),
            Column("project", "str", description=f"a candidate or generic project, or '{COFINANCE_DEFAULT}' for every "
                   "build without its own row"),
            Column("funded_share", "float", minimum=0.0, maximum=1.0,
                   description="share of the capex the public instrument puts in (grant, loan principal, equity stake)"),
            Column("recovery_share", "float", minimum=0.0, maximum=1.0,
                   description="expected share of the funded money that returns (repayment, equity value), present value"),
            Column("cost_share", "float", minimum=0.0, maximum=1.0,
                   description="expected public cost not put into the capex, as a share of it (a price floor's payouts)"),
            SOURCE,
        ),
        key=("instrument", "project"),
        description="co-finance terms: the budget carries funded_share x (1 - recovery_share) + cost_share of a "
        "build's capex, the rest is private money that follows (scenario key cofinance_instruments)",
        required_file=False,
    ),
    "stockpile": Table(
        "stockpile",
        "stockpile.csv",
        (
            Column("element", "str", description="an element of elements.csv, held as separated oxide"),
            Column("price_usd_per_kg", "float", minimum=0.0, maximum=MAX_PRICE_USD_PER_KG,
                   description="purchase price of the oxide, US$ per kg REO"),
            Column("holding_usd_per_kg_year", "float", minimum=0.0, maximum=MAX_PRICE_USD_PER_KG,
                   description="cost of holding a kg for a year (storage, insurance, capital), US$"),
            Column("max_stock_t", "float", minimum=0.0, maximum=MAX_TONNES, description="largest stock, t REO"),
            Column("initial_stock_t", "float", required=False, minimum=0.0, maximum=MAX_TONNES,
                   description="stock held before the first planning year, t REO (default 0)"),
            SOURCE,
        ),
        key=("element",),
        description="strategic stockpile terms per element (scenario key stockpile): bought in years without an "
        "export cap, drawn in years with one",
        optional_columns=("initial_stock_t",),
        required_file=False,
    ),
    "project_risk": Table(
        "project_risk",
        "project_risk.csv",
        (
            Column("project", "str", description="a build decision of projects.csv (candidate or generic)"),
            Column("maturity", "str", choices=MATURITIES, description="the stage the project has reached"),
            Column("probability", "float", required=False, minimum=0.0, maximum=1.0,
                   description="probability of success, overriding the maturity's (maturity_probability.csv)"),
            Column("min_share", "float", required=False, minimum=0.0, maximum=MAX_COUNT,
                   description="minimum efficient scale in units of the project: built at 0 or at least this"),
            SOURCE,
        ),
        key=("project",),
        description="project risk per build decision (scenario keys project_risk, failed_projects, minimum_scale)",
        optional_columns=("probability", "min_share"),
        required_file=False,
    ),
    "maturity_probability": Table(
        "maturity_probability",
        "maturity_probability.csv",
        (
            Column("maturity", "str", choices=MATURITIES),
            Column("probability", "float", minimum=0.0, maximum=1.0,
                   description="probability that a project at this maturity reaches production"),
            SOURCE,
        ),
        key=("maturity",),
        description="default probability of success per maturity (project_risk.csv)",
        required_file=False,
    ),
    "substitution": Table(
        "substitution",
        "substitution.csv",
        (
            Column("option", "str", description="option id (a scenario's substitution_options names it)"),
            Column("name", "str", required=False),
            Column("target", "str", choices=SUBSTITUTION_TARGETS,
                   description="'element': thrifting cuts the element's content of the magnet type's ROW-made "
                   "magnets; 'magnet': substitutes cut the magnet type's demand"),
            Column("magnet_type", "str", description="the magnet type whose magnets or content the option cuts"),
            Column("element", "str", required=False, description="the element thrifted (target 'element' only)"),
            Column("max_share", "float", minimum=0.0, maximum=1.0,
                   description="largest share of the flow it cuts the option can avoid"),
            Column("cost_usd_per_tpa", "float", minimum=0.0, maximum=MAX_CAPEX_MUSD * 1e6,
                   description="one-off public programme cost, US$ per t/yr of avoided demand (t REO-eq)"),
            Column("cap_t", "float", minimum=0.0, maximum=MAX_TONNES, description="largest avoided demand, t/yr"),
            Column("ramp_t_per_year", "float", minimum=0.0, maximum=MAX_TONNES,
                   description="avoided capacity that can be added per year from first_year, t/yr per year"),
            Column("first_year", "int", minimum=FIRST_POSSIBLE_YEAR, maximum=LAST_POSSIBLE_YEAR),
            SOURCE,
            Column("note", "str", required=False),
        ),
        key=("option",),
        description="demand-reduction options (substitution and thrifting, issue 13)",
        required_file=False,
    ),
    "recycling_scrap": Table(
        "recycling_scrap",
        "recycling_scrap.csv",
        (
            Column("parameter", "str", choices=tuple(RECYCLING_SCRAP_PARAMETERS)),
            Column("value", "float", minimum=0.0, maximum=1.0),
            Column("unit", "str", required=False),
            SOURCE,
        ),
        key=("parameter",),
        description="what end-of-life magnets and swarf make available to recyclers (issue 13)",
        required_file=False,
    ),
    "magnet_lifetime": Table(
        "magnet_lifetime",
        "magnet_lifetime.csv",
        (
            Column("magnet_type", "str"),
            Column("lifetime_years", "int", minimum=1, maximum=MAX_YEARS,
                   description="years from a magnet's first use to its end of life"),
            Column("share", "float", minimum=0.0, maximum=1.0,
                   description="share of the type's magnets put in use that reach end of life after lifetime_years"),
            SOURCE,
        ),
        key=("magnet_type", "lifetime_years"),
        description="product lifetime distribution of magnets: only the types listed make end-of-life scrap",
        required_file=False,
    ),
}
"""Every input table, by name."""
