"""Derive the demand-side input tables from sourced constants (pandas only, deterministic).

Reads   inputs/derivation/demand_basis.csv  (sourced scalars: IEA, USGS, Argus, factors.csv, assumptions)
        inputs/derivation/stage_split.csv   (per element: shares of final demand taken as separated oxide,
                                             metal and magnets, and which growth path it follows)
        inputs/parameters.csv               (first_year, last_year, row_demand_share: checked, not changed)
Writes  inputs/demand.csv                   ROW final demand per element x stage (mining, separation, metal) x year
        inputs/magnet_demand.csv            ROW magnet demand per type x year (t REO-eq of rare-earth content)
        inputs/magnet_recipes.csv           NdFeB = the ROW magnet-demand mix of Nd, Pr, Dy, Tb; SmCo = Sm
        inputs/china_production.csv         China's 2025 output by stage, per element at separation
        inputs/derivation/world_demand_2025.csv   the intermediate world demand per element, with its basis

Run from anywhere:  python inputs/derivation/derive_demand.py
Running it twice gives byte-identical files. Every step is explained in docs/data.md ("Demand").

Steps
1. World magnet rare-earth demand (element basis, Nd+Pr+Tb+Dy) follows the IEA Announced Pledges path,
   linear between 93 kt (2023), 131 kt (2030) and 181 kt (2050): 103.857 kt in 2025.
2. Split it Dy 3.5 %, Tb 0.6 % (assumed), the rest NdPr at Pr/(Nd+Pr) = 0.25 (factors.csv), and convert
   each element to its oxide (divide by metal per oxide): world Nd, Pr, Dy, Tb oxide demand in 2025.
3. Sm, Gd (assumed), Lu (Du & Graedel 2007, as oxide), Y (USGS midpoint), Sc (USGS) and 4,000 t of
   Eu, Ho, Er, Tm, Yb (assumed, split by assumed shares) are fixed; La and Ce fill the rest of the 390 kt
   world mine output, 22:28. The sixteen elements sum to the 390 kt (Pm has no mined supply).
4. ROW final demand = world x row_demand_share (0.30), split between separated oxide, metal and magnets
   by stage_split.csv. Magnet shares of Nd, Pr, Dy, Tb make NdFeB demand; that of Sm makes SmCo demand.
5. Growth, per named demand case (the `case` column; iea_aps first, the default): Nd, Pr, Dy, Tb (all stages)
   and NdFeB follow the case's path, indexed to 2025: iea_aps the IEA GCMO 2024 APS anchors (linear), iea_steps
   GCMO 2025 STEPS (REE demand +55 % 2024-2040, compounded), high 8.2 %/yr (Adamas 2024); the other elements
   and SmCo grow 2.5 %/yr in every case. Mining has no final demand (0 rows, for completeness).
6. The NdFeB recipe is the 2025 ROW NdFeB mix (constant, since its elements share one growth path).
7. China: separation = (China mine + non-partner ore + US concentrate exports) x separation yield, split by
   world demand shares; magnets = 300 kt NdFeB x 0.3075 / 0.85 t REO-eq per t; metal = magnets / magnet
   yield + 20 kt other metal (assumed); mining = USGS 270 kt. Later years: each 2025 figure grown at
   china_output_growth (2.9 %/yr, USGS China mine output 255 kt in 2023 to 270 kt in 2025e).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
INPUTS = HERE.parent

ELEMENTS = ["La", "Ce", "Pr", "Nd", "Sm", "Gd", "Tb", "Dy", "Lu", "Y", "Sc", "Eu", "Ho", "Er", "Tm", "Yb"]
"""The sixteen rare earths with mined supply: Pm has none (no stable isotope), so it has no row."""
FIVE = ["Eu", "Ho", "Er", "Tm", "Yb"]
"""The five of China's October 2025 list, whose world demand is one assumed total split by assumed shares."""
DEMAND_STAGES = ["mining", "separation", "metal"]
MAGNET_OF_ELEMENT = {"Nd": "NdFeB", "Pr": "NdFeB", "Dy": "NdFeB", "Tb": "NdFeB", "Sm": "SmCo"}
NDFEB_ORDER = ["Nd", "Pr", "Dy", "Tb"]
IEA_ANCHORS = [(2023, "iea_magnet_ree_2023"), (2030, "iea_magnet_ree_2030"), (2050, "iea_magnet_ree_2050")]
GROWTH_TEXT = "2.5 %/yr from 2025 (ASSUMPTION, demand_basis.csv non_magnet_growth)"
CASES = ["iea_aps", "iea_steps", "high"]
"""The named demand cases, the default first. They differ only in the path of the magnet rare earths (Nd, Pr,
Dy, Tb at every stage, and NdFeB magnets); the other elements grow at non_magnet_growth in every case."""
CASE_TEXT = {
    "iea_aps": "case iea_aps: IEA GCMO 2024 APS magnet-REE path (93 kt 2023, 131 kt 2030, 181 kt 2050, linear) "
    "indexed to 2025",
    "iea_steps": "case iea_steps: IEA GCMO 2025 STEPS, REE demand +55 % 2024-2040 (midpoint of 50-60 %), "
    "2.78 %/yr compound from 2025",
    "high": "case high: 8.2 %/yr from 2025 (Adamas Intelligence 2024, magnet REO demand CAGR 2024-2040)",
}


