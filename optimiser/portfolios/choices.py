"""The choices the portfolio commands offer, importable without Pyomo (for the command line)."""

MEASURES: tuple[str, ...] = ("expected", "worst", "cvar")
"""How ``robust`` scores a portfolio across scenarios: the weighted mean, the worst, or CVaR."""

MODES: tuple[str, ...] = ("projects", "stages", "countries")
"""What ``alternatives`` makes portfolios differ in."""
