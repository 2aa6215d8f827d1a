"""Run Ralph's LRS API on its file-system backend, appending: ``python ralph_server.py HOST PORT``.

Ralph's ``runserver`` writes every batch with the file backend's default operation,
"create", which refuses to write to an existing file: only the first POST of a server's
life is stored, later ones get HTTP 500. The test LRS needs many, so this serves the
same app (``ralph.api:app``, configured from the same ``RALPH_*`` environment) with
appends, and without ``runserver``'s file-watching reloader.

The statements router also wraps the ``verb`` and ``activity`` query parameters in
Ralph's ``IRI`` model, which the file backend's filters compare with the statements'
plain strings, so those queries never match there; they are left as strings here (the
other backends turn them into strings in their own queries).
"""

import sys

import ralph.api.routers.statements as statements_router
import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

FSLRSBackend.default_operation_type = BaseOperationType.APPEND
statements_router.IRI = str  # type: ignore[misc,assignment]

if __name__ == "__main__":
    uvicorn.run("ralph.api:app", host=sys.argv[1], port=int(sys.argv[2]), log_level="info")
