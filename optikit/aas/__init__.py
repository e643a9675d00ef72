"""Machines from Asset Administration Shells (``optikit import-aas``).

Reads an ``.aasx`` package or an AAS JSON file with the basyx-python-sdk (the
``optikit[aas]`` extra) and maps the Digital Nameplate, Technical Data and maintenance
submodels, by semanticId, onto the ``machines`` list of a problem document.  Whatever
cannot be mapped is reported as a warning, never dropped silently.
"""

from __future__ import annotations

from optikit.aas.mapper import AasMachines, import_machines

__all__ = ["AasMachines", "import_machines"]
