"""Pictures of scans for slides and handouts (Pillow, no Qt): ``scan_figure``.

Overlays are drawn from ``core.overlays``, the registry the viewer draws from too.
"""