def _basis() -> dict[str, float]:
    table = pd.read_csv(HERE / "demand_basis.csv")
    return {str(row.name): float(row.value) for row in table.itertuples(index=False)}


def _parameters() -> dict[str, float]:
    table = pd.read_csv(INPUTS / "parameters.csv")
    return {str(row.name): float(row.value) for row in table.itertuples(index=False)}


def iea_path(b: dict[str, float], year: int) -> float:
    """World magnet rare-earth demand (kt, element basis), linear between the IEA anchors."""
    points = [(y, b[name]) for y, name in IEA_ANCHORS]
    for (y0, v0), (y1, v1) in zip(points, points[1:]):
        if y0 <= year <= y1:
            return v0 + (v1 - v0) * (year - y0) / (y1 - y0)
    raise ValueError(f"year {year} outside the IEA anchors")


def world_demand_2025(b: dict[str, float], base_year: int) -> pd.DataFrame:
    """World demand per element in the base year, t oxide, with its basis (steps 1-3)."""
    magnet_ree_t = iea_path(b, base_year) * 1000.0
    dy_t = b["dy_share_of_magnet_ree"] * magnet_ree_t
    tb_t = b["tb_share_of_magnet_ree"] * magnet_ree_t
    ndpr_t = magnet_ree_t - dy_t - tb_t
    element_t = {"Nd": ndpr_t * (1 - b["pr_share_of_ndpr"]), "Pr": ndpr_t * b["pr_share_of_ndpr"], "Dy": dy_t, "Tb": tb_t}
    world: dict[str, float] = {}
    basis: dict[str, str] = {}
    for e, metal in element_t.items():
        world[e] = metal / b[f"metal_per_oxide_{e}"]
        basis[e] = (
            f"DERIVED: IEA APS magnet REE {magnet_ree_t:.1f} t ({base_year}, linear 2023-2030) x share "
            f"{metal / magnet_ree_t:.4f} (Dy 0.035, Tb 0.006 ASSUMED; NdPr rest, Pr/(Nd+Pr) 0.25 factors.csv) "
            f"/ metal per oxide {b[f'metal_per_oxide_{e}']}"
        )
    world["Sm"], basis["Sm"] = b["world_Sm_2025"], "ASSUMPTION (worked example): 3,000 t Sm2O3"
    world["Gd"], basis["Gd"] = b["world_Gd_2025"], "ASSUMPTION (worked example): 4,000 t Gd2O3"
    world["Lu"] = b["lu_use_2007"] / b["metal_per_oxide_Lu"]
    basis["Lu"] = "DERIVED: Du & Graedel 2007 flows into use 150 t Lu metal / 0.8794 (held flat, ASSUMPTION)"
    world["Y"], basis["Y"] = b["world_Y_2025"], "USGS MCS2026 Yttrium: 10,000-15,000 t Y2O3, midpoint"
    world["Sc"], basis["Sc"] = b["world_Sc_2025"], "USGS MCS2026 Scandium: 80 t Sc2O3"
    five_t = b["world_five_ree_2025"]
    shares = {e: b[f"share_{e}_of_five"] for e in FIVE}
    if abs(sum(shares.values()) - 1.0) > 1e-9:
        raise SystemExit(f"demand_basis.csv: the shares of {', '.join(FIVE)} sum to {sum(shares.values())}, not 1")
    for e in FIVE:
        world[e] = five_t * shares[e]
        basis[e] = (
            f"ASSUMPTION: {shares[e]:.0%} of {five_t:,.0f} t world demand for Eu, Ho, Er, Tm, Yb together "
            "(demand_basis.csv; no public per-element figure)"
        )
    fixed = sum(world.values())
    rest = b["world_mine_2025"] - fixed
    la_share = b["la_use_2007"] / (b["la_use_2007"] + b["ce_use_2007"])
    world["La"], world["Ce"] = rest * la_share, rest * (1 - la_share)
    text = (
        f"DERIVED: USGS MCS2026 world mine output 390,000 t - nine other elements - 4,000 t Eu, Ho, Er, Tm, Yb "
        f"(ASSUMPTION) = {rest:.1f} t La+Ce, split 22:28 (Du & Graedel 2007 uses)"
    )
    basis["La"] = basis["Ce"] = text
    return pd.DataFrame(
        {"element": ELEMENTS, "world_t": [world[e] for e in ELEMENTS], "basis": [basis[e] for e in ELEMENTS]}
    )


