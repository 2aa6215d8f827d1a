"""Guarded readers of the files a user hands the app (quiz sets, results, annotations,
spreadsheets, manifests, zips, a server's JSON answer).

Each reader comes back with the loaded content or a ``BonescanError`` naming the file and
what is wrong with it, never another exception, and bounds the memory and time a hostile
file can cost. The package sits below ``datasets`` and ``storage`` and above ``core``.
"""
