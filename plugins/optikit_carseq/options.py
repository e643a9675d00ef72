"""The ``--option`` keys of the car-sequencing formulations (``optikit options car-sequencing``).

Kept apart from the formulations so that registering the type imports no solver.
"""

from __future__ import annotations

from optikit.options import OptionSpec

#: ``--option`` keys of the ``cpsat`` formulation.
CPSAT_OPTIONS = (
    OptionSpec("global_share", float, 0.3,
               "share of the time limit for the hinted CP-SAT solve of the full model "
               "(the rest goes to the large-neighbourhood search)", minimum=0.0, maximum=1.0),
    OptionSpec("lns_size", int, 40, "positions freed by the first LNS neighbourhoods "
               "(adapts up and down as sub-solves finish or time out)", minimum=4),
    OptionSpec("lns_sub_time", float, 1.0, "seconds per LNS sub-solve", minimum=0.05),
    OptionSpec("redundant", bool, True,
               "add the remaining-demand constraints to the full model"),
    OptionSpec("ls_share", float, 0.4, "share of the time limit for the first local "
               "search (before the global CP-SAT solve)", minimum=0.0, maximum=1.0),
    OptionSpec("excess_ls_share", float, 0.8, "share of the time limit for the first "
               "local search on lines whose objective is window excess only (CSPLib "
               "files; ls_share on the others): on CSPLib set 1 the CP-SAT stages after "
               "it found nothing better", minimum=0.0, maximum=1.0),
    OptionSpec("search_process", bool, True, "with 2 threads or more, a second local "
               "search on another seed in a child process during that first search, on "
               "lines whose objective is window excess only"),
    OptionSpec("pair_share", float, 0.15, "share of the time limit for the pairwise "
               "lower bound (each pair of options solved alone; 0: option-wise bound only)",
               minimum=0.0, maximum=1.0),
    OptionSpec("ls_every", int, 5, "a local-search burst after every this many LNS "
               "sub-solves", minimum=1),
    OptionSpec("ls_burst", float, 1.0, "seconds per local-search burst in the LNS phase",
               minimum=0.0),
    OptionSpec("breakout", int, 20_000, "local-search tries without progress before the "
               "violated windows get heavier (0: no weighting)", minimum=0),
    OptionSpec("excess_breakout", int, 80_000, "`breakout` for the first local search "
               "on lines whose objective is window excess only (its second process: 2.5 "
               "times as many); with shifts and reversals over the whole line, CSPLib "
               "10/93 reached 3 more often than with 20,000", minimum=0),
    OptionSpec("swap_search", str, "auto", "local search engine: `vector` (every swap "
               "and near shift of one car priced at once with numpy, best one made), "
               "`moves` (one swap, shift or block reversal per try), `auto` (vector on "
               "lines with paint rules and 200 cars or more)",
               choices=("auto", "vector", "moves")),
    OptionSpec("vector_breakout", int, 50, "vector search: tries without progress before "
               "the violated windows get heavier (0: no weighting)", minimum=0),
    OptionSpec("greedy_restarts", int, 4,
               "randomised runs of the greedy start (the best one is kept)", minimum=1),
)