def steps_growth(b: dict[str, float]) -> float:
    """The STEPS case's yearly rate: REE demand +steps_ree_growth_2024_2040 over 2024-2040, compounded."""
    return (1.0 + b["steps_ree_growth_2024_2040"]) ** (1.0 / 16.0) - 1.0


def growth_index(b: dict[str, float], path: str, case: str, year: int, base_year: int) -> float:
    """Demand in ``year`` relative to ``base_year`` on a growth path: ``iea`` (the magnet rare earths, whose path
    is the demand case's) or ``non_magnet`` (the same in every case)."""
    if path == "non_magnet":
        return (1.0 + b["non_magnet_growth"]) ** (year - base_year)
    if path != "iea":
        raise ValueError(f"unknown growth path {path!r}")
    if case == "iea_aps":
        return iea_path(b, year) / iea_path(b, base_year)
    if case == "iea_steps":
        return (1.0 + steps_growth(b)) ** (year - base_year)
    if case == "high":
        return (1.0 + b["high_magnet_growth"]) ** (year - base_year)
    raise ValueError(f"unknown demand case {case!r}")


def _t(value: float) -> str:
    """Tonnes with three decimals (a kilogram), '-0.000' never written."""
    text = f"{value:.3f}"
    return "0.000" if text == "-0.000" else text


