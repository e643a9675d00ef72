"""Charts of solutions, one look for every problem type.

- :mod:`optikit.plotting.style`: the palette, marker colours and the title format that
  both kinds of chart use;
- :mod:`optikit.plotting.interactive`: offline HTML charts (plotly), drawn from the
  solution's export tables, so every type has one (``--gantt x.html``, ``optikit chart``);
- :mod:`optikit.plotting.static`: PNG/SVG/PDF charts (matplotlib, object API): figure,
  legend, axis-unit and saving helpers for the types' own static charts.
"""
