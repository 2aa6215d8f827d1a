"""Draw the app icon: a glowing whole-body bone-scan silhouette on a dark tile.

Writes ``resources/icons/bonescan-tutor.png`` (256x256), ``.ico`` (Windows, 16-256 px)
and ``.icns`` (macOS). Deterministic; rerun only to change the design:
``python packaging/make_icon.py``.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter

ROOT = Path(__file__).resolve().parent.parent
ICONS = ROOT / "resources" / "icons"
NAME = "bonescan-tutor"
S = 1024  # drawn large, then downsampled for smooth edges

TILE = (16, 24, 36, 255)
BODY = (120, 170, 220)
BONE = (225, 240, 255)
HOT = (255, 150, 60)


def _skeleton(draw: ImageDraw.ImageDraw, width_scale: float, fill: tuple[int, int, int]) -> None:
    """A front-view skeleton outline: skull, spine, ribs, pelvis, arms and legs."""
    w = round(18 * width_scale)
    cx = S // 2
    draw.ellipse((cx - 78, 70, cx + 78, 250), outline=fill, width=w)  # skull
    draw.line((cx, 250, cx, 600), fill=fill, width=w)  # spine
    for i, y in enumerate(range(320, 500, 45)):  # ribs
        half = 150 - i * 10
        draw.arc((cx - half, y - 40, cx + half, y + 70), 200, 340, fill=fill, width=w)
    draw.line((cx - 190, 300, cx + 190, 300), fill=fill, width=w)  # shoulders
    draw.ellipse((cx - 150, 560, cx + 150, 700), outline=fill, width=w)  # pelvis
    for side in (-1, 1):
        draw.line((cx + side * 190, 300, cx + side * 235, 560), fill=fill, width=w)  # humerus
        draw.line((cx + side * 235, 560, cx + side * 265, 780), fill=fill, width=w)  # forearm
        draw.line((cx + side * 90, 680, cx + side * 110, 820), fill=fill, width=w)  # femur
        draw.line((cx + side * 110, 820, cx + side * 120, 960), fill=fill, width=w)  # tibia


def draw_icon() -> Image.Image:
    tile = Image.new("RGBA", (S, S), (0, 0, 0, 0))
    ImageDraw.Draw(tile).rounded_rectangle((16, 16, S - 16, S - 16), radius=170, fill=TILE)

    glow = Image.new("RGB", (S, S), (0, 0, 0))
    _skeleton(ImageDraw.Draw(glow), 3.2, BODY)  # wide soft halo: tracer uptake in soft tissue
    glow = glow.filter(ImageFilter.GaussianBlur(34))
    bones = Image.new("RGB", (S, S), (0, 0, 0))
    bone_draw = ImageDraw.Draw(bones)
    _skeleton(bone_draw, 1.0, BONE)
    for x, y, r in ((S // 2 + 118, 430, 30), (S // 2 - 30, 540, 26), (S // 2 - 102, 735, 24)):
        bone_draw.ellipse((x - r, y - r, x + r, y + r), fill=HOT)  # "hot spots"
    bones = bones.filter(ImageFilter.GaussianBlur(3))

    light = ImageChops.lighter(glow, bones)
    mask = light.convert("L").point(lambda v: min(255, v * 2))
    tile.paste(light, (0, 0), mask)
    return tile.resize((256, 256), Image.Resampling.LANCZOS)


def main() -> None:
    ICONS.mkdir(parents=True, exist_ok=True)
    icon = draw_icon()
    icon.save(ICONS / f"{NAME}.png", optimize=True)
    icon.save(ICONS / f"{NAME}.ico", sizes=[(16, 16), (24, 24), (32, 32), (48, 48), (64, 64),
                                            (128, 128), (256, 256)])
    icon.save(ICONS / f"{NAME}.icns")
    for path in sorted(ICONS.glob(f"{NAME}.*")):
        print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
