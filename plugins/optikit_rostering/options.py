"""The ``--option`` keys of the rostering formulations (``optikit options rostering``).

Kept apart from the formulations so that registering the type imports no solver.
"""

from __future__ import annotations

from optikit.options import OptionSpec

#: ``--option`` keys of the ``cpsat`` formulation.
CPSAT_OPTIONS = (
    OptionSpec("lns", str, "auto",
               "solution-guided large-neighbourhood search (by employee, by block of days, "
               "by rectangle) once the whole-model solve stalls or its share of the time is "
               "spent: on or auto (the same), or off (the whole-model solve only)",
               choices=("auto", "on", "off")),
    OptionSpec("global_share", float, 0.0,
               "with LNS: share of the time limit the first whole-model solve gets (0: all "
               "of it, on every size, so only stall ends it; a share below 1 on a roster "
               "up to 5,000 cells runs on while it still improves, up to 0.9)",
               minimum=0.0, maximum=1.0),
    OptionSpec("stall", float, 0.0,
               "with LNS: stop the whole-model solve after this many seconds without a "
               "better roster (0: a third of the time limit, at least 2 s)",
               minimum=0.0),
    OptionSpec("patience", float, 0.0,
               "with LNS: seconds without a better roster after which the neighbourhood "
               "search hands back to the whole model, started from the incumbent (0: a "
               "tenth of the time limit, at least 2 s)", minimum=0.0),
    OptionSpec("restart", str, "hint", "whole-model restarts: hint (from the incumbent) or fresh",
               choices=("hint", "fresh")),
    OptionSpec("lns_time", float, 1.0,
               "seconds per neighbourhood sub-solve", minimum=0.05),
    OptionSpec("colgen", str, "auto",
               "column generation over employee rows first: its LP bound, and a first "
               "roster from the whole model with the days the LP decides fixed; auto: on "
               "rosters up to 12,000 worked cells", choices=("auto", "on", "off")),
    OptionSpec("colgen_share", float, 0.4,
               "with colgen: most of the time limit the column generation may take",
               minimum=0.0, maximum=1.0),
    OptionSpec("colgen_branch", str, "auto",
               "with colgen: branch-and-price on the master after the LP-fixed roster "
               "(0/1 branching on an employee's shift on a day, each node's LP re-priced, "
               "pruned by its bound; with colgen_pricer=cpsat each node also completed by "
               "CP-SAT); auto: while the roster is within 1 % of the bound and the pricing is "
               "exact (colgen_pricer=labels)", choices=("auto", "on", "off")),
    OptionSpec("colgen_pricer", str, "labels",
               "with colgen: how a row is priced: labels (an exact labelling programme over "
               "the days, compiled when numba is installed; CP-SAT for a person whose labels "
               "overflow) or cpsat (CP-SAT on a one-employee model for everyone)",
               choices=("labels", "cpsat")),
    OptionSpec("colgen_lp", str, "live",
               "with colgen: the relaxation's master LP kept alive across rounds and warm "
               "started with the new columns (live, HiGHS through highspy) or rebuilt and "
               "solved anew each round (rebuild)", choices=("live", "rebuild")),
    OptionSpec("colgen_branch_lp", str, "rebuild",
               "with colgen_branch: each node's LP rebuilt and solved anew each round "
               "(rebuild) or one live LP for every node, the rows a node's decisions exclude "
               "held at 0, warm started (live: about 5x the nodes, no better rosters in 3-seed "
               "runs on Instances 6 and 7)", choices=("rebuild", "live")),
    OptionSpec("colgen_step", str, "dives",
               "with colgen and exact pricing: the roster step after the relaxation: dives "
               "(when the relaxation is tight and a dive is cheap: a short restricted master "
               "MILP, then up to 4 dives to the end from the LP, rows fixed a batch at a time "
               "with re-pricing, each followed by the whole model with its LP's integral days "
               "fixed, hinted with its roster, again jittered while more than 1 % above the "
               "bound; else as fix), fix (the restricted master MILP, then the whole model "
               "with the LP's integral days fixed), dive (rows fixed with re-pricing while the "
               "LP stays within 0.25 % of its start, then the whole model with that LP's "
               "integral days fixed), or retry (fix; a retry of the fixed model fixes a dive's "
               "rows instead)", choices=("dives", "fix", "dive", "retry")),
    OptionSpec("symmetry", bool, True, "order interchangeable staff (symmetry breaking)"),
    OptionSpec("caps", bool, True,
               "a redundant cap on the days each person can work over the horizon, from "
               "their run, weekend and leave rules (a tighter bound where the minutes "
               "allow more)"),
)

NO_OPTIONS: tuple[OptionSpec, ...] = ()
