"""The overlay registry: one definition per overlay, painted the same for every reader."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from bonescan_tutor.core.cases import Projection
from bonescan_tutor.core.errors import UsageError
from bonescan_tutor.core.overlays import (
    BLUE,
    FALSE_MARK,
    FINDING_MARK,
    HOTSPOT_MARK,
    LESION_MARK,
    OVERLAYS,
    TRAINEE_MARK,
    VERMILLION,
    Line,
    Markers,
    OverlayInput,
    Raster,
    asymmetry_argb,
    check_names,
    mirrored_layer,
    paint,
    register,
    unregister,
)
from bonescan_tutor.core.quiz import Tool
from bonescan_tutor.core.symmetry import analyze_view
from bonescan_tutor.core.windowing import auto_window
from tests.core.phantom import phantom

OKABE_ITO = {(230, 159, 0), (86, 180, 233), (0, 158, 115), (240, 228, 66), (0, 114, 178),
             (213, 94, 0), (204, 121, 167), (0, 0, 0)}


@pytest.fixture(scope="module")
def data() -> OverlayInput:
    image = phantom(height=512, width=128, seed=3, spot=(-30.0, 300.0, 60.0))
    return OverlayInput(image, auto_window(image), analyze_view(image, Projection.ANTERIOR))


def test_the_existing_names_keys_and_quiz_tools_are_kept() -> None:
    got = {s.name: (s.action, s.key, s.tool) for s in OVERLAYS.values()}
    assert got == {"midline": ("midline", "M", Tool.MIDLINE),
                   "mirror": ("ghost", "G", Tool.MIRROR_GHOST),
                   "asymmetry": ("asymmetry", "A", Tool.ASYMMETRY),
                   "hotspots": ("hotspots", "S", Tool.HOTSPOTS)}


def test_every_colour_is_an_okabe_ito_colour_and_marks_differ_by_shape() -> None:
    for spec in OVERLAYS.values():
        assert spec.colour in OKABE_ITO
        assert all(colour in OKABE_ITO for colour, _ in spec.legend)
    styles = [TRAINEE_MARK, FALSE_MARK, HOTSPOT_MARK, LESION_MARK, FINDING_MARK]
    assert all(colour in OKABE_ITO for colour, _ in styles)
    # the trainee's marks, the hot spots and the expert's lesions and findings: 4 shapes
    assert len({TRAINEE_MARK[1], HOTSPOT_MARK[1], LESION_MARK[1], FINDING_MARK[1]}) == 4
    assert TRAINEE_MARK[1] == FALSE_MARK[1]  # a mark is a cross, hit or not


def test_each_overlay_paints_in_its_own_colour(data: OverlayInput) -> None:
    midline = paint(["midline"], data)
    assert [type(x) for x in midline] == [Line] and midline[0].colour == OVERLAYS["midline"].colour
    (spots,) = paint("hotspots", data)
    assert isinstance(spots, Markers) and spots.shape == "o"
    assert len(spots.xs) == len(data.analysis.hotspots) > 0
    (ghost,) = paint("mirror", data)
    assert isinstance(ghost, Raster) and ghost.argb.shape == data.image.shape
    rgb = ghost.rgba()[..., :3].reshape(-1, 3)
    assert {tuple(int(v) for v in c) for c in np.unique(rgb, axis=0)} == {OVERLAYS["mirror"].colour}


def test_layers_come_rasters_first_then_lines_then_markers(data: OverlayInput) -> None:
    layers = paint("hotspots,midline,asymmetry", data)
    assert [type(x) for x in layers] == [Raster, Line, Markers]


def test_asymmetry_is_vermillion_hotter_blue_colder_and_clear_when_quiet() -> None:
    argb = asymmetry_argb(np.array([-1.0, -0.05, 0.0, 0.05, 1.0]))
    rgba = Raster(argb).rgba()
    assert tuple(rgba[0, :3]) == BLUE and tuple(rgba[-1, :3]) == VERMILLION
    assert list(rgba[1:4, 3]) == [0, 0, 0]
    assert rgba[0, 3] == rgba[-1, 3] > 200


def test_an_unknown_name_is_refused_with_the_choices() -> None:
    with pytest.raises(UsageError, match=r"'halo'.*midline, mirror, asymmetry, hotspots"):
        check_names("midline, halo")
    assert check_names(" midline ,, hotspots") == ["midline", "hotspots"]


def test_a_mirrored_layer_flips_its_columns(data: OverlayInput) -> None:
    (spots,) = paint("hotspots", data)
    flipped = mirrored_layer(spots, 128)
    assert isinstance(flipped, Markers)
    assert flipped.xs == tuple(127 - x for x in spots.xs) and flipped.ys == spots.ys
    (ghost,) = paint("mirror", data)
    assert isinstance(ghost, Raster)
    np.testing.assert_array_equal(mirrored_layer(ghost, 128).argb, ghost.argb[:, ::-1])  # type: ignore[union-attr]


def test_a_registered_overlay_is_painted_and_a_twin_refused(data: OverlayInput) -> None:
    spec = replace(OVERLAYS["midline"], name="centre", action="centre", key="C",
                   paint=lambda d: (Line((0.0, 1.0), (0.0, 1.0), BLUE),))
    register(spec)
    try:
        assert check_names("centre") == ["centre"]
        assert paint("centre", data)[0].colour == BLUE  # type: ignore[union-attr]
        with pytest.raises(ValueError, match="exists already"):
            register(spec)
    finally:
        unregister("centre")
    assert "centre" not in OVERLAYS
