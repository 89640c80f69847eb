"""Draw the app icon once and write every size the web app manifest and iOS need.

    .venv/bin/python scripts/make_icons.py [OUT_DIR]   (default: static/icons/)

One source image (a white medical cross on the portal's brand blue, 1024 px) is drawn here and
downscaled, so every icon matches. The PNGs in static/icons/ are committed: the site serves them
without Pillow at run time. Re-run after changing the drawing; the output is deterministic.
"""

import sys
from pathlib import Path

from PIL import Image, ImageDraw

BRAND = (11, 79, 138, 255)  # --portal-brand in static/css/portal.css
WHITE = (255, 255, 255, 255)
SOURCE_SIZE = 1024
OUT = Path(__file__).resolve().parent.parent / "static" / "icons"


def draw_cross(size: int, *, content_ratio: float, rounded: bool) -> Image.Image:
    """The brand square with a white cross taking `content_ratio` of the side."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if rounded:
        draw.rounded_rectangle((0, 0, size - 1, size - 1), radius=size // 5, fill=BRAND)
    else:
        # Maskable: the platform cuts its own shape, so the background must fill the square.
        draw.rectangle((0, 0, size - 1, size - 1), fill=BRAND)
    arm = size * content_ratio
    bar = arm / 3
    centre = size / 2
    draw.rounded_rectangle(
        (centre - bar / 2, centre - arm / 2, centre + bar / 2, centre + arm / 2),
        radius=bar / 5,
        fill=WHITE,
    )
    draw.rounded_rectangle(
        (centre - arm / 2, centre - bar / 2, centre + arm / 2, centre + bar / 2),
        radius=bar / 5,
        fill=WHITE,
    )
    return image


def main(out: Path = OUT) -> None:
    out.mkdir(parents=True, exist_ok=True)
    regular = draw_cross(SOURCE_SIZE, content_ratio=0.56, rounded=True)
    # A maskable icon keeps its content inside the central 80 % "safe zone" circle.
    maskable = draw_cross(SOURCE_SIZE, content_ratio=0.44, rounded=False)
    # iOS draws no transparency nicely: the apple-touch-icon is opaque and square.
    apple = maskable
    targets = [
        (regular, 192, "icon-192.png"),
        (regular, 512, "icon-512.png"),
        (maskable, 512, "icon-maskable-512.png"),
        (apple, 180, "apple-touch-icon.png"),
    ]
    for source, size, name in targets:
        image = source.resize((size, size), Image.Resampling.LANCZOS)
        image.save(out / name, format="PNG", optimize=True)
        print(f"{out / name} {size}x{size}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