def main() -> None:
    b = _basis()
    p = _parameters()
    first, last = int(p["first_year"]), int(p["last_year"])
    share = b["row_demand_share"]
    if abs(p["row_demand_share"] - share) > 1e-12:
        raise SystemExit(f"parameters.csv row_demand_share {p['row_demand_share']} != demand_basis.csv {share}")
    years = list(range(first, last + 1))

    split = pd.read_csv(HERE / "stage_split.csv").set_index("element")
    for e, row in split.iterrows():
        total = row["separation"] + row["metal"] + row["magnet"]
        if abs(total - 1.0) > 1e-9:
            raise SystemExit(f"stage_split.csv: shares of {e} sum to {total}, not 1")
        if row["magnet"] > 0 and e not in MAGNET_OF_ELEMENT:
            raise SystemExit(f"stage_split.csv: {e} has a magnet share but no magnet type")

    world = world_demand_2025(b, first)
    world_t = dict(zip(world["element"], world["world_t"]))
    out = world.assign(world_t=world["world_t"].map(lambda v: f"{v:.1f}"))
    out.to_csv(HERE / "world_demand_2025.csv", index=False, lineterminator="\n")

    # Steps 4-5: ROW final demand per element, stage and year; magnets per type.
    demand_rows = []
    magnet_by_element: dict[tuple[str, str], dict[int, float]] = {}
    for case in CASES:
        for e in ELEMENTS:
            path = split.loc[e, "growth"]
            growth_text = CASE_TEXT[case] if path == "iea" else GROWTH_TEXT
            row_2025 = world_t[e] * share
            for stage in DEMAND_STAGES:
                fraction = 0.0 if stage == "mining" else float(split.loc[e, stage])
                for year in years:
                    value = row_2025 * fraction * growth_index(b, path, case, year, first)
                    if stage == "mining":
                        source = "DERIVED: no final demand for ore (mine output is separation feed); 0 by construction"
                    else:
                        source = (
                            f"DERIVED (inputs/derivation/derive_demand.py): world {e} {first} {world_t[e]:.1f} t "
                            f"(world_demand_2025.csv) x ROW share {share:g} x {stage} share {fraction:g} "
                            f"(stage_split.csv) x {growth_text}"
                        )
                    demand_rows.append(
                        {"case": case, "element": e, "stage": stage, "year": year, "demand_t": _t(value), "source": source}
                    )
            if split.loc[e, "magnet"] > 0:
                magnet_by_element[case, e] = {
                    year: row_2025 * float(split.loc[e, "magnet"]) * growth_index(b, path, case, year, first)
                    for year in years
                }
    pd.DataFrame(demand_rows).to_csv(INPUTS / "demand.csv", index=False, lineterminator="\n")

    magnet_rows = []
    for case in CASES:
        for magnet_type in ("NdFeB", "SmCo"):
            members = [e for e in ELEMENTS if MAGNET_OF_ELEMENT.get(e) == magnet_type and (case, e) in magnet_by_element]
            growth_text = CASE_TEXT[case] if magnet_type == "NdFeB" else GROWTH_TEXT
            base = sum(magnet_by_element[case, e][first] for e in members)
            for year in years:
                value = sum(magnet_by_element[case, e][year] for e in members)
                source = (
                    f"DERIVED (inputs/derivation/derive_demand.py): sum over {'+'.join(members)} of world {first} "
                    f"oxide demand x ROW share {share:g} x magnet share (stage_split.csv) = {base:.1f} t REO-eq in "
                    f"{first}, x {growth_text}"
                )
                magnet_rows.append(
                    {"case": case, "magnet_type": magnet_type, "year": year, "demand_t": _t(value), "source": source}
                )
    pd.DataFrame(magnet_rows).to_csv(INPUTS / "magnet_demand.csv", index=False, lineterminator="\n")

    # Step 6: recipes. NdFeB = 2025 ROW NdFeB mix, six decimals, Nd closes the sum to exactly 1.
    ndfeb = {e: magnet_by_element[CASES[0], e][first] for e in NDFEB_ORDER}
    total = sum(ndfeb.values())
    shares = {e: round(ndfeb[e] / total, 6) for e in NDFEB_ORDER}
    shares["Nd"] = round(1.0 - sum(v for e, v in shares.items() if e != "Nd"), 6)
    recipe_source = (
        "DERIVED (inputs/derivation/derive_demand.py): ROW NdFeB magnet-demand mix in REO-eq = world oxide demand "
        "(IEA APS magnet REE split Dy 3.5 %, Tb 0.6 % ASSUMED, Pr/(Nd+Pr) 0.25 factors.csv, / metal per oxide) "
        "x magnet share of each element (stage_split.csv); Nd closes the sum to 1"
    )
    recipe_rows = [
        {"magnet_type": "NdFeB", "element": e, "share": f"{shares[e]:.6f}", "source": recipe_source} for e in NDFEB_ORDER
    ]
    recipe_rows.append(
        {
            "magnet_type": "SmCo",
            "element": "Sm",
            "share": "1.000000",
            "source": "MODEL.md default recipe: Sm is the only rare earth of SmCo magnets (worked example magnet_recipes.csv)",
        }
    )
    pd.DataFrame(recipe_rows).to_csv(INPUTS / "magnet_recipes.csv", index=False, lineterminator="\n")

    # Step 7: China's production in the base year.
    feed = b["china_mine_2025"] + b["nonpartner_ore_2025"] + b["us_concentrate_exports_2025"]
    separation = feed * b["separation_yield"]
    re_per_magnet = b["ndfeb_re_metal_content"] / b["ndpr_metal_per_oxide"]
    magnets = b["china_ndfeb_2024"] * re_per_magnet
    metal = magnets / b["magnet_yield"] + b["china_other_metal_2025"]
    china = [
        ("mining", "ALL", b["china_mine_2025"], "USGS MCS2026 China mine production 2025e 270,000 t REO (https://pubs.usgs.gov/periodicals/mcs2026/mcs2026-rare-earths.pdf)"),
        (
            "separation",
            "ALL",
            separation,
            f"DERIVED: (China mine 270,000 + non-partner ore 37,310 + US concentrate exports 14,000 = {feed:,.0f} t, "
            f"USGS MCS2026 2025e) x separation yield {b['separation_yield']:g}",
        ),
    ]
    for e in ELEMENTS:
        china.append(
            (
                "separation",
                e,
                separation * world_t[e] / b["world_mine_2025"],
                f"DERIVED: China separation total {separation:,.0f} t x world demand share of {e} "
                f"({world_t[e]:.1f} / 390,000 t, world_demand_2025.csv); the 16 elements sum to ALL (Pm has no "
                "mined supply)",
            )
        )
    china.append(
        (
            "metal",
            "ALL",
            metal,
            f"DERIVED: China magnet RE content {magnets:,.1f} t / magnet yield {b['magnet_yield']:g} + 20,000 t other "
            "metal (ASSUMPTION, worked example)",
        )
    )
    china.append(
        (
            "magnet",
            "ALL",
            magnets,
            f"DERIVED: Argus 2024 China NdFeB 300,000 t x {re_per_magnet:.6f} t REO-eq per t magnet (0.3075 t RE "
            "metal, factors.csv, / 0.85 t metal per t NdPr oxide)",
        )
    )
    growth = b["china_output_growth"]
    china_rows = [
        {"stage": s, "element": e, "year": first, "production_t": f"{v:.1f}", "source": src} for s, e, v, src in china
    ]
    for year in years[1:]:
        factor = (1.0 + growth) ** (year - first)
        china_rows += [
            {
                "stage": s,
                "element": e,
                "year": year,
                "production_t": f"{v * factor:.1f}",
                "source": f"DERIVED: {first} value {v:,.1f} t x (1 + {growth:g})^{year - first}: China's output "
                "projected at its mine-output trend (demand_basis.csv china_output_growth)",
            }
            for s, e, v, _ in china
        ]
    pd.DataFrame(china_rows).to_csv(INPUTS / "china_production.csv", index=False, lineterminator="\n")

    totals = pd.DataFrame(demand_rows).assign(demand_t=lambda d: d["demand_t"].astype(float))
    mag = pd.DataFrame(magnet_rows).assign(demand_t=lambda d: d["demand_t"].astype(float))
    for case in CASES:
        for year in (first, 2030, last):
            elements_t = totals.loc[(totals.year == year) & (totals.case == case), "demand_t"].sum()
            magnets_t = mag.loc[(mag.year == year) & (mag.case == case), "demand_t"].sum()
            print(f"{case} {year}: ROW demand elements {elements_t:,.1f} t + magnets {magnets_t:,.1f} t = "
                  f"{elements_t + magnets_t:,.1f} t")
    print(f"china_mined_share = {b['china_mine_2025']:.0f} / {feed:.0f} = {b['china_mine_2025'] / feed:.4f}")


if __name__ == "__main__":
    main()
