"""Readers of dataset layouts, image decoding, the image cache and the demo generator.

Each layout (IICS-UNA ``iics``, BS-80K ``bs80k``, a case manifest ``manifest``) is a
module satisfying ``reader.DatasetReader``: ``LAYOUT``, ``LOOKS_FOR``,
``recognises(tree)`` and ``read(tree, report, progress)`` over a ``tree.FileTree``, so
every layout opens from its folder or its zip. ``detect.open_dataset`` asks every reader
in ``detect.READERS`` how sure it is and lets the surest read.

To add a dataset layout, touch these files:

1. ``datasets/<layout>.py``: the reader module (copy ``bs80k.py``'s shape); read files
   only through the ``FileTree`` it is given and report bad cases in the report;
2. ``datasets/detect.py``: add the module to ``READERS``;
3. ``core/cases.py``: a ``Layout`` member (and ``CLASS_NAMES`` if its classes have other
   names than metastases / no metastases).

Its tests go in ``tests/datasets/test_<layout>.py``; ``tests/datasets/test_detect.py``
registers a toy layout the same way and opens it from a folder and a zip.
"""
